"""The social graph repository, in the users table (``pk = USER#<id>``), every edge stored on both ends:

    FRIEND#<other>     on both users                   a friendship (the agreed shape; accounts reads it)
    REQOUT#<other> / REQIN#<other>                     a pending friend request, requester / addressee side
    FOLLOWING#<other> / FOLLOWER#<other>               a follow, follower / followed side
    BLOCK#<other> / BLOCKEDBY#<other>                  a block, blocker / blocked side

Each item carries ``userId`` (the other user) and ``since``. Every change writes both ends (and its
outbox event) in one ``TransactWriteItems`` whose conditions settle races: a user's own partition
holds everything needed to refuse a write (``BLOCK#``/``BLOCKEDBY#`` for blocks in either direction,
``REQIN#`` for a crossing request). Lists are Queries on ``begins_with(sk, <KIND>#)``; no index is used.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from deepiri_common.clock import to_iso, utc_now
from deepiri_common.events import DomainEvent
from deepiri_common.outbox import outbox_put
from deepiri_common.pagination import decode_cursor, encode_cursor, query_all
from deepiri_common.problems import BadRequest, Conflict
from deepiri_common.transactions import CONDITION_FAILED, write_transaction
from deepiri_users.models.social import (
    BlockWrite,
    Edge,
    FollowWrite,
    ProfileSummary,
    Relation,
    RelationPage,
    RequestWrite,
)

BATCH_GET_LIMIT = 100


class SocialRepository:
    """Reads and changes the social graph; ``client`` is a boto3 DynamoDB client."""

    def __init__(self, table_name: str, client: Any) -> None:
        self._table, self._client = table_name, client

    # ---- reads -----------------------------------------------------------------------------------

    def profile(self, user_id: str) -> ProfileSummary | None:
        item = self._client.get_item(TableName=self._table, Key=_key(user_id, "PROFILE"),
                                     ConsistentRead=True).get("Item")
        return None if item is None else _profile(user_id, item)

    def profiles(self, user_ids: Iterable[str]) -> dict[str, ProfileSummary]:
        """The PROFILE items of ``user_ids`` that exist."""
        wanted = list(dict.fromkeys(user_ids))
        found: dict[str, ProfileSummary] = {}
        for start in range(0, len(wanted), BATCH_GET_LIMIT):
            keys: list[dict[str, Any]] = [_key(u, "PROFILE") for u in wanted[start:start + BATCH_GET_LIMIT]]
            request: dict[str, Any] = {self._table: {"Keys": keys}}
            while request:
                response = self._client.batch_get_item(RequestItems=request)
                for item in response.get("Responses", {}).get(self._table, []):
                    user_id = item["pk"]["S"].removeprefix("USER#")
                    found[user_id] = _profile(user_id, item)
                request = response.get("UnprocessedKeys") or {}
        return found

    def relation(self, user_id: str, edge: Edge, other: str) -> Relation | None:
        item = self._client.get_item(TableName=self._table, Key=_edge_key(user_id, edge, other),
                                     ConsistentRead=True).get("Item")
        return None if item is None else Relation(userId=item["userId"]["S"], since=item["since"]["S"])

    def is_blocked_between(self, a: str, b: str) -> bool:
        """Whether either user blocked the other (one read of ``a``'s partition covers both ways)."""
        keys = [_edge_key(a, Edge.BLOCK, b), _edge_key(a, Edge.BLOCKED_BY, b)]
        response = self._client.batch_get_item(
            RequestItems={self._table: {"Keys": keys, "ConsistentRead": True, "ProjectionExpression": "pk"}})
        if response.get("UnprocessedKeys"):
            return any(self.relation(a, edge, b) for edge in (Edge.BLOCK, Edge.BLOCKED_BY))
        return bool(response.get("Responses", {}).get(self._table))

    def page(self, user_id: str, edge: Edge, limit: int, cursor: str | None) -> RelationPage:
        """One page of ``user_id``'s edges of one kind, oldest other-user id first."""
        args: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": f"USER#{user_id}"}, ":prefix": {"S": f"{edge.value}#"}},
            "Limit": limit,
        }
        if cursor:
            args["ExclusiveStartKey"] = _start_key(cursor, user_id, edge)
        response = self._client.query(**args)
        items = [Relation(userId=i["userId"]["S"], since=i["since"]["S"]) for i in response.get("Items", [])]
        last = response.get("LastEvaluatedKey")
        return RelationPage(items=items, nextCursor=encode_cursor(last) if last else None)

    def friend_ids(self, user_id: str) -> set[str]:
        """Every friend of ``user_id`` (keys only, all pages)."""
        args: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": f"USER#{user_id}"}, ":prefix": {"S": "FRIEND#"}},
            "ProjectionExpression": "sk",
        }
        return {i["sk"]["S"].removeprefix("FRIEND#") for i in query_all(self._client, **args)}

    # ---- writes ----------------------------------------------------------------------------------

    def request(self, requester: str, addressee: str, event: DomainEvent) -> RequestWrite:
        """Store a pending request on both ends, unless a condition says why not."""
        now = _now()
        reasons = self._transact([
            self._put(requester, Edge.REQUEST_OUT, addressee, now, must_be_new=True),
            self._put(addressee, Edge.REQUEST_IN, requester, now, must_be_new=True),
            self._absent(requester, Edge.FRIEND, addressee),
            self._absent(requester, Edge.REQUEST_IN, addressee),
            self._absent(requester, Edge.BLOCK, addressee),
            self._absent(requester, Edge.BLOCKED_BY, addressee),
            outbox_put(self._table, event),
        ], conflict_is_retry=True)
        if reasons is None:
            return "created"
        failed = {i for i, code in enumerate(reasons) if code == "ConditionalCheckFailed"}
        if not failed:
            return "retry"
        if failed & {4, 5}:
            return "blocked"
        if 2 in failed:
            return "friends"
        if 3 in failed:
            return "incoming"
        return "exists"

    def accept(self, addressee: str, requester: str, event: DomainEvent) -> bool:
        """Turn ``requester``'s pending request into a friendship; False when there is no such request."""
        now = _now()
        reasons = self._transact([
            self._delete(addressee, Edge.REQUEST_IN, requester, must_exist=True),
            self._delete(requester, Edge.REQUEST_OUT, addressee),
            self._put(addressee, Edge.FRIEND, requester, now, must_be_new=True),
            self._put(requester, Edge.FRIEND, addressee, now, must_be_new=True),
            outbox_put(self._table, event),
        ])
        return reasons is None

    def remove_request(self, requester: str, addressee: str) -> bool:
        """Delete a pending request (cancel or reject); False when there was none."""
        return self._transact([
            self._delete(requester, Edge.REQUEST_OUT, addressee, must_exist=True),
            self._delete(addressee, Edge.REQUEST_IN, requester),
        ]) is None

    def unfriend(self, a: str, b: str, event: DomainEvent) -> bool:
        """End the friendship with its FriendshipEnded event in one transaction; False when there was none."""
        return self._transact([
            self._delete(a, Edge.FRIEND, b, must_exist=True),
            self._delete(b, Edge.FRIEND, a),
            outbox_put(self._table, event),
        ]) is None

    def follow(self, follower: str, followed: str) -> FollowWrite:
        now = _now()
        reasons = self._transact([
            self._put(follower, Edge.FOLLOWING, followed, now, must_be_new=True),
            self._put(followed, Edge.FOLLOWER, follower, now),
            self._absent(follower, Edge.BLOCK, followed),
            self._absent(follower, Edge.BLOCKED_BY, followed),
        ])
        if reasons is None:
            return "created"
        return "blocked" if "ConditionalCheckFailed" in reasons[2:] else "exists"

    def unfollow(self, follower: str, followed: str) -> bool:
        return self._transact([
            self._delete(follower, Edge.FOLLOWING, followed, must_exist=True),
            self._delete(followed, Edge.FOLLOWER, follower),
        ]) is None

    def block(self, blocker: str, blocked: str, event: DomainEvent, ended: DomainEvent | None) -> BlockWrite:
        """Block and sever every tie between the two in one transaction: "exists" when already blocked.

        ``ended`` (FriendshipEnded) is given when the two were friends as read: the transaction then
        requires the friendship and publishes it; without it, it requires no friendship ("retry" when
        that changed meanwhile)."""
        now = _now()
        friendship = (self._delete(blocker, Edge.FRIEND, blocked, must_exist=True) if ended is not None
                      else self._absent(blocker, Edge.FRIEND, blocked))
        severed = [
            (blocked, Edge.FRIEND, blocker),
            (blocker, Edge.FOLLOWING, blocked), (blocked, Edge.FOLLOWER, blocker),
            (blocked, Edge.FOLLOWING, blocker), (blocker, Edge.FOLLOWER, blocked),
            (blocker, Edge.REQUEST_OUT, blocked), (blocked, Edge.REQUEST_IN, blocker),
            (blocker, Edge.REQUEST_IN, blocked), (blocked, Edge.REQUEST_OUT, blocker),
        ]
        reasons = self._transact([
            self._put(blocker, Edge.BLOCK, blocked, now, must_be_new=True),
            self._put(blocked, Edge.BLOCKED_BY, blocker, now),
            friendship,
            *(self._delete(owner, edge, other) for owner, edge, other in severed),
            outbox_put(self._table, event),
            *([outbox_put(self._table, ended)] if ended is not None else []),
        ], conflict_is_retry=True)
        if reasons is None:
            return "blocked"
        return "exists" if reasons[0] == CONDITION_FAILED else "retry"

    def unblock(self, blocker: str, blocked: str, event: DomainEvent) -> bool:
        """Lift the block with its event in one transaction; False when there was no block."""
        return self._transact([
            self._delete(blocker, Edge.BLOCK, blocked, must_exist=True),
            self._delete(blocked, Edge.BLOCKED_BY, blocker),
            outbox_put(self._table, event),
        ]) is None

    # ---- transaction elements --------------------------------------------------------------------

    def _put(self, owner: str, edge: Edge, other: str, now: str, *, must_be_new: bool = False) -> dict[str, Any]:
        item = {**_edge_key(owner, edge, other), "userId": {"S": other}, "since": {"S": now},
                "kind": {"S": "social"}}
        put: dict[str, Any] = {"TableName": self._table, "Item": item}
        if must_be_new:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        return {"Put": put}

    def _delete(self, owner: str, edge: Edge, other: str, *, must_exist: bool = False) -> dict[str, Any]:
        delete: dict[str, Any] = {"TableName": self._table, "Key": _edge_key(owner, edge, other)}
        if must_exist:
            delete["ConditionExpression"] = "attribute_exists(pk)"
        return {"Delete": delete}

    def _absent(self, owner: str, edge: Edge, other: str) -> dict[str, Any]:
        return {"ConditionCheck": {"TableName": self._table, "Key": _edge_key(owner, edge, other),
                                   "ConditionExpression": "attribute_not_exists(pk)"}}

    def _transact(self, items: list[dict[str, Any]], *, conflict_is_retry: bool = False) -> list[str] | None:
        """Run a transaction: None when it committed, else the cancellation reason code of each item.

        A cancellation caused only by a concurrent transaction is a 409 (the client may retry), unless
        the caller asked to see it and retry itself.
        """
        reasons = write_transaction(self._client, items)
        if reasons is not None and CONDITION_FAILED not in reasons and not conflict_is_retry:
            raise Conflict("the relationship changed concurrently; retry")
        return reasons


def _now() -> str:
    return to_iso(utc_now())


def _key(user_id: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": f"USER#{user_id}"}, "sk": {"S": sk}}


def _edge_key(owner: str, edge: Edge, other: str) -> dict[str, Any]:
    return _key(owner, f"{edge.value}#{other}")


def _profile(user_id: str, item: dict[str, Any]) -> ProfileSummary:
    disabled = item.get("disabled", {})
    return ProfileSummary(
        userId=user_id,
        displayName=item.get("displayName", {}).get("S"),
        avatarUrl=item.get("avatarUrl", {}).get("S"),
        disabled=bool(disabled.get("BOOL", False)) or disabled.get("S") == "true",
    )


def _start_key(cursor: str, user_id: str, edge: Edge) -> dict[str, Any]:
    """The cursor's key, refused unless it points into this user's list of this kind."""
    key = decode_cursor(cursor)
    pk, sk = (key.get(name) for name in ("pk", "sk"))
    if (set(key) != {"pk", "sk"} or not isinstance(pk, dict) or not isinstance(sk, dict)
            or pk.get("S") != f"USER#{user_id}" or not str(sk.get("S", "")).startswith(f"{edge.value}#")):
        raise BadRequest("invalid cursor")
    return key

"""The challenges table. A user's partition (``pk = USER#<id>``) holds

- ``sk = CH#<challengeId>`` (a ULID: key order is creation order): the challenge as a JSON ``doc`` beside
  the attributes its indexes read: ``statusKey = USER#<id>#<status>`` (index ``byStatus``: a status
  filter is a Query), ``endedKey = USER#<id>`` with ``endedAt`` once it ended (index ``ended``: history and
  the success rate of the last ten), and, while it can run out, ``dueHour`` (``YYYY-MM-DDTHH``, UTC) with
  ``dueAt`` (index ``due``: the expiry job reads exactly the hours it covers, never a scan);
- ``sk = BANDIT``: ``w_<type>`` / ``l_<type>`` counters, the user's Thompson-sampling arms;
- ``sk = STATS``: ``<type>#<outcome>`` counters and ``<type>#points``;
- ``sk = FRIEND#<otherId>``: the service's own copy of an accepted friendship (both directions);
- ``sk = SETTINGS``: the user's timezone, with ``morningKey = MORNING#<hh>`` (index ``mornings``: the UTC
  hour of the user's local 08:00, the users the daily job visits in an hour);
- ``sk = DAILY#<local date>``: written only if absent with that day's daily challenge (once per morning).

A duel lives in its own partition (``pk = DUEL#<id>``, ``sk = DUEL``) and, while it can run out, in the
``due`` index too. Each participant's partition holds a copy (``sk = DUEL#<duelId>``, written in the same
transaction as the duel, never in ``due``) with ``statusKey = DUELS#<userId>#<status>``: the caller's duels
are a Query of their partition, or of ``byStatus`` for one status (the prefix keeps them apart from
challenges). A deleted user's duels are purged whole: the duel and both sides' copies. Every change of a
challenge or duel is conditioned on its version and written with its events' outbox items in one
transaction.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from deepiri_challenges.models.challenges import CHALLENGE_TYPES, StoredChallenge, TypeStats
from deepiri_challenges.models.duels import Duel
from deepiri_common.attributes import TypeDeserializer, TypeSerializer
from deepiri_common.clock import parse_iso
from deepiri_common.events import DomainEvent
from deepiri_common.outbox import outbox_put
from deepiri_common.pagination import Page, decode_cursor, encode_cursor, query_all
from deepiri_common.problems import BadRequest
from deepiri_common.transactions import batch_delete, write_transaction

_serializer, _deserializer = TypeSerializer(), TypeDeserializer()
BY_STATUS, ENDED, DUE, MORNINGS = "byStatus", "ended", "due", "mornings"
ENDED_STATUSES = ("completed", "failed", "expired", "abandoned", "cancelled")
DECIDED = {"completed": True, "failed": False, "expired": False, "abandoned": False}
OUTCOME_COUNTERS = ("generated", "completed", "failed", "expired", "abandoned", "cancelled")


class VersionConflict(Exception):
    """The item moved since it was read (or a once-only marker exists already)."""


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _user_key(user_id: str, sk: str) -> dict[str, Any]:
    return {"pk": _s(f"USER#{user_id}"), "sk": _s(sk)}


def _duel_key(duel_id: str) -> dict[str, Any]:
    return {"pk": _s(f"DUEL#{duel_id}"), "sk": _s("DUEL")}


def due_hour(at: str) -> str:
    """The ``due`` index's partition of an instant: its UTC hour, ``YYYY-MM-DDTHH``."""
    return parse_iso(at).strftime("%Y-%m-%dT%H")


def _condition(version: int) -> dict[str, Any]:
    if version == 0:
        return {"ConditionExpression": "attribute_not_exists(pk)"}
    return {"ConditionExpression": "version = :seen", "ExpressionAttributeValues": {":seen": {"N": str(version)}}}


def _challenge_item(challenge: StoredChallenge, due_at: str | None) -> dict[str, Any]:
    item: dict[str, Any] = {
        **_user_key(challenge.userId, f"CH#{challenge.id}"),
        "doc": _s(challenge.model_dump_json()),
        "version": {"N": str(challenge.version)},
        "status": _s(challenge.status),
        "statusKey": _s(f"USER#{challenge.userId}#{challenge.status}"),
    }
    if challenge.taskId:
        item["taskId"] = _s(challenge.taskId)
    if challenge.status in ENDED_STATUSES and challenge.endedAt:
        item["endedKey"], item["endedAt"] = _s(f"USER#{challenge.userId}"), _s(challenge.endedAt)
    if due_at is not None:
        item["dueHour"], item["dueAt"] = _s(due_hour(due_at)), _s(due_at)
    return item


def _duel_item(duel: Duel, due_at: str | None) -> dict[str, Any]:
    item: dict[str, Any] = {**_duel_key(duel.id), "doc": _s(duel.model_dump_json()),
                            "version": {"N": str(duel.version)}}
    if due_at is not None:
        item["dueHour"], item["dueAt"] = _s(due_hour(due_at)), _s(due_at)
    return item


def _duel_copy(duel: Duel, user_id: str) -> dict[str, Any]:
    return {**_user_key(user_id, f"DUEL#{duel.id}"), "doc": _s(duel.model_dump_json()),
            "statusKey": _s(f"DUELS#{user_id}#{duel.status}"), "version": {"N": str(duel.version)}}


def _challenge(item: dict[str, Any]) -> StoredChallenge:
    return StoredChallenge.model_validate_json(item["doc"]["S"])


class ChallengeRepository:
    """Reads and writes challenges, duels, the bandit's arms, stats, friendships and users' mornings."""

    def __init__(self, table_name: str, client: Any) -> None:
        self._table, self._client = table_name, client

    # ------------------------------------------------------------------ challenges
    def challenge(self, user_id: str, challenge_id: str) -> StoredChallenge | None:
        item = self._client.get_item(TableName=self._table, Key=_user_key(user_id, f"CH#{challenge_id}"),
                                     ConsistentRead=True).get("Item")
        return None if item is None else _challenge(item)

    def challenge_writes(self, previous_version: int, challenge: StoredChallenge,
                         due_at: str | None) -> list[dict[str, Any]]:
        """The transaction item storing ``challenge`` if its stored version is still ``previous_version``."""
        return [{"Put": {"TableName": self._table, "Item": _challenge_item(challenge, due_at),
                         **_condition(previous_version)}}]

    def counter_writes(self, user_id: str, kind: str, outcome: str, points: int = 0) -> list[dict[str, Any]]:
        """One more ``outcome`` (generated, completed...) of ``kind`` in the user's stats, with ``points``."""
        return [{"Update": {"TableName": self._table, "Key": _user_key(user_id, "STATS"),
                            "UpdateExpression": "ADD #outcome :one, #points :points",
                            "ExpressionAttributeNames": {"#outcome": f"{kind}#{outcome}", "#points": f"{kind}#points"},
                            "ExpressionAttributeValues": {":one": {"N": "1"}, ":points": {"N": str(points)}}}}]

    def outcome_writes(self, challenge: StoredChallenge, outcome: str, points: int) -> list[dict[str, Any]]:
        """The per-type counters and the bandit's arm moved by an ended challenge (cancelled: counters only)."""
        writes = self.counter_writes(challenge.userId, challenge.type, outcome, points)
        if outcome in DECIDED:
            arm = f"{'w' if DECIDED[outcome] else 'l'}_{challenge.type}"
            writes.append({"Update": {"TableName": self._table, "Key": _user_key(challenge.userId, "BANDIT"),
                                      "UpdateExpression": "ADD #arm :one", "ExpressionAttributeNames": {"#arm": arm},
                                      "ExpressionAttributeValues": {":one": {"N": "1"}}}})
        return writes

    def save(self, items: Sequence[dict[str, Any]], events: Sequence[DomainEvent] = ()) -> None:
        """Write ``items`` and ``events``' outbox items in one transaction; :class:`VersionConflict` if a
        condition failed."""
        reasons = write_transaction(self._client, [*items, *(outbox_put(self._table, e) for e in events)])
        if reasons is not None:  # a failed condition, or a concurrent transaction: the caller answers 409
            raise VersionConflict(",".join(reasons))

    def challenges(self, user_id: str, status: str | None, limit: int, cursor: str | None
                   ) -> Page[StoredChallenge]:
        """The user's challenges, newest first, of one status or all."""
        args: dict[str, Any] = {"TableName": self._table, "Limit": limit, "ScanIndexForward": False}
        if status is None:
            args |= {"KeyConditionExpression": "pk = :pk AND begins_with(sk, :ch)",
                     "ExpressionAttributeValues": {":pk": _s(f"USER#{user_id}"), ":ch": _s("CH#")}}
        else:
            args |= {"IndexName": BY_STATUS, "KeyConditionExpression": "statusKey = :key",
                     "ExpressionAttributeValues": {":key": _s(f"USER#{user_id}#{status}")}}
        return self._page(args, user_id, cursor)

    def history(self, user_id: str, limit: int, cursor: str | None) -> Page[StoredChallenge]:
        """The user's ended challenges, latest end first."""
        args: dict[str, Any] = {"TableName": self._table, "IndexName": ENDED, "Limit": limit,
                                "ScanIndexForward": False, "KeyConditionExpression": "endedKey = :key",
                                "ExpressionAttributeValues": {":key": _s(f"USER#{user_id}")}}
        return self._page(args, user_id, cursor)

    def _page(self, args: dict[str, Any], user_id: str, cursor: str | None) -> Page[StoredChallenge]:
        items, next_cursor = self._query_page(args, user_id, cursor)
        return Page(items=[_challenge(item) for item in items], nextCursor=next_cursor)

    def _query_page(self, args: dict[str, Any], user_id: str, cursor: str | None
                    ) -> tuple[list[dict[str, Any]], str | None]:
        if cursor:
            start = decode_cursor(cursor)
            # The cursor is opaque, not secret: it may only move within the caller's own partition.
            if start.get("pk") != _s(f"USER#{user_id}"):
                raise BadRequest("invalid cursor")
            args["ExclusiveStartKey"] = start
        page = self._client.query(**args)
        last = page.get("LastEvaluatedKey")
        return page.get("Items", []), encode_cursor(last) if last else None

    def recent_outcomes(self, user_id: str, count: int) -> list[bool]:
        """Success (True) or not of the user's last ``count`` decided challenges, oldest first."""
        outcomes: list[bool] = []
        for item in self._client.query(TableName=self._table, IndexName=ENDED, ScanIndexForward=False,
                                       Limit=count * 2, KeyConditionExpression="endedKey = :key",
                                       ExpressionAttributeValues={":key": _s(f"USER#{user_id}")},
                                       ProjectionExpression="#status",
                                       ExpressionAttributeNames={"#status": "status"}).get("Items", []):
            status = item["status"]["S"]
            if status in DECIDED:
                outcomes.append(DECIDED[status])
        return list(reversed(outcomes[:count]))

    def open_challenges(self, user_id: str) -> list[StoredChallenge]:
        """The user's generated and active challenges (Queries on ``byStatus``)."""
        found: list[StoredChallenge] = []
        for status in ("generated", "active"):
            found += [_challenge(item) for item in query_all(
                self._client, TableName=self._table, IndexName=BY_STATUS, KeyConditionExpression="statusKey = :key",
                ExpressionAttributeValues={":key": _s(f"USER#{user_id}#{status}")})]
        return found

    # ------------------------------------------------------------------ bandit and stats
    def arms(self, user_id: str) -> dict[str, tuple[int, int]]:
        item = self._client.get_item(TableName=self._table, Key=_user_key(user_id, "BANDIT"),
                                     ConsistentRead=True).get("Item") or {}
        values = {name: int(_deserializer.deserialize(value)) for name, value in item.items()
                  if name.startswith(("w_", "l_"))}
        return {kind: (values.get(f"w_{kind}", 0), values.get(f"l_{kind}", 0)) for kind in CHALLENGE_TYPES
                if f"w_{kind}" in values or f"l_{kind}" in values}

    def stats(self, user_id: str) -> list[TypeStats]:
        item = self._client.get_item(TableName=self._table, Key=_user_key(user_id, "STATS"),
                                     ConsistentRead=True).get("Item") or {}
        counters: dict[str, dict[str, int]] = {}
        for name, value in item.items():
            if "#" in name:
                kind, what = name.split("#", 1)
                counters.setdefault(kind, {})[what] = int(_deserializer.deserialize(value))
        return [TypeStats.model_validate({"type": kind, **{name: counts.get(name, 0) for name in OUTCOME_COUNTERS},
                                          "pointsEarned": counts.get("points", 0)})
                for kind, counts in sorted(counters.items()) if kind in CHALLENGE_TYPES]

    # ------------------------------------------------------------------ due work
    def due(self, hour: str, until: str) -> Iterator[tuple[str, str]]:
        """The keys ``(pk, sk)`` of the challenges and duels of UTC ``hour`` due at or before ``until``."""
        for item in query_all(self._client, TableName=self._table, IndexName=DUE,
                              KeyConditionExpression="dueHour = :hour AND dueAt <= :until",
                              ExpressionAttributeValues={":hour": _s(hour), ":until": _s(until)}):
            yield item["pk"]["S"], item["sk"]["S"]

    def item_at(self, pk: str, sk: str) -> StoredChallenge | Duel | None:
        item = self._client.get_item(TableName=self._table, Key={"pk": _s(pk), "sk": _s(sk)},
                                     ConsistentRead=True).get("Item")
        if item is None:
            return None
        return Duel.model_validate_json(item["doc"]["S"]) if pk.startswith("DUEL#") else _challenge(item)

    # ------------------------------------------------------------------ duels
    def duel(self, duel_id: str) -> Duel | None:
        item = self._client.get_item(TableName=self._table, Key=_duel_key(duel_id), ConsistentRead=True).get("Item")
        return None if item is None else Duel.model_validate_json(item["doc"]["S"])

    def duel_writes(self, previous_version: int, duel: Duel, due_at: str | None) -> list[dict[str, Any]]:
        """The duel, if its stored version is still ``previous_version``, and each participant's copy."""
        return [{"Put": {"TableName": self._table, "Item": _duel_item(duel, due_at), **_condition(previous_version)}},
                *({"Put": {"TableName": self._table, "Item": _duel_copy(duel, user_id)}}
                  for user_id in duel.participantIds)]

    def duels(self, user_id: str, status: str | None, limit: int, cursor: str | None) -> Page[Duel]:
        """The duels the user takes part in, newest first, of one status or all (their copies)."""
        args: dict[str, Any] = {"TableName": self._table, "Limit": limit, "ScanIndexForward": False}
        if status is None:
            args |= {"KeyConditionExpression": "pk = :pk AND begins_with(sk, :duel)",
                     "ExpressionAttributeValues": {":pk": _s(f"USER#{user_id}"), ":duel": _s("DUEL#")}}
        else:
            args |= {"IndexName": BY_STATUS, "KeyConditionExpression": "statusKey = :key",
                     "ExpressionAttributeValues": {":key": _s(f"DUELS#{user_id}#{status}")}}
        items, next_cursor = self._query_page(args, user_id, cursor)
        return Page(items=[Duel.model_validate_json(item["doc"]["S"]) for item in items], nextCursor=next_cursor)

    # ------------------------------------------------------------------ friendships
    def are_friends(self, user_id: str, other_id: str) -> bool:
        item = self._client.get_item(TableName=self._table, Key=_user_key(user_id, f"FRIEND#{other_id}"),
                                     ConsistentRead=True).get("Item") or {}
        return item.get("friends") == {"BOOL": True}

    def set_friends(self, user_ids: Sequence[str], friends: bool, at: str) -> None:
        """Store the friendship's state both ways (an ended one stays as ``friends = false``, so an older
        acceptance delivered late cannot revive it), unless a later change of it is stored already."""
        first, second = user_ids
        for one, other in ((first, second), (second, first)):
            key = _user_key(one, f"FRIEND#{other}")
            try:
                self._client.put_item(
                    TableName=self._table,
                    Item={**key, "friends": {"BOOL": friends}, "at": _s(at)},
                    ConditionExpression="attribute_not_exists(pk) OR #at <= :at",
                    ExpressionAttributeNames={"#at": "at"}, ExpressionAttributeValues={":at": _s(at)})
            except self._client.exceptions.ConditionalCheckFailedException:
                continue

    # ------------------------------------------------------------------ mornings
    def set_timezone(self, user_id: str, timezone: str, morning_hour: int, at: str) -> None:
        try:
            self._client.put_item(
                TableName=self._table,
                Item={**_user_key(user_id, "SETTINGS"), "timezone": _s(timezone),
                      "morningKey": _s(f"MORNING#{morning_hour:02d}"), "at": _s(at)},
                ConditionExpression="attribute_not_exists(pk) OR #at <= :at",
                ExpressionAttributeNames={"#at": "at"}, ExpressionAttributeValues={":at": _s(at)})
        except self._client.exceptions.ConditionalCheckFailedException:
            return

    def timezone(self, user_id: str) -> str:
        item = self._client.get_item(TableName=self._table, Key=_user_key(user_id, "SETTINGS"),
                                     ConsistentRead=True).get("Item")
        return item["timezone"]["S"] if item else "UTC"

    def morning_users(self, hour: int) -> Iterator[tuple[str, str]]:
        """``(userId, timezone)`` of the users whose local morning begins in UTC hour ``hour``."""
        for item in query_all(self._client, TableName=self._table, IndexName=MORNINGS,
                              KeyConditionExpression="morningKey = :key",
                              ExpressionAttributeValues={":key": _s(f"MORNING#{hour:02d}")}):
            yield item["pk"]["S"].removeprefix("USER#"), item["timezone"]["S"]

    def daily_marker_write(self, user_id: str, local_day: str, challenge_id: str) -> dict[str, Any]:
        return {"Put": {"TableName": self._table, "ConditionExpression": "attribute_not_exists(pk)",
                        "Item": {**_user_key(user_id, f"DAILY#{local_day}"), "challengeId": _s(challenge_id)}}}

    # ------------------------------------------------------------------ deletion
    def purge_user(self, user_id: str) -> int:
        """Delete everything in the user's partition, and every duel they took part in (the duel and the
        other side's copy: nothing keeps their id); how many items."""
        others: list[dict[str, Any]] = []
        for item in query_all(self._client, TableName=self._table, KeyConditionExpression="pk = :pk AND "
                              "begins_with(sk, :duel)", ExpressionAttributeValues={":pk": _s(f"USER#{user_id}"),
                                                                                  ":duel": _s("DUEL#")}):
            duel = Duel.model_validate_json(item["doc"]["S"])
            others += [_duel_key(duel.id), *(_user_key(other, f"DUEL#{duel.id}") for other in duel.participantIds
                                             if other != user_id)]
        keys = [{"pk": item["pk"], "sk": item["sk"]} for item in query_all(
            self._client, TableName=self._table, KeyConditionExpression="pk = :pk",
            ExpressionAttributeValues={":pk": _s(f"USER#{user_id}")}, ProjectionExpression="pk, sk")]
        batch_delete(self._client, self._table, others + keys)
        return len(others) + len(keys)

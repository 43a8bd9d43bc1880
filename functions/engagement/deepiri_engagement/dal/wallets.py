"""The engagement table: one partition per user (``pk = USER#<id>``) holding

- ``sk = WALLET``: level, balances and debts by currency, and the ``version`` every write is conditioned on;
- ``sk = TASK#<taskId>``: the task's standing award (:class:`TaskAward`);
- ``sk = LEDGER#<at>#<sourceId>#<n>``: the append-only ledger, newest last in key order;
- ``sk = SOURCE#<sourceId>``: the marker of a grant or spend (an event id or a request's idempotency key),
  written only if absent, so each source changes the wallet once;
- ``sk = BADGE#<badgeId>#<tier>``: an earned badge tier, written only if absent (each tier once); the wallet
  item's ``badges`` map holds the same, which is what the rules read;
- ``sk = REWARD#<rewardId>``: a claimable reward (a badge's or a level milestone's), written only if absent;
  claiming sets ``claimedAt`` only if unset, in the claim's transaction.

The wallet item also holds the badges' ``counters`` and the user's bought ``boosts``.

An outcome is written in one transaction with its outbox items, conditioned on the wallet's version,
so two events for one user can never both apply to the same state (the loser reads again and retries).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from deepiri_common.attributes import TypeDeserializer, TypeSerializer
from deepiri_common.clock import parse_iso, to_iso, utc_now
from deepiri_common.outbox import outbox_put
from deepiri_common.pagination import Page, decode_cursor, encode_cursor
from deepiri_common.problems import BadRequest
from deepiri_common.transactions import CONDITION_FAILED, batch_delete, write_transaction
from deepiri_engagement.models.progress import LedgerEntry
from deepiri_engagement.models.wallet import CURRENCIES, Boost, Outcome, Reward, TaskAward, Wallet

_serializer, _deserializer = TypeSerializer(), TypeDeserializer()
SOURCE_PREFIX = "SOURCE#"  # a grant's or spend's marker: sk = SOURCE#<source id>, written once
BADGE_PREFIX, REWARD_PREFIX = "BADGE#", "REWARD#"
_ABSENT = {"ConditionExpression": "attribute_not_exists(pk)"}


class VersionConflict(Exception):
    """Another write changed the wallet since it was read."""


class AlreadyApplied(Exception):
    """The grant or spend of this source id was written before (its marker item exists)."""


def _key(user_id: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": f"USER#{user_id}"}, "sk": {"S": sk}}


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


def _typed(values: dict[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in values.items() if value is not None}


class WalletRepository:
    """Reads wallets, task awards and ledgers; writes an outcome in one transaction."""

    def __init__(self, table_name: str, client: Any) -> None:
        self._table, self._client = table_name, client

    def wallet(self, user_id: str) -> Wallet:
        item = self._client.get_item(TableName=self._table, Key=_key(user_id, "WALLET"),
                                     ConsistentRead=True).get("Item")
        if item is None:
            return Wallet(userId=user_id)
        values = _plain(item)
        return Wallet(userId=user_id, level=int(values["level"]), version=int(values["version"]),
                      balances={c: int(values.get(c, 0)) for c in CURRENCIES},
                      debts={c: int(values.get(f"debt_{c}", 0)) for c in CURRENCIES},
                      counters={name: int(n) for name, n in values.get("counters", {}).items()},
                      badges=dict(values.get("badges", {})),
                      boosts=tuple(Boost(b["kind"], parse_iso(b["startsAt"]), parse_iso(b["endsAt"]))
                                   for b in values.get("boosts", [])))

    def task_award(self, user_id: str, task_id: str) -> TaskAward | None:
        item = self._client.get_item(TableName=self._table, Key=_key(user_id, f"TASK#{task_id}"),
                                     ConsistentRead=True).get("Item")
        if item is None:
            return None
        values = _plain(item)
        return TaskAward(taskId=task_id, state=values["state"], at=values["at"], eventId=values["eventId"],
                         credits={name: int(amount) for name, amount in values.get("credits", {}).items()},
                         marks=tuple(values.get("marks", [])), bestXp=int(values.get("bestXp", 0)))

    def applied(self, user_id: str, source_id: str) -> bool:
        """Whether a grant or spend of ``source_id`` was written for the user."""
        return "Item" in self._client.get_item(TableName=self._table, Key=_key(user_id, f"{SOURCE_PREFIX}{source_id}"),
                                               ConsistentRead=True, ProjectionExpression="pk")

    def save(self, previous: Wallet, outcome: Outcome, at: str, also: Sequence[dict[str, Any]] = ()) -> None:
        """Write the outcome of an event of time ``at`` (with ``also``, other items of the same change, in the
        same transaction); :class:`VersionConflict` if the wallet or an item of ``also`` moved since it was
        read, :class:`AlreadyApplied` if the outcome's marker exists."""
        wallet, award, now = outcome.wallet, outcome.award, to_iso(utc_now())
        wallet_item = {**_key(wallet.userId, "WALLET"), **_typed({
            "level": wallet.level, "version": wallet.version, "updatedAt": now,
            **wallet.balances, **{f"debt_{c}": amount for c, amount in wallet.debts.items()},
            "counters": wallet.counters, "badges": wallet.badges,
            "boosts": [{"kind": b.kind, "startsAt": to_iso(b.startsAt), "endsAt": to_iso(b.endsAt)}
                       for b in wallet.boosts],
        })}
        condition = ({"ConditionExpression": "attribute_not_exists(pk)"} if previous.version == 0 else
                     {"ConditionExpression": "version = :seen",
                      "ExpressionAttributeValues": {":seen": {"N": str(previous.version)}}})
        items: list[dict[str, Any]] = [{"Put": {"TableName": self._table, "Item": wallet_item, **condition}}]
        if outcome.marker is not None:  # index 1: its failed condition means the source was applied already
            items.append({"Put": {"TableName": self._table, "ConditionExpression": "attribute_not_exists(pk)",
                                  "Item": {**_key(wallet.userId, f"{SOURCE_PREFIX}{outcome.marker}"),
                                           **_typed({"at": at})}}})
        if award is not None:
            items.append({"Put": {"TableName": self._table, "Item": {
                **_key(wallet.userId, f"TASK#{award.taskId}"), **_typed({
                    "state": award.state, "at": award.at, "eventId": award.eventId, "credits": award.credits,
                    "marks": list(award.marks), "bestXp": award.bestXp})}}})
        items += [{"Put": {"TableName": self._table, **_ABSENT, "Item": {
            **_key(wallet.userId, f"{BADGE_PREFIX}{key}"), **_typed({"earnedAt": wallet.badges[key]})}}}
            for key in outcome.badges]
        items += [{"Put": {"TableName": self._table, **_ABSENT, "Item": {
            **_key(wallet.userId, f"{REWARD_PREFIX}{reward.rewardId}"), **_typed({
                "kind": reward.kind, "amount": reward.amount, "source": reward.source,
                "grantedAt": reward.grantedAt})}}} for reward in outcome.rewards]
        for n, (entry, balance) in enumerate(outcome.entries):
            sk = f"LEDGER#{at}#{entry.sourceId}#{n:03d}"
            items.append({"Put": {"TableName": self._table, "Item": {**_key(wallet.userId, sk), **_typed({
                "entryId": f"{entry.sourceId}-{n:03d}", "currency": entry.currency, "amount": entry.amount,
                "balance": balance, "reason": entry.reason, "sourceId": entry.sourceId, "taskId": entry.taskId,
                "at": at})}}})
        items += [outbox_put(self._table, event) for event in outcome.events]
        items += also
        reasons = write_transaction(self._client, items)
        if reasons is None:
            return
        if outcome.marker is not None and reasons[1:2] == [CONDITION_FAILED]:
            raise AlreadyApplied(outcome.marker)
        raise VersionConflict(wallet.userId)

    def rewards(self, user_id: str) -> list[Reward]:
        """The user's claimable rewards, claimed or not, in id order (a user holds a few dozen at most)."""
        args: dict[str, Any] = {
            "TableName": self._table, "ConsistentRead": True,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :reward)",
            "ExpressionAttributeValues": {":pk": {"S": f"USER#{user_id}"}, ":reward": {"S": REWARD_PREFIX}},
        }
        found: list[Reward] = []
        while True:
            page = self._client.query(**args)
            for item in page.get("Items", []):
                values = _plain(item)
                found.append(Reward(rewardId=values["sk"].removeprefix(REWARD_PREFIX), kind=values["kind"],
                                    amount=int(values["amount"]), source=values["source"],
                                    grantedAt=values["grantedAt"], claimedAt=values.get("claimedAt")))
            if "LastEvaluatedKey" not in page:
                return found
            args["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def claim_write(self, user_id: str, reward_id: str, at: str) -> dict[str, Any]:
        """The transaction item that marks a reward claimed (it fails when the reward is gone or claimed)."""
        return {"Update": {
            "TableName": self._table, "Key": _key(user_id, f"{REWARD_PREFIX}{reward_id}"),
            "UpdateExpression": "SET claimedAt = :at",
            "ConditionExpression": "attribute_exists(pk) AND attribute_not_exists(claimedAt)",
            "ExpressionAttributeValues": {":at": {"S": at}}}}

    def ledger(self, user_id: str, currency: str | None, limit: int, cursor: str | None) -> Page[LedgerEntry]:
        """The user's ledger, newest first; ``currency`` filters (a page may then hold fewer than ``limit``)."""
        args: dict[str, Any] = {
            "TableName": self._table, "Limit": limit, "ScanIndexForward": False,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :ledger)",
            "ExpressionAttributeValues": {":pk": {"S": f"USER#{user_id}"}, ":ledger": {"S": "LEDGER#"}},
        }
        if currency is not None:
            args["FilterExpression"] = "currency = :currency"
            args["ExpressionAttributeValues"][":currency"] = {"S": currency}
        if cursor is not None:
            start = decode_cursor(cursor)
            if start.get("pk") != {"S": f"USER#{user_id}"} or not str(start.get("sk", {}).get("S", "")).startswith(
                    "LEDGER#"):
                raise BadRequest("invalid cursor")
            args["ExclusiveStartKey"] = start
        page = self._client.query(**args)
        items = [LedgerEntry.model_validate(_plain(item)) for item in page.get("Items", [])]
        last = page.get("LastEvaluatedKey")
        return Page[LedgerEntry](items=items, next_cursor=encode_cursor(last) if last else None)

    def delete_user(self, user_id: str) -> int:
        """Delete every item of the user's partition; how many there were."""
        keys = list(self._keys(user_id))
        batch_delete(self._client, self._table, keys)  # BatchWriteIncomplete: retried by SQS
        return len(keys)

    def _keys(self, user_id: str) -> Iterator[dict[str, Any]]:
        args: dict[str, Any] = {
            "TableName": self._table, "KeyConditionExpression": "pk = :pk", "ProjectionExpression": "pk, sk",
            "ExpressionAttributeValues": {":pk": {"S": f"USER#{user_id}"}}, "ConsistentRead": True,
        }
        while True:
            page = self._client.query(**args)
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            args["ExclusiveStartKey"] = page["LastEvaluatedKey"]

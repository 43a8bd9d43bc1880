"""The boards table (``deepiri-<stage>-boards``): leaderboard standings, score counters, friendships.

- ``pk = USER#<id>, sk = BOARD#<board>#<period>``: the user's entry on a board (score, achievedAt, rev,
  rating stats). It carries the ``byScore`` index keys: ``boardShard = <board>#<period>#<n>`` (n = the
  user's write shard, 0..SHARDS-1) and ``boardOrder`` (:func:`order_key`, ascending = board order). Top-N
  reads the first N of each shard and merges them; neighbours read the few items either side.
- ``pk = COUNT#<board>#<period>#<n>, sk = TOP | MID#<top> | LOW#<mid>``: how many entries of shard n hold
  each score bucket (attributes ``c<bucket>``), updated in the transaction that moves an entry.
- ``pk = USER#<id>, sk = FRIEND#<other>``: a friendship edge (``state`` active or ended, ``at``), both ways.
- ``pk = EVENT#<id>`` / ``DUEL#<id>``, ``sk = APPLIED``: an event or duel already applied (the
  transaction that applies it fails when its marker exists).

Every entry write is conditioned on the ``rev`` it was read with. Events (RatingChanged) go to the
engagement table's outbox in the same transaction (a transaction may span tables).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any

from deepiri_common.attributes import TypeDeserializer, TypeSerializer
from deepiri_common.clock import epoch_seconds, utc_now
from deepiri_common.events import DomainEvent
from deepiri_common.outbox import outbox_put
from deepiri_common.pagination import query_all
from deepiri_common.transactions import CONDITION_FAILED, batch_write, write_transaction
from deepiri_engagement.dal.board_layout import (
    SHARDS,
    counter_deltas,
    counter_items,
    order_key,
    score_prefix,
    shard_of,
    week_expiry,
)
from deepiri_engagement.models.boards import Change, Entry

INDEX = "byScore"
BATCH_GET_LIMIT = 100
READ_ATTEMPTS = 8  # unprocessed keys or items (throttling) are sent again this many times at most
MARKER_RETENTION = timedelta(days=8)  # longer than any redelivery of an event

_serializer, _deserializer = TypeSerializer(), TypeDeserializer()


class AlreadyApplied(Exception):
    """The event or duel was applied before (its marker exists)."""


class StandingConflict(Exception):
    """Another write moved an entry since it was read."""


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


def _entry_key(user_id: str, board: str, period: str) -> dict[str, Any]:
    return {"pk": {"S": f"USER#{user_id}"}, "sk": {"S": f"BOARD#{board}#{period}"}}


def _counter_pk(board: str, period: str, shard: int) -> str:
    return f"COUNT#{board}#{period}#{shard}"


def _entry(values: dict[str, Any]) -> Entry:
    return Entry(userId=values["userId"], board=values["board"], period=values["period"],
                 score=int(values["score"]), achievedAt=values["achievedAt"], rev=int(values["rev"]),
                 stats={name: int(n) for name, n in values.get("stats", {}).items()})


def _entry_item(entry: Entry, rev: int) -> dict[str, Any]:
    values: dict[str, Any] = {
        "userId": entry.userId, "board": entry.board, "period": entry.period, "score": entry.score,
        "achievedAt": entry.achievedAt, "rev": rev,
        "boardShard": f"{entry.board}#{entry.period}#{shard_of(entry.userId)}",
        "boardOrder": order_key(entry.score, entry.achievedAt, entry.userId),
        "expiresAt": week_expiry(entry.period),
    }
    if entry.stats:
        values["stats"] = entry.stats
    return {**_entry_key(entry.userId, entry.board, entry.period),
            **{name: _serializer.serialize(v) for name, v in values.items() if v is not None}}


class BoardRepository:
    """Reads and moves standings; the only code that touches the boards table."""

    def __init__(self, table_name: str, outbox_table: str, client: Any) -> None:
        self._table, self._outbox, self._client = table_name, outbox_table, client

    # ---- entries ---------------------------------------------------------------------------------

    def entries(self, keys: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str, str], Entry | None]:
        """The entries of (user, board, period) keys, read consistently; None where there is none."""
        wanted = list(dict.fromkeys(keys))
        found: dict[tuple[str, str, str], Entry | None] = dict.fromkeys(wanted)
        for item in self._batch_get([_entry_key(*key) for key in wanted], consistent=True):
            entry = _entry(_plain(item))
            found[(entry.userId, entry.board, entry.period)] = entry
        return found

    def user_entries(self, user_id: str) -> list[Entry]:
        """Every board entry of a user."""
        items = query_all(self._client, TableName=self._table, ConsistentRead=True,
                          KeyConditionExpression="pk = :pk AND begins_with(sk, :board)",
                          ExpressionAttributeValues={":pk": {"S": f"USER#{user_id}"}, ":board": {"S": "BOARD#"}})
        return [_entry(_plain(item)) for item in items]

    def commit(self, changes: Sequence[Change], *, marker: str | None = None,
               events: Sequence[DomainEvent] = ()) -> None:
        """Move entries and their counters in one transaction, with an optional marker (``EVENT#<id>``,
        ``DUEL#<id>``) that makes it apply once, and events for the outbox.

        Raises :class:`AlreadyApplied` when the marker exists, :class:`StandingConflict` when an entry
        moved since it was read (or a concurrent transaction touched the same counters)."""
        items: list[dict[str, Any]] = []
        if marker is not None:
            expires = epoch_seconds(utc_now() + MARKER_RETENTION)
            items.append({"Put": {"TableName": self._table, "ConditionExpression": "attribute_not_exists(pk)",
                                  "Item": {"pk": {"S": marker}, "sk": {"S": "APPLIED"},
                                           "expiresAt": {"N": str(expires)}}}})
        items += [self._entry_write(change) for change in changes]
        items += self._counter_updates(changes)
        items += [outbox_put(self._outbox, event) for event in events]
        if not items:
            return
        reasons = write_transaction(self._client, items)
        if reasons is None:
            return
        if marker is not None and reasons and reasons[0] == CONDITION_FAILED:
            raise AlreadyApplied(marker)
        raise StandingConflict(", ".join(reasons))

    def _entry_write(self, change: Change) -> dict[str, Any]:
        before, after = change.before, change.after
        entry = after or before
        assert entry is not None  # a change moves at least one side
        key = _entry_key(entry.userId, entry.board, entry.period)
        condition: dict[str, Any] = (
            {"ConditionExpression": "attribute_not_exists(pk)"} if before is None else
            {"ConditionExpression": "rev = :seen", "ExpressionAttributeValues": {":seen": {"N": str(before.rev)}}})
        if after is None:
            return {"Delete": {"TableName": self._table, "Key": key, **condition}}
        item = _entry_item(after, (before.rev if before else 0) + 1)
        return {"Put": {"TableName": self._table, "Item": item, **condition}}

    def _counter_updates(self, changes: Sequence[Change]) -> list[dict[str, Any]]:
        """One ADD update per counter item the changes touch (two users in one shard share an item)."""
        per_item: dict[tuple[str, str], dict[str, int]] = {}
        expiry: dict[tuple[str, str], int | None] = {}
        for change in changes:
            entry = change.after or change.before
            assert entry is not None
            pk = _counter_pk(entry.board, entry.period, shard_of(entry.userId))
            before = change.before.score if change.before else None
            after = change.after.score if change.after else None
            for (sk, attribute), delta in counter_deltas(before, after).items():
                cells = per_item.setdefault((pk, sk), {})
                cells[attribute] = cells.get(attribute, 0) + delta
                expiry[(pk, sk)] = week_expiry(entry.period)
        updates = []
        for (pk, sk), deltas in per_item.items():
            cells = {name: delta for name, delta in deltas.items() if delta}
            if not cells:
                continue
            names = {f"#a{n}": name for n, name in enumerate(cells)}
            values = {f":d{n}": {"N": str(delta)} for n, delta in enumerate(cells.values())}
            expression = "ADD " + ", ".join(f"#a{n} :d{n}" for n in range(len(cells)))
            if expiry[(pk, sk)] is not None:
                expression = f"SET expiresAt = :expires {expression}"
                values[":expires"] = {"N": str(expiry[(pk, sk)])}
            updates.append({"Update": {"TableName": self._table, "Key": {"pk": {"S": pk}, "sk": {"S": sk}},
                                       "UpdateExpression": expression, "ExpressionAttributeNames": names,
                                       "ExpressionAttributeValues": values}})
        return updates

    def load(self, entries: Sequence[Entry]) -> None:
        """Write the entries of boards that are empty, with their counters, in bulk (batch writes, no
        transactions): for seeding and benchmarks, never while events move the same boards."""
        counters: dict[tuple[str, str], dict[str, int]] = {}
        for entry in entries:
            pk = _counter_pk(entry.board, entry.period, shard_of(entry.userId))
            for (sk, attribute), delta in counter_deltas(None, entry.score).items():
                cells = counters.setdefault((pk, sk), {})
                cells[attribute] = cells.get(attribute, 0) + delta
        items = [_entry_item(entry, 1) for entry in entries]
        items += [{"pk": {"S": pk}, "sk": {"S": sk}, **{name: {"N": str(n)} for name, n in cells.items()}}
                  for (pk, sk), cells in counters.items()]
        batch_write(self._client, self._table, [{"PutRequest": {"Item": item}} for item in items])

    # ---- reading a board -------------------------------------------------------------------------

    def first(self, board: str, period: str, limit: int, after: str | None) -> tuple[list[Entry], bool]:
        """The first ``limit`` entries in board order after the order key ``after``, and whether more follow:
        the first ``limit`` of each shard, merged."""
        found: list[tuple[str, Entry]] = []
        more = False
        for shard in range(SHARDS):
            items, last = self._shard_page(board, period, shard, after=after, limit=limit, forward=True)
            found += items
            more = more or last
        found.sort(key=lambda pair: pair[0])
        return [entry for _, entry in found[:limit]], more or len(found) > limit

    def around(self, board: str, period: str, order: str, count: int) -> tuple[list[Entry], list[Entry]]:
        """The ``count`` entries just before ``order`` (nearest last) and just after it (nearest first)."""
        above: list[tuple[str, Entry]] = []
        below: list[tuple[str, Entry]] = []
        for shard in range(SHARDS):
            above += self._shard_page(board, period, shard, before=order, limit=count, forward=False)[0]
            below += self._shard_page(board, period, shard, after=order, limit=count, forward=True)[0]
        above.sort(key=lambda pair: pair[0])
        below.sort(key=lambda pair: pair[0])
        return [entry for _, entry in above[-count:]] if count else [], [entry for _, entry in below[:count]]

    def ties_before(self, board: str, period: str, score: int, order: str) -> int:
        """How many entries hold ``score`` and come before ``order`` (reached it earlier)."""
        total = 0
        for shard in range(SHARDS):
            items = query_all(
                self._client, TableName=self._table, IndexName=INDEX,
                KeyConditionExpression="boardShard = :shard AND boardOrder BETWEEN :low AND :high",
                ExpressionAttributeValues={":shard": {"S": f"{board}#{period}#{shard}"},
                                           ":low": {"S": score_prefix(score)}, ":high": {"S": order}})
            total += sum(1 for item in items if item["boardOrder"]["S"] < order)
        return total

    def counters(self, board: str, period: str, score: int) -> dict[str, list[dict[str, int]]]:
        """The counter items a rank of ``score`` needs, by item name, one mapping per shard."""
        names = counter_items(score)
        keys = [{"pk": {"S": _counter_pk(board, period, shard)}, "sk": {"S": name}}
                for shard in range(SHARDS) for name in names]
        found: dict[str, list[dict[str, int]]] = {name: [] for name in names}
        for item in self._batch_get(keys, consistent=False):
            values = _plain(item)
            found[values["sk"]].append({name: int(n) for name, n in values.items() if name.startswith("c")})
        return found

    def _shard_page(self, board: str, period: str, shard: int, *, limit: int, forward: bool,
                    after: str | None = None, before: str | None = None) -> tuple[list[tuple[str, Entry]], bool]:
        values: dict[str, Any] = {":shard": {"S": f"{board}#{period}#{shard}"}}
        condition = "boardShard = :shard"
        if after is not None:
            condition += " AND boardOrder > :after"
            values[":after"] = {"S": after}
        if before is not None:
            condition += " AND boardOrder < :before"
            values[":before"] = {"S": before}
        if limit == 0:
            return [], False
        page = self._client.query(TableName=self._table, IndexName=INDEX, KeyConditionExpression=condition,
                                  ExpressionAttributeValues=values, ScanIndexForward=forward, Limit=limit)
        entries = []
        for item in page.get("Items", []):
            values_ = _plain(item)
            entries.append((values_["boardOrder"], Entry(
                userId=values_["userId"], board=board, period=period, score=int(values_["score"]),
                achievedAt=values_["achievedAt"])))
        return entries, "LastEvaluatedKey" in page

    # ---- friendships -----------------------------------------------------------------------------

    def friends(self, user_id: str) -> list[str]:
        """The user's current friends."""
        items = query_all(self._client, TableName=self._table, ConsistentRead=True,
                          KeyConditionExpression="pk = :pk AND begins_with(sk, :friend)",
                          ExpressionAttributeValues={":pk": {"S": f"USER#{user_id}"}, ":friend": {"S": "FRIEND#"}})
        return [item["sk"]["S"].removeprefix("FRIEND#") for item in items if item["state"]["S"] == "active"]

    def set_friendship(self, a: str, b: str, state: str, at: str, event_id: str) -> None:
        """Record both edges of a friendship as ``state`` unless a later event already set them."""
        for owner, other in ((a, b), (b, a)):
            try:
                self._client.put_item(
                    TableName=self._table,
                    Item={"pk": {"S": f"USER#{owner}"}, "sk": {"S": f"FRIEND#{other}"}, "state": {"S": state},
                          "at": {"S": at}, "eventId": {"S": event_id}},
                    ConditionExpression="attribute_not_exists(pk) OR #at < :at OR (#at = :at AND eventId < :id)",
                    ExpressionAttributeNames={"#at": "at"},
                    ExpressionAttributeValues={":at": {"S": at}, ":id": {"S": event_id}})
            except self._client.exceptions.ConditionalCheckFailedException:
                continue  # a later event of this friendship stands

    def forget_friendships(self, user_id: str) -> int:
        """Delete the user's friendship edges, and the other side of each; how many edges that was."""
        items = query_all(self._client, TableName=self._table, ConsistentRead=True, ProjectionExpression="sk",
                          KeyConditionExpression="pk = :pk AND begins_with(sk, :friend)",
                          ExpressionAttributeValues={":pk": {"S": f"USER#{user_id}"}, ":friend": {"S": "FRIEND#"}})
        for item in items:
            other = item["sk"]["S"].removeprefix("FRIEND#")
            for owner, peer in ((user_id, other), (other, user_id)):
                self._client.delete_item(TableName=self._table,
                                         Key={"pk": {"S": f"USER#{owner}"}, "sk": {"S": f"FRIEND#{peer}"}})
        return len(items)

    def _batch_get(self, keys: list[dict[str, Any]], *, consistent: bool) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for start in range(0, len(keys), BATCH_GET_LIMIT):
            request: dict[str, Any] = {self._table: {"Keys": keys[start:start + BATCH_GET_LIMIT],
                                                     "ConsistentRead": consistent}}
            for _ in range(READ_ATTEMPTS):
                response = self._client.batch_get_item(RequestItems=request)
                found += response.get("Responses", {}).get(self._table, [])
                request = response.get("UnprocessedKeys") or {}
                if not request:
                    break
            else:
                raise RuntimeError("boards read throttled")  # transient: retried by the caller's queue
        return found

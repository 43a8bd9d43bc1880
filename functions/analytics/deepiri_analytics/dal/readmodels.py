"""The read-model table (layout: ``models/rows.py``): applies an event's changes once, reads rows back.

An event's changes and its applied marker ``EVENT#<id>`` are one ``TransactWriteItems``: a delivery of an
event already applied fails the marker's condition and changes nothing, so counters never count twice.
A newest-wins value is written only when the row holds no later event's (its ``order``). An open task's
fields are newest-wins one by one (``o_<name>`` holds each one's order), always on its ``TASK#`` row and,
while it is open, on its ``OPEN#`` row, the one the insights read. Its ``CLOSED#`` row holds its lifecycle:
the order of its latest closing or reopening (``last``) and which it was (``open``); a row written before
reopenings were recorded has neither and means closed. A closing that is the latest records itself and
deletes the open row in one transaction, so a change delivered after (or before, and applied first) never
leaves an open row behind; a reopening that is the latest records itself, then copies the ``TASK#`` row's
fields to the open row, so the events of a task give the same rows in whatever order they arrive.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

from botocore.exceptions import ClientError

from deepiri_analytics.models.rows import (
    TRACKED,
    Add,
    Close,
    DayRow,
    DaySettings,
    Effect,
    Forget,
    Latest,
    LoggedEvent,
    OpenTask,
    Reopen,
    Track,
)
from deepiri_common.attributes import TypeDeserializer, TypeSerializer
from deepiri_common.events import DomainEvent
from deepiri_common.outbox import outbox_put
from deepiri_common.pagination import query_all

_serializer, _deserializer = TypeSerializer(), TypeDeserializer()
MARKER_SK = "EVENT"
_KEYS = ("pk", "sk")
OPEN_TASKS_READ = 200  # open tasks an insight reads at most (one Query page): never a growing history


def _plain(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


def _code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _newer(name: str, value: Any, order: str) -> dict[str, Any]:
    """The update that sets field ``name`` to ``value`` of the event of ``order`` unless the row holds a later
    event's (``o_<name>``)."""
    return {"UpdateExpression": "SET #v = :v, #o = :o", "ConditionExpression": "attribute_not_exists(#o) OR #o < :o",
            "ExpressionAttributeNames": {"#v": name, "#o": f"o_{name}"},
            "ExpressionAttributeValues": {":v": _serializer.serialize(value), ":o": {"S": order}}}


def _key(owner: str, row: str) -> dict[str, Any]:
    return {"pk": {"S": owner}, "sk": {"S": row}}


class ReadModels:
    def __init__(self, table: str, client: Any) -> None:
        self._table, self._client = table, client

    # ------------------------------------------------------------------ writes

    def apply(self, event_id: str, effects: list[Effect]) -> bool:
        """Apply ``effects`` of event ``event_id`` once; False when it was applied before."""
        writes: list[dict[str, Any]] = [{"Put": {
            "TableName": self._table, "Item": _key(f"EVENT#{event_id}", MARKER_SK),
            "ConditionExpression": "attribute_not_exists(pk)"}}]
        forgets = [effect for effect in effects if isinstance(effect, Forget)]
        for effect in effects:
            if isinstance(effect, Add) and effect.counts:
                writes.append({"Update": self._add(effect)})
        latest = [effect for effect in effects if isinstance(effect, Latest)]
        tasks = [effect for effect in effects if isinstance(effect, Track | Close | Reopen)]
        try:
            self._client.transact_write_items(TransactItems=writes)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
                raise
            reasons = [r.get("Code") for r in error.response.get("CancellationReasons") or []]
            if reasons and reasons[0] == "ConditionalCheckFailed":
                return False
            raise
        for effect in latest:  # newest-wins values are idempotent by themselves
            self._set_latest(effect)
        for task in tasks:  # so are an open task's fields, its closing and its reopening
            if isinstance(task, Track):
                self._track(task)
            elif isinstance(task, Close):
                self._close(task)
            else:
                self._reopen(task)
        for forget in forgets:
            self.forget(forget.user_id)
        return True

    def _add(self, effect: Add) -> dict[str, Any]:
        names = {f"#c{n}": name for n, name in enumerate(effect.counts)}
        values = {f":c{n}": {"N": str(amount)} for n, amount in enumerate(effect.counts.values())}
        return {"TableName": self._table, "Key": _key(effect.owner, effect.row),
                "UpdateExpression": "ADD " + ", ".join(f"#c{n} :c{n}" for n in range(len(names))),
                "ExpressionAttributeNames": names, "ExpressionAttributeValues": values}

    def _set_latest(self, effect: Latest) -> None:
        item = {**_key(effect.owner, effect.row), "order": {"S": effect.order},
                **{name: _serializer.serialize(value) for name, value in effect.values.items()}}
        try:
            self._client.put_item(TableName=self._table, Item=item,
                                  ConditionExpression="attribute_not_exists(pk) OR #order < :order",
                                  ExpressionAttributeNames={"#order": "order"},
                                  ExpressionAttributeValues={":order": {"S": effect.order}})
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise

    def log(self, user_id: str, key: str, event: LoggedEvent) -> None:
        """Keep ``event`` in the user's log under ``key`` (a redelivery puts the same item again)."""
        self._client.put_item(TableName=self._table, Item={
            **_key(f"USER#{user_id}", key), "eventId": {"S": event.event_id}, "detailType": {"S": event.detail_type},
            "occurredAt": {"S": event.occurred_at}, "body": {"S": event.body}})

    def logged(self, user_id: str, first: str, last: str, limit: int,
               start: dict[str, Any] | None) -> tuple[list[LoggedEvent], dict[str, Any] | None]:
        """One page of the user's logged events with keys from ``first`` to ``last``, and where the next starts."""
        args: dict[str, Any] = {"TableName": self._table, "Limit": limit,
                                "KeyConditionExpression": "pk = :pk AND sk BETWEEN :first AND :last",
                                "ExpressionAttributeValues": {":pk": {"S": f"USER#{user_id}"}, ":first": {"S": first},
                                                              ":last": {"S": last}}}
        if start:
            args["ExclusiveStartKey"] = start
        page = self._client.query(**args)
        events = [LoggedEvent(str(p["eventId"]), str(p["detailType"]), str(p["occurredAt"]), str(p["body"]))
                  for p in map(_plain, page.get("Items", []))]
        return events, page.get("LastEvaluatedKey")

    def _track(self, effect: Track) -> None:
        for name, value in effect.values.items():
            self._track_field(effect.user_id, effect.task_id, name, value, effect.order)

    def _track_field(self, user_id: str, task_id: str, name: str, value: Any, order: str) -> None:
        """Set one field, newest wins, on the task's ``TASK#`` row, and on its open row unless it is closed."""
        owner = f"USER#{user_id}"
        try:
            self._client.update_item(TableName=self._table, Key=_key(owner, f"TASK#{task_id}"),
                                     **_newer(name, value, order))
        except ClientError as error:  # a later value is there
            if _code(error) != "ConditionalCheckFailedException":
                raise
        self._open_field(owner, task_id, name, value, order)

    def _open_field(self, owner: str, task_id: str, name: str, value: Any, order: str) -> None:
        """Set one field, newest wins, on the task's open row unless it is closed."""
        is_open = {"TableName": self._table, "Key": _key(owner, f"CLOSED#{task_id}"),
                   "ConditionExpression": "attribute_not_exists(pk) OR #open = :true",
                   "ExpressionAttributeNames": {"#open": "open"},
                   "ExpressionAttributeValues": {":true": {"BOOL": True}}}
        opened = {"TableName": self._table, "Key": _key(owner, f"OPEN#{task_id}"), **_newer(name, value, order)}
        try:
            self._client.transact_write_items(TransactItems=[{"ConditionCheck": is_open}, {"Update": opened}])
        except ClientError as error:  # closed, or a later value is there: nothing to change
            if _code(error) != "TransactionCanceledException":
                raise

    def _close(self, effect: Close) -> None:
        """Record the closing and delete the open row in one transaction, unless a later closing or reopening
        is recorded."""
        owner = f"USER#{effect.user_id}"
        latest = self._lifecycle(owner, effect.task_id, effect.order, is_open=False)
        gone = {"TableName": self._table, "Key": _key(owner, f"OPEN#{effect.task_id}")}
        try:
            self._client.transact_write_items(TransactItems=[{"Update": latest}, {"Delete": gone}])
        except ClientError as error:  # a later closing or reopening is recorded: nothing to change
            if _code(error) != "TransactionCanceledException":
                raise

    def _reopen(self, effect: Reopen) -> None:
        """Keep the reopened task's values; then, unless a later closing or reopening is recorded, record the
        reopening and give the open row every field of the ``TASK#`` row (those changed while it was closed,
        and after it reopened, included)."""
        owner = f"USER#{effect.user_id}"
        self._track(Track(effect.user_id, effect.task_id, effect.values, effect.order))
        try:
            self._client.update_item(**self._lifecycle(owner, effect.task_id, effect.order, is_open=True))
        except ClientError as error:
            if _code(error) != "ConditionalCheckFailedException":
                raise
            return
        task = self._get(owner, f"TASK#{effect.task_id}") or {}
        for name in TRACKED:
            if f"o_{name}" in task:
                self._open_field(owner, effect.task_id, name, task.get(name), str(task[f"o_{name}"]))

    def _lifecycle(self, owner: str, task_id: str, order: str, *, is_open: bool) -> dict[str, Any]:
        """The update that records a closing (or reopening) by the event of ``order`` on the ``CLOSED#`` row,
        when no later one is recorded."""
        return {"TableName": self._table, "Key": _key(owner, f"CLOSED#{task_id}"),
                "UpdateExpression": "SET #last = :order, #open = :open",
                "ConditionExpression": "attribute_not_exists(#last) OR #last < :order",
                "ExpressionAttributeNames": {"#last": "last", "#open": "open"},
                "ExpressionAttributeValues": {":order": {"S": order}, ":open": {"BOOL": is_open}}}

    def forget(self, user_id: str) -> int:
        """Delete every row of the user (their partition); the number deleted."""
        items = query_all(self._client, TableName=self._table, KeyConditionExpression="pk = :pk",
                          ExpressionAttributeValues={":pk": {"S": f"USER#{user_id}"}},
                          ProjectionExpression="pk, sk")
        for item in items:
            self._client.delete_item(TableName=self._table, Key={k: item[k] for k in _KEYS})
        return len(items)

    def save_insights(self, user_id: str, as_of: str, insights: str, event: DomainEvent) -> bool:
        """Keep the user's insights of ``as_of`` and put ``event`` in the outbox, in one transaction; False
        when that day's insights were kept already (a rerun of the job publishes nothing twice)."""
        try:
            self._client.transact_write_items(TransactItems=[
                {"Put": {"TableName": self._table,
                         "Item": {**_key(f"USER#{user_id}", "INSIGHTS"), "asOf": {"S": as_of},
                                  "insights": {"S": insights}},
                         "ConditionExpression": "attribute_not_exists(pk) OR asOf <> :asOf",
                         "ExpressionAttributeValues": {":asOf": {"S": as_of}}}},
                outbox_put(self._table, event),
            ])
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "TransactionCanceledException":
                return False
            raise
        return True

    def active_in(self, period: str) -> list[str]:
        """The users active in a period (``WEEK#2026-W10``...): for the weekly job, never a route."""
        items = query_all(self._client, TableName=self._table, KeyConditionExpression="pk = :pk",
                          ExpressionAttributeValues={":pk": {"S": f"ACTIVE#{period}"}}, ProjectionExpression="sk")
        return [item["sk"]["S"] for item in items]

    # ------------------------------------------------------------------ reads

    def day_settings(self, user_id: str) -> DaySettings:
        item = self._get(f"USER#{user_id}", "PROFILE")
        if item is None:
            return DaySettings()
        return DaySettings(timezone=str(item["timezone"]), dayStartHour=int(item["dayStartHour"]))

    def streak(self, user_id: str) -> dict[str, int]:
        item = self._get(f"USER#{user_id}", "STREAK") or {}
        return {"days": int(item.get("days", 0)), "longest": int(item.get("longest", 0))}

    def counters(self, owner: str, row: str) -> dict[str, int]:
        item = self._get(owner, row) or {}
        return {name: int(value) for name, value in item.items() if name not in _KEYS}

    def days(self, owner: str, first: date, last: date) -> list[DayRow]:
        """The day rows of ``owner`` from ``first`` to ``last``: one Query (at most a year of rows)."""
        items = query_all(self._client, TableName=self._table,
                          KeyConditionExpression="pk = :pk AND sk BETWEEN :first AND :last",
                          ExpressionAttributeValues={":pk": {"S": owner}, ":first": {"S": f"DAY#{first}"},
                                                     ":last": {"S": f"DAY#{last}"}})
        return [DayRow(day=str(plain["sk"]).removeprefix("DAY#"),
                       counts={k: int(v) for k, v in plain.items() if k not in _KEYS})
                for plain in map(_plain, items)]

    def open_tasks(self, user_id: str) -> list[OpenTask]:
        """The user's open tasks (at most ``OPEN_TASKS_READ``, oldest first): one Query page."""
        page = self._client.query(TableName=self._table, Limit=OPEN_TASKS_READ,
                                  KeyConditionExpression="pk = :pk AND begins_with(sk, :open)",
                                  ExpressionAttributeValues={":pk": {"S": f"USER#{user_id}"}, ":open": {"S": "OPEN#"}})
        found = []
        for plain in map(_plain, page.get("Items", [])):
            fields = {name: plain.get(name) for name in TRACKED}
            estimate = fields["estimateMinutes"]
            found.append(OpenTask(task_id=str(plain["sk"]).removeprefix("OPEN#"), status=fields["status"],
                                  category=fields["category"], dueAt=fields["dueAt"],
                                  estimateMinutes=int(estimate) if estimate is not None else None))
        return found

    def is_member(self, project_id: str, user_id: str) -> bool:
        item = self._get(f"PROJECT#{project_id}", f"MEMBER#{user_id}")
        return bool(item and item.get("member"))

    def count(self, owner: str) -> int:
        """How many rows ``owner`` has (a counted Query)."""
        total, start = 0, None
        while True:
            args: dict[str, Any] = {"TableName": self._table, "KeyConditionExpression": "pk = :pk",
                                    "ExpressionAttributeValues": {":pk": {"S": owner}}, "Select": "COUNT"}
            if start:
                args["ExclusiveStartKey"] = start
            page = self._client.query(**args)
            total += int(page.get("Count", 0))
            start = page.get("LastEvaluatedKey")
            if not start:
                return total

    def _get(self, owner: str, row: str) -> dict[str, Any] | None:
        item = self._client.get_item(TableName=self._table, Key=_key(owner, row), ConsistentRead=True).get("Item")
        return _plain(item) if item else None

    # ------------------------------------------------------------------ rebuild

    def rows(self) -> Iterator[dict[str, Any]]:
        """Every read-model row (no applied markers), plain: for the rebuild and its check, never a route."""
        start = None
        while True:
            args: dict[str, Any] = {"TableName": self._table, "ConsistentRead": True}
            if start:
                args["ExclusiveStartKey"] = start
            page = self._client.scan(**args)
            for item in page.get("Items", []):
                if item["sk"]["S"] != MARKER_SK and not item["pk"]["S"].startswith("OUTBOX#"):
                    yield _plain(item)
            start = page.get("LastEvaluatedKey")
            if not start:
                return

    def clear(self) -> int:
        """Delete every item, markers included (the rebuild starts from nothing)."""
        deleted, start = 0, None
        while True:
            args: dict[str, Any] = {"TableName": self._table, "ProjectionExpression": "pk, sk"}
            if start:
                args["ExclusiveStartKey"] = start
            page = self._client.scan(**args)
            for item in page.get("Items", []):
                self._client.delete_item(TableName=self._table, Key={k: item[k] for k in _KEYS})
                deleted += 1
            start = page.get("LastEvaluatedKey")
            if not start:
                return deleted

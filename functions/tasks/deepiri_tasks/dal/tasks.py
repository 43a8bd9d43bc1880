"""The task repository: tasks, their assignment copies, history and search tokens in the tasks table.

Every change is one ``TransactWriteItems``: the task conditioned on the version it was read at, its
assignment copies and search tokens (only what changed), its due-index pointer (``dal.reminders``)
when the change sets, moves or revives a due date, its version item and its outbox events. A stale
version leaves here as ``PreconditionFailed`` (412); any other failed condition as ``Conflict``.

The worst change stays inside DynamoDB's 100 actions per transaction: the task, 10 assignment puts and
10 deletes (``MAX_ASSIGNEES``), 30 token deletes and 30 puts (``dal.search_index.MAX_TOKENS``), the due
pointer, the version and at most 3 events = 86. ``change_items`` refuses anything larger.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from deepiri_common.clock import to_iso, utc_now
from deepiri_common.events import DomainEvent
from deepiri_common.outbox import outbox_put
from deepiri_common.pagination import query_all
from deepiri_common.problems import BadRequest, Conflict, PreconditionFailed
from deepiri_tasks.dal.items import (
    ASSIGNEE_PREFIX,
    TASK_SK,
    VERSION_PREFIX,
    assignment_item,
    av_key,
    scope_of,
    search_item,
    search_key,
    task_av_key,
    task_item,
    task_pk,
    to_task,
    to_version,
    version_item,
    version_sk,
    version_snapshot,
)
from deepiri_tasks.dal.reminders import due_index_put
from deepiri_tasks.dal.search_index import bucket, index_tokens
from deepiri_tasks.models.tasks import FieldChange, Task, TaskVersion

BATCH_GET_LIMIT = 100
MAX_TRANSACTION_ACTIONS = 100
_RETRIES = 3


@dataclass(frozen=True)
class ListFilter:
    """A FilterExpression with its names and (attribute-value) values; empty means no filter."""

    expression: str = ""
    names: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)


class TaskRepository:
    """Reads and writes tasks; returns :class:`Task` models, never raw items."""

    def __init__(self, table_name: str, client: Any) -> None:
        self._table, self._client = table_name, client

    # ------------------------------------------------------------------ reads
    def get(self, task_id: str) -> Task | None:
        """The live task, ``None`` if it does not exist or is deleted."""
        task = self.get_including_deleted(task_id)
        return None if task is None or task.deletedAt is not None else task

    def get_including_deleted(self, task_id: str) -> Task | None:
        response = self._client.get_item(TableName=self._table, Key=task_av_key(task_id), ConsistentRead=True)
        item = response.get("Item")
        return to_task(item) if item else None

    def get_many(self, task_ids: Iterable[str]) -> dict[str, Task]:
        """Live tasks by id (BatchGetItem); unknown and deleted ids are left out."""
        ids = list(dict.fromkeys(task_ids))
        found: dict[str, Task] = {}
        for start in range(0, len(ids), BATCH_GET_LIMIT):
            keys = [task_av_key(task_id) for task_id in ids[start : start + BATCH_GET_LIMIT]]
            request: dict[str, Any] = {self._table: {"Keys": keys}}
            while request:
                response = self._client.batch_get_item(RequestItems=request)
                for item in response.get("Responses", {}).get(self._table, []):
                    task = to_task(item)
                    if task.deletedAt is None:
                        found[task.id] = task
                request = response.get("UnprocessedKeys") or {}
        return found

    def list_page(
        self, index: str, scope: str, *, ascending: bool, where: ListFilter, limit: int,
        start: dict[str, Any] | None,
    ) -> tuple[list[Task], dict[str, Any] | None]:
        """A page of the tasks of ``scope`` in ``index`` order, filtered; the key to continue from."""
        if start is not None and start.get(f"{index}pk", {}).get("S") != scope:
            raise BadRequest("invalid cursor")
        args: dict[str, Any] = {
            "TableName": self._table, "IndexName": index,
            "KeyConditionExpression": "#ipk = :scope", "ScanIndexForward": ascending,
            "ExpressionAttributeNames": {"#ipk": f"{index}pk", **where.names},
            "ExpressionAttributeValues": {":scope": {"S": scope}, **where.values},
            "Limit": max(limit, 25),
        }
        if where.expression:
            args["FilterExpression"] = where.expression
        tasks: list[Task] = []
        last_item: dict[str, Any] | None = None
        while True:
            if start:
                args["ExclusiveStartKey"] = start
            response = self._client.query(**args)
            for item in response.get("Items", []):
                tasks.append(to_task(item))
                last_item = item
                if len(tasks) == limit:
                    keys = ("pk", "sk", f"{index}pk", f"{index}sk")
                    return tasks, {name: last_item[name] for name in keys}
            start = response.get("LastEvaluatedKey")
            if not start:
                return tasks, None

    def search_ids(self, scope: str, term: str) -> set[str]:
        """Ids of the tasks of ``scope`` with a word starting with ``term`` (a Query on its bucket)."""
        args: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :term)",
            "ExpressionAttributeValues": {":pk": {"S": f"SEARCH#{scope}#{bucket(term)}"}, ":term": {"S": term}},
            "ProjectionExpression": "taskId",
        }
        return {item["taskId"]["S"] for item in query_all(self._client, **args)}

    def versions(
        self, task_id: str, limit: int, start: dict[str, Any] | None
    ) -> tuple[list[TaskVersion], dict[str, Any] | None]:
        """A page of the task's history, newest first."""
        if start is not None and start.get("pk", {}).get("S") != task_pk(task_id):
            raise BadRequest("invalid cursor")
        args: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :ver)",
            "ExpressionAttributeValues": {":pk": {"S": task_pk(task_id)}, ":ver": {"S": VERSION_PREFIX}},
            "ScanIndexForward": False, "Limit": limit,
        }
        if start:
            args["ExclusiveStartKey"] = start
        response = self._client.query(**args)
        return [to_version(item) for item in response.get("Items", [])], response.get("LastEvaluatedKey")

    def snapshot_at(self, task_id: str, version: int) -> Task | None:
        """The task as it was right after version ``version``; ``None`` for an unknown version."""
        response = self._client.get_item(TableName=self._table, Key=av_key(task_pk(task_id), version_sk(version)),
                                         ConsistentRead=True)
        item = response.get("Item")
        return version_snapshot(item) if item else None

    # ------------------------------------------------------------------ writes
    def put_update_item(self, task: Task, expected_version: int | None, *, expires_at: int | None = None,
                        first_completion: bool = False) -> dict[str, Any]:
        """The ``Put`` element writing ``task``, conditioned on the stored version being ``expected_version``
        (``None``: the task must not exist yet). ``first_completion`` also requires no earlier completion."""
        put: dict[str, Any] = {"TableName": self._table, "Item": task_item(task, expires_at)}
        if expected_version is None:
            put["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            put["ConditionExpression"] = "attribute_exists(pk) AND #version = :expected"
            put["ExpressionAttributeNames"] = {"#version": "version"}
            put["ExpressionAttributeValues"] = {":expected": {"N": str(expected_version)}}
            if first_completion:
                put["ConditionExpression"] += " AND attribute_not_exists(firstCompletedAt)"
        return {"Put": put}

    def change_items(
        self, before: Task | None, after: Task, record: TaskVersion, events: list[DomainEvent],
        *, expires_at: int | None = None,
    ) -> list[dict[str, Any]]:
        """Every element of the transaction that turns ``before`` into ``after`` (see the module doc)."""
        first = before is not None and before.firstCompletedAt is None and after.firstCompletedAt is not None
        items = [self.put_update_item(after, before.version if before else None, expires_at=expires_at,
                                      first_completion=first)]
        items += self._assignment_changes(before, after)
        items += self._search_changes(before, after)
        items += self._due_changes(before, after)
        items.append({"Put": {"TableName": self._table, "Item": version_item(after, record),
                              "ConditionExpression": "attribute_not_exists(pk)"}})
        items += [outbox_put(self._table, event) for event in events]
        if len(items) > MAX_TRANSACTION_ACTIONS:
            raise AssertionError(f"a task change of {len(items)} actions exceeds one transaction")
        return items

    def save(self, before: Task | None, after: Task, record: TaskVersion, events: list[DomainEvent],
             *, expires_at: int | None = None) -> None:
        """Write one change of a task atomically, with its history entry and events."""
        self.transact(self.change_items(before, after, record, events, expires_at=expires_at))

    def transact(self, items: list[dict[str, Any]]) -> None:
        """Run a TransactWriteItems; a stale task version → ``PreconditionFailed``, other failures → ``Conflict``."""
        try:
            self._client.transact_write_items(TransactItems=items)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code")
            if code == "TransactionCanceledException":
                reasons = error.response.get("CancellationReasons") or []
                raise _cancellation_problem(items, reasons) from None
            if code in ("TransactionConflictException", "ConditionalCheckFailedException"):
                raise Conflict("the task is being changed by another request; try again") from None
            raise

    def add_actual_minutes(self, task_id: str, minutes: int, announce: Callable[[int], DomainEvent]) -> Task:
        """Add tracked minutes to a live task, with a history entry and ``announce(new total)`` (a TaskUpdated).

        Read-then-conditional-write, retried a few times when another change gets in between, so the
        addition is atomic and every change still has its version item.
        """
        for attempt in range(_RETRIES):
            before = self.get(task_id)
            if before is None:
                raise Conflict("the task no longer exists")
            now = utc_now()
            after = before.model_copy(update={"actualMinutes": before.actualMinutes + minutes,
                                              "updatedAt": now, "version": before.version + 1})
            event = announce(after.actualMinutes)
            record = TaskVersion(
                version=after.version, actor=event.detail.actor, at=now, reason="time tracked",
                changes={"actualMinutes": FieldChange(old=before.actualMinutes, new=after.actualMinutes)},
            )
            try:
                self.save(before, after, record, [event])
                return after
            except PreconditionFailed:
                if attempt == _RETRIES - 1:
                    raise Conflict("the task is being changed by another request; try again") from None
        raise AssertionError("unreachable")

    def _assignment_changes(self, before: Task | None, after: Task) -> list[dict[str, Any]]:
        old = set(before.assigneeIds) if before and before.deletedAt is None else set()
        new = [] if after.deletedAt is not None else after.assigneeIds
        items: list[dict[str, Any]] = [
            {"Put": {"TableName": self._table, "Item": assignment_item(after, user_id)}} for user_id in new
        ]
        items += [
            {"Delete": {"TableName": self._table, "Key": av_key(task_pk(after.id), f"{ASSIGNEE_PREFIX}{user_id}")}}
            for user_id in sorted(old - set(new))
        ]
        return items

    def _search_changes(self, before: Task | None, after: Task) -> list[dict[str, Any]]:
        old = _tokens(before)
        new = _tokens(after)
        scope = scope_of(after)
        items: list[dict[str, Any]] = [
            {"Delete": {"TableName": self._table, "Key": search_key(scope, token, after.id)}}
            for token in old if token not in new
        ]
        items += [
            {"Put": {"TableName": self._table, "Item": search_item(scope, token, after.id)}}
            for token in new if token not in old
        ]
        return items


    def _due_changes(self, before: Task | None, after: Task) -> list[dict[str, Any]]:
        """The due-index pointer, when ``after`` is live with a due date the index may not hold yet:
        created, due date set or moved, restored, or reopened (a pointer outlives its task's closing,
        but writing it again is an idempotent Put). Stale pointers stay; the reminder job ignores them."""
        if after.dueAt is None or after.deletedAt is not None:
            return []
        revived = before is None or before.deletedAt is not None or (before.is_closed and not after.is_closed)
        if not revived and before is not None and before.dueAt == after.dueAt:
            return []
        return due_index_put(self._table, after.id, to_iso(after.dueAt))


def _tokens(task: Task | None) -> list[str]:
    if task is None or task.deletedAt is not None:
        return []
    return index_tokens(task.title, task.description)


def _cancellation_problem(items: list[dict[str, Any]], reasons: list[Any]) -> Conflict | PreconditionFailed:
    for item, reason in zip(items, reasons, strict=False):
        if reason.get("Code") != "ConditionalCheckFailed":
            continue
        put = item.get("Put", {})
        key = put.get("Item", {})
        is_task = key.get("sk", {}).get("S") == TASK_SK and "#version" in put.get("ConditionExpression", "")
        if is_task:
            return PreconditionFailed("the task has changed since the version given; read it again")
    return Conflict("the task changed or already exists")

"""The sparse due index and the reminder markers, in the tasks table:

    DUE#<YYYY-MM-DDTHH> / <dueAt>#<taskId>    a pointer per task and due date ({taskId, dueAt}); the job
                                              Queries one partition per hour it looks at. It expires by
                                              TTL two days after the due time; a stale one (due date
                                              moved) is ignored because the job re-reads the task.
    TASK#<taskId> / REMIND#<kind>#<dueAt>     "this reminder was sent"; created with the outbox event

The core writes the pointer: ``due_index_put`` belongs in the transaction of every task write that
sets ``dueAt`` (create, update, reopen with a due date).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from deepiri_common.clock import epoch_seconds, parse_iso, to_iso
from deepiri_common.events import DomainEvent
from deepiri_common.outbox import outbox_put
from deepiri_common.pagination import query_all
from deepiri_tasks.dal.graph import TaskFactsStore, plain, task_key, transact
from deepiri_tasks.models.graph import TaskFacts
from deepiri_tasks.models.reminders import Kind

POINTER_RETENTION = timedelta(days=2)
MARKER_RETENTION = timedelta(days=30)


def hour_bucket(moment: datetime) -> str:
    """The due-index partition of an instant: its UTC hour, ``YYYY-MM-DDTHH``."""
    return to_iso(moment)[:13]


def due_index_items(task_id: str, due_at: str) -> list[dict[str, Any]]:
    """The due-index item(s) of a task due at ``due_at`` (ISO-8601), in attribute-value form."""
    due = parse_iso(due_at)
    iso = to_iso(due)
    return [{
        "pk": {"S": f"DUE#{hour_bucket(due)}"}, "sk": {"S": f"{iso}#{task_id}"}, "kind": {"S": "due"},
        "taskId": {"S": task_id}, "dueAt": {"S": iso},
        "expiresAt": {"N": str(epoch_seconds(due + POINTER_RETENTION))},
    }]


def due_index_put(table_name: str, task_id: str, due_at: str) -> list[dict[str, Any]]:
    """The ``TransactWriteItems`` elements that index a task's due date (unconditional, idempotent)."""
    return [{"Put": {"TableName": table_name, "Item": item}} for item in due_index_items(task_id, due_at)]


class ReminderRepository:
    def __init__(self, table_name: str, client: Any) -> None:
        self._table, self._client = table_name, client
        self._tasks = TaskFactsStore(table_name, client)

    def due_between(self, buckets: list[str], start: str, end: str) -> list[tuple[str, str]]:
        """(taskId, dueAt) of the pointers in ``buckets`` due within ``[start, end]``."""
        found: list[tuple[str, str]] = []
        for bucket in buckets:
            items = query_all(
                self._client, TableName=self._table,
                KeyConditionExpression="pk = :pk AND sk BETWEEN :start AND :end",
                ExpressionAttributeValues={":pk": {"S": f"DUE#{bucket}"}, ":start": {"S": start},
                                           ":end": {"S": end + "#~"}},
            )
            found += [(values["taskId"], values["dueAt"]) for values in map(plain, items)]
        return found

    def facts_many(self, task_ids: Iterable[str]) -> dict[str, TaskFacts]:
        return self._tasks.facts_many(task_ids)

    def remind_once(self, task_id: str, kind: Kind, due_at: str, event: DomainEvent) -> bool:
        """Record the reminder and its event together; False when it was already sent."""
        expires = epoch_seconds(parse_iso(due_at) + MARKER_RETENTION)
        marker = {**task_key(task_id, f"REMIND#{kind}#{due_at}"), "kind": {"S": "reminder"},
                  "expiresAt": {"N": str(expires)}}
        return transact(self._client, [
            {"Put": {"TableName": self._table, "Item": marker, "ConditionExpression": "attribute_not_exists(pk)"}},
            outbox_put(self._table, event),
        ]) is None

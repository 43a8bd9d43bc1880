"""Task-item maintenance the consumers do: purge a user's personal tasks, detach a deleted project's
tasks, and create-or-update imported tasks through an ``EXTREF#<provider>#<ref> / EXTREF`` pointer.

Task items are the core's (``dal.items``); imported tasks are written through the core's
``TaskRepository`` like any other, so they carry every index key, search token, due pointer, version
and event. Every write here is idempotent: a detach is conditioned on the task still naming the
project, an import pointer is created with ``attribute_not_exists`` in the same transaction as its task.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from deepiri_common.events import DomainEvent
from deepiri_common.pagination import query_all
from deepiri_common.problems import Conflict
from deepiri_common.transactions import batch_delete
from deepiri_tasks.dal.tasks import TaskRepository
from deepiri_tasks.models.tasks import Task, TaskVersion

SCOPE_KEYS = ("gsi1pk", "gsi2pk", "gsi3pk")


class TaskMaintenance:
    """``client`` is a boto3 DynamoDB client."""

    def __init__(self, table_name: str, client: Any) -> None:
        self._table, self._client = table_name, client
        self._tasks = TaskRepository(table_name, client)

    def scope_task_items(self, scope: str) -> list[dict[str, Any]]:
        """The task items (raw) whose gsi1 scope is ``scope`` (``OWNER#<id>`` or ``PROJECT#<id>``)."""
        args: dict[str, Any] = {"TableName": self._table, "IndexName": "gsi1",
                                "KeyConditionExpression": "gsi1pk = :s",
                                "ExpressionAttributeValues": {":s": {"S": scope}}}
        return [i for i in query_all(self._client, **args) if i.get("sk", {}).get("S") == "TASK"]

    def purge_task(self, task_id: str) -> None:
        """Delete every item of the task's partition (the task and what hangs off it)."""
        args: dict[str, Any] = {"TableName": self._table, "KeyConditionExpression": "pk = :pk",
                                "ExpressionAttributeValues": {":pk": {"S": f"TASK#{task_id}"}},
                                "ProjectionExpression": "pk, sk"}
        batch_delete(self._client, self._table, query_all(self._client, **args))

    def detach(self, item: dict[str, Any], project_id: str) -> bool:
        """Make a project task a personal task of its owner; False when it was already detached."""
        owner = item["ownerId"]["S"]
        names = {f"#{k}": k for k in SCOPE_KEYS if item.get(k, {}).get("S") == f"PROJECT#{project_id}"}
        sets = ", ".join(f"{name} = :owner" for name in names)
        try:
            self._client.update_item(
                TableName=self._table, Key={"pk": item["pk"], "sk": item["sk"]},
                UpdateExpression=f"SET {sets} REMOVE projectId" if sets else "REMOVE projectId",
                ConditionExpression="projectId = :p",
                ExpressionAttributeNames=names or None,
                ExpressionAttributeValues={":p": {"S": project_id}, **({":owner": {"S": f"OWNER#{owner}"}}
                                                                       if sets else {})})
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def imported_task_id(self, provider: str, external_ref: str) -> str | None:
        item = self._client.get_item(TableName=self._table, Key=_pointer_key(provider, external_ref),
                                     ConsistentRead=True).get("Item")
        return None if item is None else str(item["taskId"]["S"])

    def task(self, task_id: str) -> Task | None:
        """The live task, ``None`` when missing or soft-deleted."""
        return self._tasks.get(task_id)

    def create_imported(self, task: Task, provider: str, record: TaskVersion, events: list[DomainEvent]) -> bool:
        """Create the task (as the core creates one) and its pointer together; False when the
        transaction was refused, e.g. because another delivery created the pointer first."""
        pointer = {**_pointer_key(provider, task.externalRef or ""), "kind": {"S": "extref"},
                   "taskId": {"S": task.id}}
        items = self._tasks.change_items(None, task, record, events)
        items.append({"Put": {"TableName": self._table, "Item": pointer,
                              "ConditionExpression": "attribute_not_exists(pk)"}})
        try:
            self._tasks.transact(items)
        except Conflict:
            return False
        return True

    def update_imported(self, before: Task, after: Task, record: TaskVersion, events: list[DomainEvent]) -> None:
        """Store ``after`` if the task is still at ``before``'s version (else ``PreconditionFailed``)."""
        self._tasks.save(before, after, record, events)


def _pointer_key(provider: str, external_ref: str) -> dict[str, Any]:
    return {"pk": {"S": f"EXTREF#{provider}#{external_ref}"}, "sk": {"S": "EXTREF"}}

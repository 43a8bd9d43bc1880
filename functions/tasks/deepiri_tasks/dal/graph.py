"""The task graph in the tasks table: dependency edges, and the task facts the extras read.

    TASK#<a> / DEP#<b>     a depends on b ({taskId, dependsOn, type, createdAt}); kind "dependency"
    TASK#<b> / RDEP#<a>    the reverse pointer, written in the same transaction

Task facts come from the core's task item (``TASK#<id> / TASK``); a soft-deleted task (``deletedAt``)
reads as missing. A scope's tasks (``OWNER#<userId>`` or ``PROJECT#<projectId>``) are a Query on gsi1.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from deepiri_common.attributes import TypeDeserializer
from deepiri_common.pagination import query_all
from deepiri_common.problems import Conflict
from deepiri_common.transactions import CONDITION_FAILED, write_transaction
from deepiri_tasks.models.graph import Dependency, TaskFacts

BATCH_GET_LIMIT = 100
MAX_GRAPH_TASKS = 500
LIVE = "attribute_exists(pk) AND attribute_not_exists(deletedAt)"  # a graph answer stays small enough for one response

_deserializer = TypeDeserializer()


def task_key(task_id: str, sk: str = "TASK") -> dict[str, Any]:
    return {"pk": {"S": f"TASK#{task_id}"}, "sk": {"S": sk}}


def plain(item: dict[str, Any]) -> dict[str, Any]:
    """An item in attribute-value form as plain Python values."""
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


def transact(client: Any, items: list[dict[str, Any]]) -> list[str] | None:
    """Run a transaction: None when it committed, else each element's cancellation reason code.

    A cancellation with no failed condition (a concurrent transaction) is a 409 the client may retry.
    """
    reasons = write_transaction(client, items)
    if reasons is not None and CONDITION_FAILED not in reasons:
        raise Conflict("the task changed concurrently; retry")
    return reasons


def facts_from_item(item: dict[str, Any]) -> TaskFacts | None:
    """Task facts from a task item (plain values); None for a soft-deleted task."""
    if item.get("deletedAt"):
        return None
    task_id = str(item.get("taskId") or item.get("id") or str(item["pk"]).removeprefix("TASK#"))
    assignees = item.get("assigneeIds") or item.get("assignees") or []
    due = item.get("dueAt")
    return TaskFacts(
        id=task_id,
        ownerId=str(item.get("ownerId") or item.get("userId") or ""),
        projectId=item.get("projectId") or None,
        assigneeIds=frozenset(str(a) for a in assignees),
        status=str(item.get("status") or "todo"),
        title=str(item.get("title") or ""),
        dueAt=str(due) if due else None,
        estimateMinutes=int(item.get("estimateMinutes") or 0),
    )


class TaskFactsStore:
    """Reads task facts; ``client`` is a boto3 DynamoDB client."""

    def __init__(self, table_name: str, client: Any) -> None:
        self._table, self._client = table_name, client

    def facts(self, task_id: str) -> TaskFacts | None:
        item = self._client.get_item(TableName=self._table, Key=task_key(task_id), ConsistentRead=True).get("Item")
        return None if item is None else facts_from_item(plain(item))

    def facts_many(self, task_ids: Iterable[str]) -> dict[str, TaskFacts]:
        wanted = list(dict.fromkeys(task_ids))
        found: dict[str, TaskFacts] = {}
        for start in range(0, len(wanted), BATCH_GET_LIMIT):
            keys = [task_key(t) for t in wanted[start:start + BATCH_GET_LIMIT]]
            request: dict[str, Any] = {self._table: {"Keys": keys}}
            while request:
                response = self._client.batch_get_item(RequestItems=request)
                for item in response.get("Responses", {}).get(self._table, []):
                    facts = facts_from_item(plain(item))
                    if facts is not None:
                        found[facts.id] = facts
                request = response.get("UnprocessedKeys") or {}
        return found

    def scope_facts(self, scope: str) -> list[TaskFacts]:
        """The tasks of a gsi1 scope (``OWNER#<userId>`` or ``PROJECT#<projectId>``), task items only."""
        items = query_all(
            self._client, TableName=self._table, IndexName="gsi1",
            KeyConditionExpression="gsi1pk = :scope", FilterExpression="sk = :task",
            ExpressionAttributeValues={":scope": {"S": scope}, ":task": {"S": "TASK"}},
        )
        found = (facts_from_item(plain(item)) for item in items[:MAX_GRAPH_TASKS])
        return [facts for facts in found if facts is not None]


class DependencyRepository:
    """Stores dependency edges, both directions in one transaction."""

    def __init__(self, table_name: str, client: Any) -> None:
        self._table, self._client = table_name, client

    def depends_on(self, task_id: str) -> list[Dependency]:
        return [_dependency(plain(i)) for i in self._edges(task_id, "DEP#")]

    def dependents(self, task_id: str) -> list[Dependency]:
        return [_dependency(plain(i)) for i in self._edges(task_id, "RDEP#")]

    def get(self, task_id: str, depends_on: str) -> Dependency | None:
        item = self._client.get_item(TableName=self._table, Key=task_key(task_id, f"DEP#{depends_on}"),
                                     ConsistentRead=True).get("Item")
        return None if item is None else _dependency(plain(item))

    def add(self, edge: Dependency) -> str:
        """Store ``edge``: "created", "exists" (an edge between the two is there) or "missing" (the
        task it depends on is gone)."""
        attributes = {"taskId": {"S": edge.taskId}, "dependsOn": {"S": edge.dependsOn},
                      "type": {"S": edge.type}, "createdAt": {"S": edge.createdAt}, "kind": {"S": "dependency"}}
        reasons = transact(self._client, [
            {"Put": {"TableName": self._table,
                     "Item": {**task_key(edge.taskId, f"DEP#{edge.dependsOn}"), **attributes},
                     "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Put": {"TableName": self._table,
                     "Item": {**task_key(edge.dependsOn, f"RDEP#{edge.taskId}"), **attributes}}},
            *({"ConditionCheck": {"TableName": self._table, "Key": task_key(t), "ConditionExpression": LIVE}}
              for t in (edge.dependsOn, edge.taskId)),
        ])
        if reasons is None:
            return "created"
        return "exists" if reasons[0] == "ConditionalCheckFailed" else "missing"

    def remove(self, task_id: str, depends_on: str) -> bool:
        """Delete the edge both ways; False when there was none."""
        return transact(self._client, [
            {"Delete": {"TableName": self._table, "Key": task_key(task_id, f"DEP#{depends_on}"),
                        "ConditionExpression": "attribute_exists(pk)"}},
            {"Delete": {"TableName": self._table, "Key": task_key(depends_on, f"RDEP#{task_id}")}},
        ]) is None

    def _edges(self, task_id: str, prefix: str) -> list[dict[str, Any]]:
        return query_all(
            self._client, TableName=self._table, ConsistentRead=True,
            KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
            ExpressionAttributeValues={":pk": {"S": f"TASK#{task_id}"}, ":prefix": {"S": prefix}},
        )


def _dependency(item: dict[str, Any]) -> Dependency:
    return Dependency(taskId=item["taskId"], dependsOn=item["dependsOn"], type=item["type"],
                      createdAt=item["createdAt"])

"""Templates and the task items a template reads or writes, in the tasks table:

    TEMPLATE#<id> / TEMPLATE   a saved template (JSON body); gsi2pk = TEMPLATEOWNER#<userId>, gsi2sk = <id>

Task items are the core's (``dal.items``; written only through ``TaskRepository.change_items``);
dependency items are the graph's (``TASK#<a> / DEP#<b>`` plus the reverse ``TASK#<b> / RDEP#<a>``,
kind "dependency"). Both are optional reads: a project without them is fine.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from deepiri_common.attributes import TypeDeserializer, TypeSerializer
from deepiri_common.pagination import query_all
from deepiri_tasks.models.tasks import Task
from deepiri_tasks.models.templates import ProjectTemplate

MAX_TRANSACTION_ACTIONS = 100
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def wire(item: dict[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in item.items() if v is not None}


def plain(item: dict[str, Any]) -> dict[str, Any]:
    values = {k: _deserializer.deserialize(v) for k, v in item.items()}
    return {k: int(v) if k in {"version", "estimateMinutes", "actualMinutes"} else v for k, v in values.items()}


def in_transactions(groups: Iterable[Sequence[dict[str, Any]]], first_room: int) -> list[list[dict[str, Any]]]:
    """``groups`` of transaction actions packed in order into transactions of at most 100 actions, a
    group never split; the first transaction has ``first_room`` actions left (it may end up empty)."""
    batches: list[list[dict[str, Any]]] = [[]]
    room = first_room
    for group in groups:
        if len(group) > room:
            batches.append([])
            room = MAX_TRANSACTION_ACTIONS
        batches[-1] += group
        room -= len(group)
    return batches


class TemplateRepository:
    """Saved templates, and the project task reads and writes templates need; ``client`` is boto3's."""

    def __init__(self, table_name: str, client: Any) -> None:
        self._table, self._client = table_name, client

    def save(self, template: ProjectTemplate) -> None:
        item = {"pk": f"TEMPLATE#{template.id}", "sk": "TEMPLATE", "kind": "template",
                "gsi2pk": f"TEMPLATEOWNER#{template.ownerId}", "gsi2sk": template.id,
                "body": template.model_dump_json()}
        self._client.put_item(TableName=self._table, Item=wire(item), ConditionExpression="attribute_not_exists(pk)")

    def template(self, template_id: str) -> ProjectTemplate | None:
        item = self._client.get_item(TableName=self._table, Key=wire({"pk": f"TEMPLATE#{template_id}",
                                                                      "sk": "TEMPLATE"})).get("Item")
        return None if item is None else ProjectTemplate.model_validate_json(item["body"]["S"])

    def templates_of(self, user_id: str) -> list[ProjectTemplate]:
        return [ProjectTemplate.model_validate_json(i["body"]["S"]) for i in self._query(
            IndexName="gsi2", KeyConditionExpression="gsi2pk = :k",
            ExpressionAttributeValues={":k": {"S": f"TEMPLATEOWNER#{user_id}"}})]

    def project_tasks(self, project_id: str) -> list[Task]:
        """The live (not soft-deleted) tasks of a project, oldest first."""
        items = self._query(IndexName="gsi1", KeyConditionExpression="gsi1pk = :k AND begins_with(gsi1sk, :c)",
                            ExpressionAttributeValues={":k": {"S": f"PROJECT#{project_id}"}, ":c": {"S": "CREATED#"}})
        tasks = [plain(i) for i in items if i.get("sk", {}).get("S") == "TASK" and "deletedAt" not in i]
        return [Task.model_validate({k: v for k, v in t.items() if k in Task.model_fields}) for t in tasks]

    def dependencies(self, task_ids: Iterable[str]) -> list[tuple[str, str, str]]:
        """(task, depends on, type) of every dependency item of ``task_ids``."""
        edges: list[tuple[str, str, str]] = []
        for task_id in task_ids:
            for item in self._query(KeyConditionExpression="pk = :pk AND begins_with(sk, :dep)",
                                    ExpressionAttributeValues={":pk": {"S": f"TASK#{task_id}"},
                                                               ":dep": {"S": "DEP#"}}):
                other = item["sk"]["S"].removeprefix("DEP#")
                edges.append((task_id, other, item.get("type", {}).get("S", "blocks")))
        return edges

    def dependency_writes(self, edge: tuple[str, str, str], created_at: str) -> list[dict[str, Any]]:
        """The two transaction actions storing the dependency ``(task, depends on, type)``, both ways."""
        a, b, kind = edge
        attributes = {"kind": "dependency", "taskId": a, "dependsOn": b, "type": kind, "createdAt": created_at}
        return [{"Put": {"TableName": self._table, "Item": wire({"pk": f"TASK#{a}", "sk": f"DEP#{b}", **attributes})}},
                {"Put": {"TableName": self._table, "Item": wire({"pk": f"TASK#{b}", "sk": f"RDEP#{a}", **attributes})}}]

    def _query(self, **args: Any) -> list[dict[str, Any]]:
        return query_all(self._client, TableName=self._table, **args)

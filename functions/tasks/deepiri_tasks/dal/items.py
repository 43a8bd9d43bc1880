"""The task items of the tasks table: keys, index keys and the mapping to and from ``Task``.

Items (low-level attribute-value form, written through TransactWriteItems):

* task ``TASK#<id> / TASK``: every field of the task; while not deleted it also carries
  ``gsi1`` (scope, ``CREATED#<createdAt>#<id>``), ``gsi2`` (scope, ``DUE#<dueAt or 9999>#<id>``) and
  ``gsi3`` (scope, ``PRI#<rank>#<createdAt>#<id>``), ``scope`` = ``PROJECT#<projectId>`` for a project
  task, ``OWNER#<ownerId>`` for a personal one. A deleted task loses them and gets ``expiresAt`` (TTL).
* assignment ``TASK#<id> / ASSIGNEE#<userId>``: a copy of the task for each assignee, indexed the same
  way under the scope ``ASSIGNEE#<userId>``, so "assigned to me" lists and sorts like any other list.
* version ``TASK#<id> / VER#<10-digit n>``: one per change (see ``dal.tasks``).
* search token ``SEARCH#<scope>#<bucket> / <token>#<taskId>`` (see ``dal.search_index``).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from deepiri_common.attributes import TypeDeserializer, TypeSerializer
from deepiri_common.clock import to_iso
from deepiri_tasks.dal.search_index import bucket
from deepiri_tasks.models.tasks import PRIORITY_RANK, Task, TaskVersion

TASK_SK = "TASK"
VERSION_PREFIX = "VER#"
ASSIGNEE_PREFIX = "ASSIGNEE#"
NO_DUE = "9999"
INDEX_ATTRIBUTES = ("gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk")
INDEX_BY_SORT = {"created": "gsi1", "due": "gsi2", "priority": "gsi3"}

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
_TIME_FIELDS = ("dueAt", "createdAt", "updatedAt", "completedAt", "deletedAt", "firstCompletedAt")


def task_pk(task_id: str) -> str:
    return f"TASK#{task_id}"


def task_key(task_id: str) -> dict[str, str]:
    """The primary key of a task item, in plain values."""
    return {"pk": task_pk(task_id), "sk": TASK_SK}


def av_key(pk: str, sk: str) -> dict[str, dict[str, str]]:
    """A primary key in attribute-value form."""
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def task_av_key(task_id: str) -> dict[str, dict[str, str]]:
    return av_key(task_pk(task_id), TASK_SK)


def scope_of(task: Task) -> str:
    """The listing scope of a task: its project, or its owner for a personal task."""
    return f"PROJECT#{task.projectId}" if task.projectId else f"OWNER#{task.ownerId}"


def owner_scope(user_id: str) -> str:
    return f"OWNER#{user_id}"


def project_scope(project_id: str) -> str:
    return f"PROJECT#{project_id}"


def assignee_scope(user_id: str) -> str:
    return f"ASSIGNEE#{user_id}"


def index_keys(task: Task, scope: str) -> dict[str, str]:
    """The three sort orders of ``task`` within ``scope``."""
    created = to_iso(task.createdAt)
    due = to_iso(task.dueAt) if task.dueAt else NO_DUE
    return {
        "gsi1pk": scope, "gsi1sk": f"CREATED#{created}#{task.id}",
        "gsi2pk": scope, "gsi2sk": f"DUE#{due}#{task.id}",
        "gsi3pk": scope, "gsi3sk": f"PRI#{PRIORITY_RANK[task.priority]}#{created}#{task.id}",
    }


def _plain(task: Task) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, value in task.model_dump().items():
        if value is None:
            continue
        values[name] = to_iso(value) if isinstance(value, datetime) else value
    return values


def serialize(values: dict[str, Any]) -> dict[str, Any]:
    """Plain values → attribute values."""
    return {name: _serializer.serialize(value) for name, value in values.items()}


def deserialize(item: dict[str, Any]) -> dict[str, Any]:
    """Attribute values → plain values (numbers as int when whole)."""
    plain = {name: _deserializer.deserialize(value) for name, value in item.items()}
    return {name: _number(value) for name, value in plain.items()}


def _number(value: Any) -> Any:
    if type(value).__name__ == "Decimal":
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, list):
        return [_number(v) for v in value]
    return value


def task_item(task: Task, expires_at: int | None = None) -> dict[str, Any]:
    """The task item of ``task``: indexed while live, with a TTL once deleted."""
    values = {**task_key(task.id), "kind": "task", **_plain(task)}
    if task.deletedAt is None:
        values.update(index_keys(task, scope_of(task)))
    elif expires_at is not None:
        values["expiresAt"] = expires_at
    return serialize(values)


def assignment_item(task: Task, user_id: str) -> dict[str, Any]:
    """The copy of ``task`` listed under ``user_id``'s assignments."""
    values = {"pk": task_pk(task.id), "sk": f"{ASSIGNEE_PREFIX}{user_id}", "kind": "assignment", **_plain(task)}
    values.update(index_keys(task, assignee_scope(user_id)))
    return serialize(values)


def to_task(item: dict[str, Any]) -> Task:
    """A task (or assignment copy) item → ``Task``."""
    values = deserialize(item)
    return Task.model_validate({name: values[name] for name in Task.model_fields if name in values})


def version_sk(version: int) -> str:
    return f"{VERSION_PREFIX}{version:010d}"


def version_item(task: Task, record: TaskVersion) -> dict[str, Any]:
    """The history entry of ``record``, with a snapshot of ``task`` as it became (for restores)."""
    values: dict[str, Any] = {
        "pk": task_pk(task.id), "sk": version_sk(record.version), "kind": "version",
        "version": record.version, "actor": record.actor, "at": to_iso(record.at),
        "changes": json.dumps({name: change.model_dump(mode="json") for name, change in record.changes.items()}),
        "snapshot": task.model_dump_json(),
    }
    if record.reason:
        values["reason"] = record.reason
    return serialize(values)


def to_version(item: dict[str, Any]) -> TaskVersion:
    values = deserialize(item)
    return TaskVersion(version=values["version"], changes=json.loads(values["changes"]), actor=values["actor"],
                       reason=values.get("reason"), at=values["at"])


def version_snapshot(item: dict[str, Any]) -> Task:
    return Task.model_validate_json(deserialize(item)["snapshot"])


def search_key(scope: str, token: str, task_id: str) -> dict[str, dict[str, str]]:
    return av_key(f"SEARCH#{scope}#{bucket(token)}", f"{token}#{task_id}")


def search_item(scope: str, token: str, task_id: str) -> dict[str, Any]:
    return {**search_key(scope, token, task_id), "kind": {"S": "search"}, "taskId": {"S": task_id}}

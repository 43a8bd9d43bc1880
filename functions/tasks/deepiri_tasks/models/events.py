"""The task events the tasks service publishes (``source = deepiri.tasks``).

Each is the ``data`` of a :class:`deepiri_common.events.DomainEvent`, written with ``outbox_put`` in
the same transaction as the change it announces. ``userId`` is the task's owner, so the realtime
service can push the event to them.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

SERVICE = "tasks"


class TaskCreated(BaseModel):
    taskId: str
    userId: str
    ownerId: str
    projectId: str | None
    title: str
    status: str
    priority: str
    difficulty: str
    category: str
    assigneeIds: list[str]
    dueAt: str | None
    source: str


class TaskUpdated(BaseModel):
    taskId: str
    changed: list[str]
    ownerId: str
    projectId: str | None
    assigneeIds: list[str]
    userId: str


class TaskStatusChanged(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    taskId: str
    from_: str = Field(alias="from")
    to: str
    ownerId: str
    projectId: str | None
    userId: str


class TaskCompleted(BaseModel):
    taskId: str
    userId: str
    actorId: str
    projectId: str | None
    category: str
    difficulty: str
    priority: str
    efficiency: float | None
    onTime: bool | None
    estimateMinutes: int | None
    actualMinutes: int
    firstCompletion: bool


class TaskReopened(BaseModel):
    taskId: str
    userId: str
    ownerId: str
    projectId: str | None


class TaskDeleted(BaseModel):
    taskId: str
    ownerId: str
    projectId: str | None

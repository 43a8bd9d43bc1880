"""The task events the tasks service publishes (``source = deepiri.tasks``).

Each is the ``data`` of a :class:`deepiri_common.events.DomainEvent`, written with ``outbox_put`` in
the same transaction as the change it announces. ``userId`` is the task's owner, so the realtime
service can push the event to them.

``PUBLISHES`` is the service's contract: every detail-type it puts on the bus and the model of its
``data``; ``make contracts`` writes one JSON Schema per entry to ``contracts/events/``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from deepiri_tasks.models.comments import TaskCommentedData
from deepiri_tasks.models.projects import (
    MemberAddedData,
    MemberRemovedData,
    MemberRoleChangedData,
    ProjectArchivedData,
    ProjectCreatedData,
    ProjectDeletedData,
    ProjectUpdatedData,
)
from deepiri_tasks.models.reminders import TaskReminderData
from deepiri_tasks.models.tasks import Category, Difficulty, Priority

SERVICE = "tasks"


class TaskCreated(BaseModel):
    model_config = ConfigDict(defer_build=True)

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
    estimateMinutes: int | None


class TaskUpdated(BaseModel):
    model_config = ConfigDict(defer_build=True)

    taskId: str
    changed: list[str] = Field(description="the names of the fields this change set")
    values: dict[str, Any] = Field(
        default_factory=dict,
        description="each changed field's new value as the task returns it (null for a cleared one), so a reader "
                    "never needs the tasks table; its keys are `changed`'s names")
    ownerId: str
    projectId: str | None
    assigneeIds: list[str]
    userId: str


class TaskStatusChanged(BaseModel):
    model_config = ConfigDict(defer_build=True, populate_by_name=True, serialize_by_alias=True)

    taskId: str
    from_: str = Field(alias="from")
    to: str
    ownerId: str
    projectId: str | None
    userId: str


class TaskCompleted(BaseModel):
    model_config = ConfigDict(defer_build=True)

    taskId: str
    userId: str
    actorId: str
    projectId: str | None
    category: Category
    difficulty: Difficulty
    priority: Priority
    efficiency: float | None
    onTime: bool | None = Field(description="null when the task had no due date")
    estimateMinutes: int | None
    actualMinutes: int
    firstCompletion: bool
    completedAt: str = Field(description="when the work was finished (UTC ISO-8601): the request's completedAt, "
                                         "at most 6 hours back, or the time of the request")
    source: str = Field(default="manual", description="where the task came from (manual, ai, or the integration "
                                                       "that imported it); integrations write a completion back")
    externalRef: str | None = Field(default=None, description="the imported item's key at its provider, else null")


class TimerStopped(BaseModel):
    """A timer was stopped (or replaced by one on another task) and its interval booked."""

    model_config = ConfigDict(defer_build=True)

    taskId: str
    userId: str = Field(description="whose timer it was")
    minutes: int = Field(ge=0, description="the booked whole minutes (half a minute rounds up)")
    startedAt: str
    stoppedAt: str


class TaskReopened(BaseModel):
    """The task is open again; ``status`` and the fields after it are its values as it reopened."""

    model_config = ConfigDict(defer_build=True)

    taskId: str
    userId: str
    ownerId: str
    projectId: str | None
    status: str
    category: str
    dueAt: str | None
    estimateMinutes: int | None


class TaskDeleted(BaseModel):
    model_config = ConfigDict(defer_build=True)

    taskId: str
    ownerId: str
    projectId: str | None


PUBLISHES: dict[str, type[BaseModel]] = {
    "TaskCreated": TaskCreated,
    "TaskUpdated": TaskUpdated,
    "TaskStatusChanged": TaskStatusChanged,
    "TaskCompleted": TaskCompleted,
    "TaskReopened": TaskReopened,
    "TaskDeleted": TaskDeleted,
    "TimerStopped": TimerStopped,
    "TaskCommented": TaskCommentedData,
    "TaskDueSoon": TaskReminderData,
    "TaskOverdue": TaskReminderData,
    "ProjectCreated": ProjectCreatedData,
    "ProjectUpdated": ProjectUpdatedData,
    "ProjectArchived": ProjectArchivedData,
    "ProjectUnarchived": ProjectArchivedData,
    "ProjectDeleted": ProjectDeletedData,
    "MemberAdded": MemberAddedData,
    "MemberRemoved": MemberRemovedData,
    "MemberRoleChanged": MemberRoleChangedData,
}

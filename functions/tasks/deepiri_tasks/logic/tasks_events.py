"""Builders of the task events (``models.events``) as DomainEvents of ``deepiri.tasks``."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from deepiri_common.clock import to_iso
from deepiri_common.events import DomainEvent
from deepiri_tasks.models import events as models
from deepiri_tasks.models.tasks import Task


def created(task: Task, actor: str) -> DomainEvent:
    data = models.TaskCreated(
        taskId=task.id, userId=task.ownerId, ownerId=task.ownerId, projectId=task.projectId, title=task.title,
        status=task.status, priority=task.priority, difficulty=task.difficulty, category=task.category,
        assigneeIds=task.assigneeIds, dueAt=_due(task), source=task.source,
        estimateMinutes=task.estimateMinutes,
    )
    return DomainEvent.new(models.SERVICE, "TaskCreated", data, actor)


def changed_values(task: Task, changed: list[str]) -> dict[str, Any]:
    """The new values of the ``changed`` fields of ``task``, as JSON (times as UTC ISO-8601, as elsewhere)."""
    values = task.model_dump(include=set(changed))
    return {name: to_iso(value) if isinstance(value, datetime) else value for name, value in values.items()}


def updated(task: Task, changed: list[str], actor: str) -> DomainEvent:
    data = models.TaskUpdated(taskId=task.id, changed=changed, values=changed_values(task, changed),
                              ownerId=task.ownerId, projectId=task.projectId, assigneeIds=task.assigneeIds,
                              userId=task.ownerId)
    return DomainEvent.new(models.SERVICE, "TaskUpdated", data, actor)


def status_changed(task: Task, previous: str, actor: str) -> DomainEvent:
    data = models.TaskStatusChanged(taskId=task.id, from_=previous, to=task.status, ownerId=task.ownerId,
                                    projectId=task.projectId, userId=task.ownerId)
    return DomainEvent.new(models.SERVICE, "TaskStatusChanged", data, actor)


def completed(task: Task, actor: str, efficiency: float | None, on_time: bool | None, first: bool) -> DomainEvent:
    data = models.TaskCompleted(
        taskId=task.id, userId=task.ownerId, actorId=actor, projectId=task.projectId, category=task.category,
        difficulty=task.difficulty, priority=task.priority, efficiency=efficiency, onTime=on_time,
        estimateMinutes=task.estimateMinutes, actualMinutes=task.actualMinutes, firstCompletion=first,
        completedAt=to_iso(task.completedAt or task.updatedAt), source=task.source, externalRef=task.externalRef,
    )
    return DomainEvent.new(models.SERVICE, "TaskCompleted", data, actor)


def reopened(task: Task, actor: str) -> DomainEvent:
    data = models.TaskReopened(taskId=task.id, userId=task.ownerId, ownerId=task.ownerId, projectId=task.projectId,
                               status=task.status, category=task.category,
                               dueAt=_due(task), estimateMinutes=task.estimateMinutes)
    return DomainEvent.new(models.SERVICE, "TaskReopened", data, actor)


def _due(task: Task) -> str | None:
    return to_iso(task.dueAt) if task.dueAt else None


def deleted(task: Task, actor: str) -> DomainEvent:
    data = models.TaskDeleted(taskId=task.id, ownerId=task.ownerId, projectId=task.projectId)
    return DomainEvent.new(models.SERVICE, "TaskDeleted", data, actor)

"""Completing and reopening a task, and the figures a completion carries.

``efficiency`` = min(100, estimate / actual * 100), rounded to one decimal, ``None`` when either is
missing or zero; ``onTime`` = completed no later than due, ``None`` without a due date. Exactly one
TaskCompleted is written per completion, in the same transaction as the task; ``firstCompletion`` is
true only the first time the task is ever completed (``firstCompletedAt`` is stored, and the write is
conditioned on its absence), so engagement awards a task once however often it is reopened.
"""

from __future__ import annotations

from datetime import datetime

from deepiri_common.clock import utc_now
from deepiri_common.events import DomainEvent
from deepiri_common.problems import Conflict, PreconditionFailed
from deepiri_tasks.logic import tasks_events as events
from deepiri_tasks.logic.status import check_no_open_blockers, check_reopen
from deepiri_tasks.logic.tasks_access import TaskServices, require_writable
from deepiri_tasks.logic.versions import commit
from deepiri_tasks.models.tasks import CompleteRequest, Completion, Task

COMPLETABLE = ("todo", "in_progress", "review")


def efficiency(estimate_minutes: int | None, actual_minutes: int | None) -> float | None:
    """How close the actual time came to the estimate, capped at 100."""
    if not estimate_minutes or not actual_minutes:
        return None
    return round(min(100.0, estimate_minutes / actual_minutes * 100), 1)


def on_time(completed_at: datetime, due_at: datetime | None) -> bool | None:
    """Whether a task completed at ``completed_at`` met its due date."""
    return None if due_at is None else completed_at <= due_at


def mark_done(
    task: Task, actor: str, now: datetime, actual_minutes: int | None = None
) -> tuple[Task, list[DomainEvent], Completion]:
    """``task`` completed at ``now`` (not yet stored), its events and the completion figures."""
    first = task.firstCompletedAt is None
    after = task.model_copy(update={
        "status": "done", "completedAt": now, "updatedAt": now, "version": task.version + 1,
        "actualMinutes": task.actualMinutes if actual_minutes is None else actual_minutes,
        "firstCompletedAt": now if first else task.firstCompletedAt,
    })
    ratio = efficiency(after.estimateMinutes, after.actualMinutes)
    punctual = on_time(now, after.dueAt)
    published = [events.status_changed(after, task.status, actor),
                 events.completed(after, actor, ratio, punctual, first)]
    return after, published, Completion(task=after, efficiency=ratio, onTime=punctual, firstCompletion=first)


def complete_task(services: TaskServices, user_id: str, task_id: str, body: CompleteRequest) -> Completion:
    """Complete an open task (todo, in progress or in review); 409 if done already, blocked or cancelled."""
    task = require_writable(services, task_id, user_id)
    if body.version is not None and body.version != task.version:
        raise PreconditionFailed(f"the task is at version {task.version}, not {body.version}")
    if task.status == "done":
        raise Conflict("the task is already done; reopen it first", currentStatus=task.status)
    if task.status not in COMPLETABLE:
        raise Conflict(f"a {task.status} task cannot be completed", currentStatus=task.status)
    check_no_open_blockers(services.blockers, task.id)
    after, published, completion = mark_done(task, user_id, utc_now(), body.actualMinutes)
    commit(services, task, after, user_id, body.notes, published=published)
    return completion


def reopen_task(services: TaskServices, user_id: str, task_id: str) -> Task:
    """Bring a done (or cancelled) task back to todo; a later completion is not a first one."""
    task = require_writable(services, task_id, user_id)
    check_reopen(task.status)
    now = utc_now()
    after = task.model_copy(update={"status": "todo", "completedAt": None, "updatedAt": now,
                                    "version": task.version + 1})
    published = [events.status_changed(after, task.status, user_id), events.reopened(after, user_id)]
    return commit(services, task, after, user_id, None, published=published)

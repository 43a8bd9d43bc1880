"""Completing and reopening a task, and the figures a completion carries.

``efficiency`` = min(100, estimate / actual * 100), rounded to one decimal, ``None`` when either is
missing or zero; ``onTime`` = completed no later than due, ``None`` without a due date. Exactly one
TaskCompleted is written per completion, in the same transaction as the task; ``firstCompletion`` is
true only the first time the task is ever completed (``firstCompletedAt`` is stored, and the write is
conditioned on its absence), so engagement awards a task once however often it is reopened.

A client may say the work was finished earlier (``completedAt``): an offline client catching up just
after its day rolled over still extends yesterday's streak. It may not be in the future nor more than
``GRACE_HOURS`` back; TaskCompleted carries it as the activity time (the request's time otherwise).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from deepiri_common.clock import utc_now
from deepiri_common.events import DomainEvent
from deepiri_common.problems import Conflict, PreconditionFailed, ValidationFailed
from deepiri_tasks.logic import tasks_events as events
from deepiri_tasks.logic.status import check_no_open_blockers, check_reopen
from deepiri_tasks.logic.tasks_access import TaskServices, require_writable
from deepiri_tasks.logic.versions import commit
from deepiri_tasks.models.tasks import CompleteRequest, Completion, Task

COMPLETABLE = ("todo", "in_progress", "review")
GRACE_HOURS = 6
GRACE = timedelta(hours=GRACE_HOURS)


def efficiency(estimate_minutes: int | None, actual_minutes: int | None) -> float | None:
    """How close the actual time came to the estimate, capped at 100."""
    if not estimate_minutes or not actual_minutes:
        return None
    return round(min(100.0, estimate_minutes / actual_minutes * 100), 1)


def on_time(completed_at: datetime, due_at: datetime | None) -> bool | None:
    """Whether a task completed at ``completed_at`` met its due date."""
    return None if due_at is None else completed_at <= due_at


def mark_done(
    task: Task, actor: str, now: datetime, actual_minutes: int | None = None, completed_at: datetime | None = None
) -> tuple[Task, list[DomainEvent], Completion]:
    """``task`` completed at ``completed_at`` (default ``now``; not yet stored), its events and the figures."""
    first, done_at = task.firstCompletedAt is None, completed_at or now
    after = task.model_copy(update={
        "status": "done", "completedAt": done_at, "updatedAt": now, "version": task.version + 1,
        "actualMinutes": task.actualMinutes if actual_minutes is None else actual_minutes,
        "firstCompletedAt": done_at if first else task.firstCompletedAt,
    })
    ratio = efficiency(after.estimateMinutes, after.actualMinutes)
    punctual = on_time(done_at, after.dueAt)
    published = [events.status_changed(after, task.status, actor),
                 events.completed(after, actor, ratio, punctual, first)]
    return after, published, Completion(task=after, efficiency=ratio, onTime=punctual, firstCompletion=first)


def grace_checked(completed_at: datetime | None, now: datetime) -> datetime | None:
    """A client's ``completedAt`` if within the grace window (not after ``now``, at most ``GRACE`` before);
    422 naming the field otherwise."""
    if completed_at is None:
        return None
    if completed_at > now:
        raise ValidationFailed([{"field": "body.completedAt", "message": "must not be in the future"}])
    if completed_at < now - GRACE:
        raise ValidationFailed([{"field": "body.completedAt",
                                 "message": f"must be at most {GRACE_HOURS} hours before now"}])
    return completed_at


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
    now = utc_now()
    after, published, completion = mark_done(task, user_id, now, body.actualMinutes,
                                             grace_checked(body.completedAt, now))
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

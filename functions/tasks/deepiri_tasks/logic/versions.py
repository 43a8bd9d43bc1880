"""A task's history: every change is a version entry written in the same transaction as the change.

Entry ``n`` (the task's version after the change) records each changed field as ``{old, new}``, the
actor, an optional reason and the time, plus a snapshot of the task, which is what ``restore`` reads:
restoring version ``n`` sets the editable fields back to their values at ``n`` as a new version (status
and completion are left alone; they only move through the status machine).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from deepiri_common.clock import utc_now
from deepiri_common.events import DomainEvent
from deepiri_common.pagination import Page, PageQuery, decode_cursor, encode_cursor
from deepiri_common.problems import NotFound
from deepiri_tasks.logic import tasks_events as events
from deepiri_tasks.logic.tasks_access import TaskServices, require_visible, require_writable
from deepiri_tasks.models.tasks import EDITABLE_FIELDS, FieldChange, Task, TaskVersion

_UNTRACKED = frozenset({"version", "updatedAt"})


def diff(before: Task | None, after: Task) -> dict[str, FieldChange]:
    """Each field that differs between ``before`` (``None``: created) and ``after``, as ``{old, new}``."""
    old: dict[str, Any] = before.model_dump(mode="json") if before else {}
    new = after.model_dump(mode="json")
    return {
        name: FieldChange(old=old.get(name), new=value)
        for name, value in new.items()
        if name not in _UNTRACKED and old.get(name) != value and (before is not None or value not in (None, [], ""))
    }


def record(before: Task | None, after: Task, actor: str, reason: str | None, at: datetime) -> TaskVersion:
    """The history entry for the change ``before`` → ``after``."""
    return TaskVersion(version=after.version, changes=diff(before, after), actor=actor, reason=reason, at=at)


def commit(
    services: TaskServices, before: Task | None, after: Task, actor: str, reason: str | None,
    *, published: list[DomainEvent], expires_at: int | None = None,
) -> Task:
    """Store the change with its history entry and events, atomically; returns ``after``."""
    services.tasks.save(before, after, record(before, after, actor, reason, after.updatedAt), published,
                        expires_at=expires_at)
    return after


def list_versions(services: TaskServices, user_id: str, task_id: str, page: PageQuery) -> Page[TaskVersion]:
    """The task's history, newest first."""
    require_visible(services, task_id, user_id)
    start = decode_cursor(page.cursor) if page.cursor else None
    items, last = services.tasks.versions(task_id, page.limit, start)
    return Page(items=items, next_cursor=encode_cursor(last) if last else None)


def restore_version(services: TaskServices, user_id: str, task_id: str, version: int) -> Task:
    """Set the editable fields back to their values at ``version``, as a new version."""
    task = require_writable(services, task_id, user_id)
    # no snapshot exists outside 1..version, so the read answers none and the 404 is the same: the range check
    # only saves the read (its mutants are equivalent)
    snapshot = services.tasks.snapshot_at(task_id, version) if 1 <= version <= task.version else None
    if snapshot is None:
        raise NotFound(f"version {version} not found")
    values = {name: getattr(snapshot, name) for name in EDITABLE_FIELDS}
    changed = [name for name, value in values.items() if getattr(task, name) != value]
    if not changed:
        return task
    now = utc_now()
    after = task.model_copy(update={**values, "updatedAt": now, "version": task.version + 1})
    event = events.updated(after, changed, user_id)
    return commit(services, task, after, user_id, f"restored version {version}", published=[event])

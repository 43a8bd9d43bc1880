"""Due-date reminders, sent by a job every 15 minutes.

- ``TaskDueSoon`` when an open task falls due within the lead time (settings'
  ``default_reminder_lead_minutes``); ``TaskOverdue`` once its due time has passed (looking back one
  day, so a job that was down for a while still catches up).
- Each is sent once per task and due date whatever the job's retries or overlaps: a marker item is
  created (``attribute_not_exists``) in the same transaction as the outbox event. Moving the due date
  makes a new reminder possible; a done or cancelled task gets none.
- Due tasks are found without a Scan: hour buckets of a sparse due index (``dal.reminders``) covering
  ``[now - 1 day, now + lead]``, one Query each.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Protocol

from deepiri_common.clock import parse_iso, to_iso
from deepiri_common.events import DomainEvent
from deepiri_tasks.dal.reminders import hour_bucket
from deepiri_tasks.models.graph import TaskFacts
from deepiri_tasks.models.reminders import Kind, ReminderRun, TaskReminderData

SERVICE = "tasks"
ACTOR = "system:reminders"
OVERDUE_LOOKBACK = timedelta(days=1)
MAX_LEAD_MINUTES = 7 * 24 * 60  # bounds the number of bucket Queries per run

EVENT_OF: dict[Kind, str] = {"DUESOON": "TaskDueSoon", "OVERDUE": "TaskOverdue"}


class ReminderStore(Protocol):
    def due_between(self, buckets: list[str], start: str, end: str) -> list[tuple[str, str]]: ...
    def facts_many(self, task_ids: Iterable[str]) -> dict[str, TaskFacts]: ...
    def remind_once(self, task_id: str, kind: Kind, due_at: str, event: DomainEvent) -> bool: ...


def hour_buckets(start: datetime, end: datetime) -> list[str]:
    """Every hour bucket from ``start``'s to ``end``'s, inclusive."""
    hour = start.replace(minute=0, second=0, microsecond=0)
    buckets = []
    while hour <= end:
        buckets.append(hour_bucket(hour))
        hour += timedelta(hours=1)
    return buckets


def reminder_kind(due_at: datetime, now: datetime, lead: timedelta) -> Kind | None:
    """Which reminder a task due at ``due_at`` needs at ``now``, if any."""
    if now - OVERDUE_LOOKBACK < due_at <= now:
        return "OVERDUE"
    if now < due_at <= now + lead:  # a task due at now was answered OVERDUE above: ``<=`` is equivalent
        return "DUESOON"
    return None


def send_reminders(store: ReminderStore, now: datetime, lead_minutes: int) -> ReminderRun:
    lead = timedelta(minutes=max(0, min(lead_minutes, MAX_LEAD_MINUTES)))
    start, end = now - OVERDUE_LOOKBACK, now + lead
    pointers = store.due_between(hour_buckets(start, end), to_iso(start), to_iso(end))
    tasks = store.facts_many({task_id for task_id, _ in pointers})
    sent: dict[Kind, int] = {"DUESOON": 0, "OVERDUE": 0}
    for task_id, due_text in sorted(set(pointers)):
        task = tasks.get(task_id)
        due_at = parse_iso(due_text)
        # A pointer outlives a changed or cleared due date: only the task's current one counts.
        if task is None or task.is_closed or task.dueAt is None or parse_iso(task.dueAt) != due_at:
            continue
        kind = reminder_kind(due_at, now, lead)
        if kind is None:
            continue
        data = TaskReminderData(taskId=task_id, userId=task.ownerId, dueAt=to_iso(due_at), title=task.title)
        if store.remind_once(task_id, kind, to_iso(due_at), DomainEvent.new(SERVICE, EVENT_OF[kind], data, ACTOR)):
            sent[kind] += 1
    return ReminderRun(checked=len(pointers), dueSoon=sent["DUESOON"], overdue=sent["OVERDUE"])

"""Due-date reminders: the window's edges, the hour buckets it queries, and one run of the job."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

import pytest

from deepiri_common.clock import to_iso
from deepiri_common.events import DomainEvent
from deepiri_tasks.logic import reminders
from deepiri_tasks.logic.reminders import hour_buckets, reminder_kind, send_reminders
from deepiri_tasks.models.graph import TaskFacts

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LEAD = timedelta(minutes=60)


@pytest.mark.parametrize(("due", "kind"), [
    (NOW, "OVERDUE"),  # due this very instant: overdue, not due soon
    (NOW + timedelta(microseconds=1), "DUESOON"),
    (NOW + LEAD, "DUESOON"),  # the far edge of the lead time is included
    (NOW + LEAD + timedelta(microseconds=1), None),
    (NOW - timedelta(days=1) + timedelta(microseconds=1), "OVERDUE"),
    (NOW - timedelta(days=1), None),  # exactly a day late: past the look-back
])
def test_given_due_times_at_the_window_edges_then_the_reminder_kind_is_exact(
    due: datetime, kind: str | None
) -> None:
    assert reminder_kind(due, NOW, LEAD) == kind


def test_given_the_constants_then_reminders_look_back_one_day_and_ahead_at_most_a_week() -> None:
    assert timedelta(days=1) == reminders.OVERDUE_LOOKBACK
    assert reminders.MAX_LEAD_MINUTES == 7 * 24 * 60
    assert reminders.EVENT_OF == {"DUESOON": "TaskDueSoon", "OVERDUE": "TaskOverdue"}


def test_given_a_window_starting_mid_hour_then_its_first_bucket_is_that_hour() -> None:
    start = datetime(2026, 3, 1, 9, 59, 59, 999_999, tzinfo=UTC)

    assert hour_buckets(start, datetime(2026, 3, 1, 11, 0, tzinfo=UTC)) == [
        "2026-03-01T09", "2026-03-01T10", "2026-03-01T11",
    ]


def test_given_a_window_ending_just_before_an_hour_then_that_hour_is_not_queried() -> None:
    start = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)

    assert hour_buckets(start, datetime(2026, 3, 1, 10, 59, 59, tzinfo=UTC)) == ["2026-03-01T09", "2026-03-01T10"]


class MemoryReminders:
    """A ReminderStore: due pointers, task facts, and the reminders already sent (once each)."""

    def __init__(self, pointers: list[tuple[str, str]], tasks: list[TaskFacts]) -> None:
        self.pointers, self.tasks = pointers, {t.id: t for t in tasks}
        self.sent: dict[tuple[str, str, str], DomainEvent] = {}
        self.queried: tuple[list[str], str, str] | None = None

    def due_between(self, buckets: list[str], start: str, end: str) -> list[tuple[str, str]]:
        self.queried = (buckets, start, end)
        return [p for p in self.pointers if start <= p[1] <= end]

    def facts_many(self, task_ids: Iterable[str]) -> dict[str, TaskFacts]:
        return {i: self.tasks[i] for i in task_ids if i in self.tasks}

    def remind_once(self, task_id: str, kind: str, due_at: str, event: DomainEvent) -> bool:
        if (task_id, kind, due_at) in self.sent:
            return False
        self.sent[(task_id, kind, due_at)] = event
        return True


def _due(delta: timedelta) -> str:
    return to_iso(NOW + delta)


def test_given_due_and_overdue_tasks_when_the_job_runs_twice_then_each_reminder_is_sent_once() -> None:
    soon, late = _due(timedelta(minutes=30)), _due(timedelta(hours=-3))
    moved, closed = _due(timedelta(minutes=10)), _due(timedelta(minutes=20))
    store = MemoryReminders(
        pointers=[("T1", soon), ("T2", late), ("T3", moved), ("T4", closed), ("T5", soon), ("T1", soon)],
        tasks=[
            TaskFacts(id="T1", ownerId="ada", title="ship it", dueAt=soon),
            TaskFacts(id="T2", ownerId="bob", title="late", dueAt=late),
            TaskFacts(id="T3", ownerId="ada", dueAt=_due(timedelta(days=3))),  # the pointer is stale
            TaskFacts(id="T4", ownerId="ada", status="done", dueAt=closed),
        ],
    )

    first = send_reminders(store, NOW, lead_minutes=60)
    again = send_reminders(store, NOW, lead_minutes=60)

    assert (first.checked, first.dueSoon, first.overdue) == (6, 1, 1)
    assert (again.dueSoon, again.overdue) == (0, 0)
    assert set(store.sent) == {("T1", "DUESOON", soon), ("T2", "OVERDUE", late)}
    event = store.sent[("T1", "DUESOON", soon)]
    assert (event.source, event.detail_type, event.detail.actor) == ("deepiri.tasks", "TaskDueSoon", "system:reminders")
    assert event.detail.data == {"taskId": "T1", "userId": "ada", "dueAt": soon, "title": "ship it"}
    assert store.sent[("T2", "OVERDUE", late)].detail_type == "TaskOverdue"


def test_given_a_task_without_a_due_date_any_more_then_no_reminder() -> None:
    soon = _due(timedelta(minutes=5))
    store = MemoryReminders([("T1", soon)], [TaskFacts(id="T1", ownerId="ada", dueAt=None)])

    assert send_reminders(store, NOW, lead_minutes=60).dueSoon == 0


@pytest.mark.parametrize(("lead_minutes", "end"), [
    (60, NOW + timedelta(minutes=60)),
    (-5, NOW),
    (10**9, NOW + timedelta(days=7)),
])
def test_given_a_lead_time_then_the_window_queried_is_one_day_back_to_the_bounded_lead(
    lead_minutes: int, end: datetime
) -> None:
    store = MemoryReminders([], [])

    send_reminders(store, NOW, lead_minutes=lead_minutes)

    assert store.queried is not None
    buckets, start_text, end_text = store.queried
    assert (start_text, end_text) == (to_iso(NOW - timedelta(days=1)), to_iso(end))
    assert buckets == hour_buckets(NOW - timedelta(days=1), end)


def test_given_a_due_soon_task_beyond_a_short_lead_then_it_waits() -> None:
    later = _due(timedelta(minutes=45))
    store = MemoryReminders([("T1", later)], [TaskFacts(id="T1", ownerId="ada", dueAt=later)])
    store.due_between = lambda buckets, start, end: [("T1", later)]  # type: ignore[method-assign]

    assert send_reminders(store, NOW, lead_minutes=30).dueSoon == 0


def test_given_pointers_to_skip_before_others_then_the_run_goes_on_and_counts_every_reminder() -> None:
    # Sorted by task id: A is due exactly a day ago (the window's first instant, past the look-back) and B's
    # pointer is stale; both are skipped, and the reminders after them are all sent and counted.
    start, stale = _due(timedelta(days=-1)), _due(timedelta(minutes=15))
    soon, sooner, late = _due(timedelta(minutes=40)), _due(timedelta(minutes=20)), _due(timedelta(hours=-2))
    store = MemoryReminders(
        pointers=[("A", start), ("B", stale), ("C", soon), ("D", sooner), ("E", late)],
        tasks=[TaskFacts(id="A", ownerId="ada", dueAt=start),
               TaskFacts(id="B", ownerId="ada", dueAt=_due(timedelta(days=2))),
               TaskFacts(id="C", ownerId="ada", dueAt=soon), TaskFacts(id="D", ownerId="bob", dueAt=sooner),
               TaskFacts(id="E", ownerId="bob", dueAt=late)],
    )

    run = send_reminders(store, NOW, lead_minutes=60)

    assert (run.checked, run.dueSoon, run.overdue) == (5, 2, 1)
    assert set(store.sent) == {("C", "DUESOON", soon), ("D", "DUESOON", sooner), ("E", "OVERDUE", late)}

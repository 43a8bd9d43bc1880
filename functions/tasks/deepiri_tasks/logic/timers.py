"""Time tracking: one running timer per user; stopped intervals add to the task's actualMinutes.

- Starting a timer needs the right to work on the task (owner, assignee, project member and up).
  Starting it again on the same task answers the running timer; starting on another task stops the
  running one first and books its minutes, in the same transaction as the new start.
- Stopping books the interval (whole minutes, half a minute rounds up): one transaction removes the
  running timer (on the condition that it is still the one read, so an interval is booked once),
  stores the interval and puts ``TimerStopped`` in the outbox; then the core's ``add_actual_minutes``
  adds it to the task's actualMinutes with its history entry and ``TaskUpdated`` (whose values carry the
  new total). 409 when no timer of the caller runs on the task.
- The report lists the task's intervals (everyone's) with the total, and the caller's running timer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from deepiri_common.clock import parse_iso, to_iso
from deepiri_common.events import DomainEvent
from deepiri_common.ids import new_ulid
from deepiri_common.problems import Conflict
from deepiri_tasks.logic.access import ProjectAccess
from deepiri_tasks.logic.graph import TaskLookup
from deepiri_tasks.logic.tasks_access import find_visible, find_writable
from deepiri_tasks.models.events import TaskUpdated, TimerStopped
from deepiri_tasks.models.graph import TaskFacts
from deepiri_tasks.models.timers import (
    RunningTimer,
    TimeInterval,
    TimeReport,
    TimerStarted,
)

SERVICE = "tasks"


class TimerStore(Protocol):
    def running(self, user_id: str) -> RunningTimer | None: ...
    def start(self, timer: RunningTimer) -> bool: ...
    def book(self, stopped: RunningTimer, interval: TimeInterval, announce: DomainEvent,
             then_start: RunningTimer | None = None) -> bool: ...
    def intervals(self, task_id: str) -> list[TimeInterval]: ...


class MinutesBook(Protocol):
    """The core's task repository: adds minutes with a history entry and the event, atomically.

    ``announce`` builds the event from the task's new total of actual minutes.
    """

    def add_actual_minutes(self, task_id: str, minutes: int, announce: Callable[[int], DomainEvent]) -> object: ...


def booked_minutes(started_at: str, stopped_at: str) -> int:
    """Whole minutes between two instants; half a minute or more rounds up; never negative."""
    seconds = (parse_iso(stopped_at) - parse_iso(started_at)).total_seconds()
    return max(0, int(seconds + 30) // 60)


def interval_of(timer: RunningTimer, now: datetime) -> TimeInterval:
    stopped_at = to_iso(now)
    return TimeInterval(id=timer.intervalId, taskId=timer.taskId, userId=timer.userId, startedAt=timer.startedAt,
                        stoppedAt=stopped_at, minutes=booked_minutes(timer.startedAt, stopped_at))


def timer_stopped(interval: TimeInterval, actor: str) -> DomainEvent:
    """The ``TimerStopped`` event of a booked interval (published even for 0 minutes: the timer did stop)."""
    data = TimerStopped(taskId=interval.taskId, userId=interval.userId, minutes=interval.minutes,
                        startedAt=interval.startedAt, stoppedAt=interval.stoppedAt)
    return DomainEvent.new(SERVICE, "TimerStopped", data, actor=actor)


def _add_minutes(book: MinutesBook, task: TaskFacts | None, interval: TimeInterval, actor: str) -> None:
    if task is None or interval.minutes == 0:
        return  # nothing to add, or the task is gone: the interval is still kept

    def announce(total: int) -> DomainEvent:
        data = TaskUpdated(taskId=task.id, changed=["actualMinutes"], values={"actualMinutes": total},
                           ownerId=task.ownerId, projectId=task.projectId, assigneeIds=sorted(task.assigneeIds),
                           userId=task.ownerId)
        return DomainEvent.new(SERVICE, "TaskUpdated", data, actor=actor)

    book.add_actual_minutes(task.id, interval.minutes, announce)


def start_timer(tasks: TaskLookup, projects: ProjectAccess, store: TimerStore, book: MinutesBook, *, user_id: str,
                task_id: str, now: datetime) -> TimerStarted:
    find_writable(tasks.facts, projects, task_id, user_id, collaborate=True)
    running = store.running(user_id)
    if running is not None and running.taskId == task_id:
        return TimerStarted(timer=running)
    timer = RunningTimer(userId=user_id, taskId=task_id, intervalId=new_ulid(int(now.timestamp() * 1000)),
                         startedAt=to_iso(now))
    if running is None:
        if not store.start(timer):
            raise Conflict("a timer was started concurrently; retry")
        return TimerStarted(timer=timer)
    interval = interval_of(running, now)
    if not store.book(running, interval, timer_stopped(interval, user_id), then_start=timer):
        raise Conflict("the running timer changed concurrently; retry")
    _add_minutes(book, tasks.facts(running.taskId), interval, user_id)
    return TimerStarted(timer=timer, stopped=interval)


def stop_timer(tasks: TaskLookup, projects: ProjectAccess, store: TimerStore, book: MinutesBook, *, user_id: str,
               task_id: str, now: datetime) -> TimeInterval:
    task = find_visible(tasks.facts, projects, task_id, user_id)
    running = store.running(user_id)
    if running is None or running.taskId != task_id:
        raise Conflict(f"no timer of yours is running on task {task_id}")
    interval = interval_of(running, now)
    if not store.book(running, interval, timer_stopped(interval, user_id)):
        raise Conflict("the running timer changed concurrently; retry")
    _add_minutes(book, task, interval, user_id)
    return interval


def time_report(tasks: TaskLookup, projects: ProjectAccess, store: TimerStore, *, user_id: str,
                task_id: str) -> TimeReport:
    find_visible(tasks.facts, projects, task_id, user_id)
    intervals = store.intervals(task_id)
    running = store.running(user_id)
    return TimeReport(taskId=task_id, intervals=intervals, totalMinutes=sum(i.minutes for i in intervals),
                      running=running if running is not None and running.taskId == task_id else None)

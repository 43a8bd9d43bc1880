"""Events → read-model changes (CQRS projection), as pure functions.

Every change is an addition to counters or a newest-wins value, so applying a stream's events in any
order, each once (the store keeps an applied marker per event id), gives the same rows; the one thing
order can change is the day an activity lands on when it is handled before the user's day settings
(it is placed with UTC then). A user's local day is shifted by their ``dayStartHour`` (a day that
starts at 04:00 keeps 01:30 on the day before), as engagement's streaks count it.

- TaskCreated: ``created`` and ``created@<category>`` on the local day it happened; the project's ``created``
  on the UTC day; the task's open row (status, category, due date, estimate).
- TaskUpdated: the open row's status, category, due date and estimate, from the event's values, each field
  newest wins.
- TaskCompleted (any) and TaskDeleted: the open row goes (``Close``); TaskReopened: it is back with the
  task's values as it reopened (``Reopen``), whichever of a task's closings and reopenings happened last wins.
- TaskCompleted (first completions only, so a reopened and completed-again task counts once): ``completed``,
  ``completed@<category>``,
  ``onTime`` / ``late`` when the task had a due date, estimate and actual minutes when it had an estimate,
  one completion in the heatmap's local hour of week; the project's ``completed`` and cycle time (the
  time from the task's creation, read from its ULID, to its completion).
- TaskOverdue: ``overdue``. TimerStopped: ``focusMinutes`` and ``timers`` on the day it stopped, minutes
  in the heatmap's hour the timer started. XpAwarded: ``xp``. ChallengeStarted: ``challengesStarted`` on
  the local day of its ``startedAt``; ChallengeCompleted: ``challengesCompleted`` on that of its ``completedAt``.
- StreakUpdated: the user's streak. UserRegistered / UserSettingsChanged: the user's day settings.
- ProjectCreated / MemberAdded / MemberRemoved: who may read a project's summary.
- UserDeleted: every row of the user goes.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel

from deepiri_analytics.models import feed
from deepiri_analytics.models.rows import TRACKED, Add, Close, DaySettings, Effect, Forget, Latest, Reopen, Track
from deepiri_common.clock import parse_iso
from deepiri_common.ids import is_ulid, ulid_time


def order_of(occurred_at: str, event_id: str) -> str:
    """The key that orders events for newest-wins values: the time they happened, then their id."""
    return f"{occurred_at}#{event_id}"


def _zone(settings: DaySettings) -> ZoneInfo:
    try:
        return ZoneInfo(settings.timezone)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_day(moment: datetime, settings: DaySettings) -> date:
    """The user's day ``moment`` falls on: their local date, shifted back by their day start hour."""
    return (moment.astimezone(_zone(settings)) - timedelta(hours=settings.dayStartHour)).date()


def hour_of_week(moment: datetime, settings: DaySettings) -> int:
    """0..167: the user's local weekday (Monday 0) x 24 + local hour."""
    local = moment.astimezone(_zone(settings))
    return local.weekday() * 24 + local.hour


def user_key(user_id: str) -> str:
    return f"USER#{user_id}"


def project_key(project_id: str) -> str:
    return f"PROJECT#{project_id}"


def day_row(day: date) -> str:
    return f"DAY#{day.isoformat()}"


def periods(moment: datetime) -> tuple[str, str, str]:
    """The UTC day, ISO week and month of ``moment``: the periods active users are counted in."""
    year, week, _ = moment.isocalendar()
    return f"DAY#{moment.date().isoformat()}", f"WEEK#{year}-W{week:02d}", f"MONTH#{moment.strftime('%Y-%m')}"


def active_key(period: str) -> str:
    return f"ACTIVE#{period}"


def activity(user_id: str, moment: datetime) -> list[Effect]:
    """The user was active at ``moment``: one more event in their UTC day, ISO week and month."""
    return [Add(active_key(period), user_id, {"events": 1}) for period in periods(moment)]


def effects(data: BaseModel, occurred_at: str, event_id: str, settings: DaySettings) -> list[Effect]:
    """What one event changes in the read models (``settings``: the user's day settings as known now)."""
    at = parse_iso(occurred_at)
    order = order_of(occurred_at, event_id)
    if isinstance(data, TaskEvent):
        return _task(data, at, order, settings)
    if isinstance(data, feed.TimerStoppedData):
        return _timer(data, settings)
    if isinstance(data, feed.UserDeletedData):
        return [Forget(data.userId)]
    latest = _latest(data, order)
    return [latest] if latest is not None else _counted(data, at, settings)


TaskEvent = (feed.TaskCreatedData | feed.TaskUpdatedData | feed.TaskReopenedData | feed.TaskDeletedData
             | feed.TaskCompletedData)


def _task(data: TaskEvent, at: datetime, order: str, settings: DaySettings) -> list[Effect]:
    """A task's lifecycle: its counters, and its open row kept (created, updated, reopened) or closed
    (completed, deleted)."""
    if isinstance(data, feed.TaskCreatedData):
        tracked = Track(data.userId, data.taskId, {"status": data.status, "category": data.category,
                                                   "dueAt": data.dueAt, "estimateMinutes": data.estimateMinutes}, order)
        return [*_created(data, at, settings), tracked]
    if isinstance(data, feed.TaskUpdatedData):
        values = {name: data.values[name] for name in TRACKED if name in data.values}
        return [Track(data.userId, data.taskId, values, order)] if values else []
    if isinstance(data, feed.TaskReopenedData):
        if data.status is None or data.category is None:  # archived before the event carried the task's values
            return []
        return [Reopen(data.userId, data.taskId, {"status": data.status, "category": data.category,
                                                  "dueAt": data.dueAt, "estimateMinutes": data.estimateMinutes}, order)]
    if isinstance(data, feed.TaskDeletedData):
        return [Close(data.ownerId, data.taskId, order)]
    return [*_completed(data, settings), Close(data.userId, data.taskId, order)]


def _latest(data: BaseModel, order: str) -> Latest | None:
    """Newest-wins values: day settings, streaks, memberships."""
    if isinstance(data, feed.DaySettingsData):
        return Latest(user_key(data.userId), "PROFILE", {"timezone": data.timezone,
                                                          "dayStartHour": data.dayStartHour}, order)
    if isinstance(data, feed.StreakUpdatedData):
        return Latest(user_key(data.userId), "STREAK", {"days": data.days, "longest": data.longest}, order)
    if isinstance(data, feed.ProjectCreatedData):
        return Latest(project_key(data.projectId), f"MEMBER#{data.ownerId}", {"member": True}, order)
    if isinstance(data, feed.MemberAddedData | feed.MemberRemovedData):
        member = isinstance(data, feed.MemberAddedData)
        return Latest(project_key(data.projectId), f"MEMBER#{data.userId}", {"member": member}, order)
    return None


def _counted(data: BaseModel, at: datetime, settings: DaySettings) -> list[Effect]:
    """Events that add one counter to the user's day of ``at`` (a challenge's: the day it started or ended)."""
    if isinstance(data, feed.TaskOverdueData):
        counts = {"overdue": 1}
    elif isinstance(data, feed.XpAwardedData):
        counts = {"xp": data.amount}
    elif isinstance(data, feed.ChallengeStartedData):
        counts, at = {"challengesStarted": 1}, parse_iso(data.startedAt)
    elif isinstance(data, feed.ChallengeCompletedData):
        counts, at = {"challengesCompleted": 1}, parse_iso(data.completedAt)
    else:
        return []
    user_id: str = data.userId
    return [Add(user_key(user_id), day_row(local_day(at, settings)), counts), *activity(user_id, at)]


def _created(data: feed.TaskCreatedData, at: datetime, settings: DaySettings) -> list[Effect]:
    counts = {"created": 1, f"created@{data.category}": 1}
    changes: list[Effect] = [Add(user_key(data.userId), day_row(local_day(at, settings)), counts)]
    if data.projectId:
        changes.append(Add(project_key(data.projectId), day_row(at.date()), {"created": 1}))
    return [*changes, *activity(data.userId, at)]


def _completed(data: feed.TaskCompletedData, settings: DaySettings) -> list[Effect]:
    if not data.firstCompletion:
        return []
    at = parse_iso(data.completedAt)
    counts = {"completed": 1, f"completed@{data.category}": 1}
    if data.onTime is not None:
        counts["onTime" if data.onTime else "late"] = 1
    if data.estimateMinutes:
        counts |= {"estimated": 1, "estimateMinutes": data.estimateMinutes, "actualMinutes": data.actualMinutes}
    user = user_key(data.userId)
    changes: list[Effect] = [Add(user, day_row(local_day(at, settings)), counts),
                             Add(user, "HEATMAP", {f"c{hour_of_week(at, settings)}": 1})]
    if data.projectId:
        project = {"completed": 1}
        if is_ulid(data.taskId):
            # ``/`` in place of ``//`` is equivalent: int() truncates a positive span alike, and a negative one
            # ends at 0 either way.
            minutes = max(0, int((at - ulid_time(data.taskId)).total_seconds() // 60))
            project |= {"cycleMinutes": minutes, "cycles": 1}
        changes.append(Add(project_key(data.projectId), day_row(at.date()), project))
    return [*changes, *activity(data.userId, at)]


def _timer(data: feed.TimerStoppedData, settings: DaySettings) -> list[Effect]:
    stopped, started = parse_iso(data.stoppedAt), parse_iso(data.startedAt)
    user = user_key(data.userId)
    changes: list[Effect] = [Add(user, day_row(local_day(stopped, settings)),
                                 {"focusMinutes": data.minutes, "timers": 1})]
    if data.minutes:
        changes.append(Add(user, "HEATMAP", {f"f{hour_of_week(started, settings)}": data.minutes}))
    return [*changes, *activity(data.userId, stopped)]

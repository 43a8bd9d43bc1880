"""Read-model rows and the changes events make to them.

Layout of the analytics table (``pk`` / ``sk``):

    USER#<userId>     / PROFILE            timezone and dayStartHour (the users service's values), newest wins
    USER#<userId>     / STREAK             streak days and best, newest StreakUpdated wins
    USER#<userId>     / DAY#<local date>   counters of one local day (see DAY_COUNTERS), and per task category
                                           ``created@<category>`` and ``completed@<category>``
    USER#<userId>     / OPEN#<taskId>      an open task: status, category, dueAt, estimateMinutes, each with the
                                           order ``o_<name>`` of the event that set it (newest wins per field)
    USER#<userId>     / CLOSED#<taskId>    the task was completed or deleted: its OPEN row is gone for good
    USER#<userId>     / LOG#<occurredAt>#<eventId>  an event the user is the subject or (a user) the actor of:
                                           detailType and the delivered body, for their export
    USER#<userId>     / HEATMAP            c<h> completions and f<h> focus minutes per local hour of week
    USER#<userId>     / INSIGHTS           the last insights the weekly job wrote
    PROJECT#<id>      / DAY#<UTC date>     created, completed, cycle minutes and cycles of the project's tasks
    PROJECT#<id>      / MEMBER#<userId>    member true/false, newest membership event wins
    ACTIVE#<period>   / <userId>           events the user caused in a UTC day, ISO week or month
    EVENT#<eventId>   / EVENT              the event was applied (written in the same transaction)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

DAY_COUNTERS = ("created", "completed", "onTime", "late", "overdue", "focusMinutes", "timers", "estimated",
                "estimateMinutes", "actualMinutes", "xp", "challengesStarted", "challengesCompleted")
PROJECT_COUNTERS = ("created", "completed", "cycleMinutes", "cycles")


@dataclass(frozen=True)
class Add:
    """Add ``counts`` to the counters of one row (created at zero when missing)."""

    owner: str
    row: str
    counts: Mapping[str, int]


@dataclass(frozen=True)
class Latest:
    """Set ``values`` on one row unless it already holds values of a later event (``order``)."""

    owner: str
    row: str
    values: Mapping[str, Any]
    order: str


@dataclass(frozen=True)
class Forget:
    """Remove every read-model row of a user."""

    user_id: str


@dataclass(frozen=True)
class Track:
    """Set ``values`` on the user's open-task row of ``task_id``, each one unless the row holds a value of it
    from a later event (``order``); nothing once the task is closed."""

    user_id: str
    task_id: str
    values: Mapping[str, Any]
    order: str


@dataclass(frozen=True)
class Close:
    """The task was completed or deleted (by the event of ``order``): its open-task row goes, and no change
    delivered later brings it back, unless it reopened after (a later ``Reopen``)."""

    user_id: str
    task_id: str
    order: str


@dataclass(frozen=True)
class Reopen:
    """The task was reopened (by the event of ``order``) with ``values``: it is open again, unless it closed
    after (a later ``Close``)."""

    user_id: str
    task_id: str
    values: Mapping[str, Any]
    order: str


Effect = Add | Latest | Forget | Track | Close | Reopen

TRACKED = ("status", "category", "dueAt", "estimateMinutes")


@dataclass(frozen=True)
class LoggedEvent:
    """An event as delivered (``body``), kept in a user's own event log for their export."""

    event_id: str
    detail_type: str
    occurred_at: str
    body: str


@dataclass(frozen=True)
class OpenTask:
    """One open task as its events described it (a field no event has given yet is None)."""

    task_id: str
    status: str | None = None
    category: str | None = None
    dueAt: str | None = None
    estimateMinutes: int | None = None


@dataclass(frozen=True)
class DaySettings:
    """Where a user's days begin: their IANA timezone and the local hour a day starts."""

    timezone: str = "UTC"
    dayStartHour: int = 0


@dataclass(frozen=True)
class DayRow:
    """One local day of a user's counters."""

    day: str
    counts: Mapping[str, int] = field(default_factory=dict)

    def get(self, name: str) -> int:
        return int(self.counts.get(name, 0))

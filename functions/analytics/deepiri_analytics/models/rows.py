"""Read-model rows and the changes events make to them.

Layout of the analytics table (``pk`` / ``sk``):

    USER#<userId>     / PROFILE            timezone and dayStartHour (the users service's values), newest wins
    USER#<userId>     / STREAK             streak days and best, newest StreakUpdated wins
    USER#<userId>     / DAY#<local date>   counters of one local day (see DAY_COUNTERS)
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
                "estimateMinutes", "actualMinutes", "xp", "challengesCompleted")
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


Effect = Add | Latest | Forget


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

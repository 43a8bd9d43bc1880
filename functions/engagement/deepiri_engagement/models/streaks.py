"""Streaks: where a user's days begin (engagement's copy of the users service's settings) and the events read."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, Field

DEFAULT_TIMEZONE, DEFAULT_DAY_START = "UTC", 0


class DaySettingsData(BaseModel):
    """The part of UserRegistered and UserSettingsChanged that places a user's days."""

    userId: str
    timezone: str = Field(max_length=64)
    dayStartHour: int = Field(ge=0, le=23)


@dataclass(frozen=True)
class DaySettings:
    """A user's timezone and day start hour as engagement last heard them (``at``/``eventId`` order them)."""

    userId: str
    timezone: str = DEFAULT_TIMEZONE
    dayStartHour: int = DEFAULT_DAY_START
    at: str = ""
    eventId: str = ""


@dataclass(frozen=True)
class Streak:
    """A user's daily and weekly streaks (local dates as ISO text; ``version`` guards every write).

    ``lastDay`` is the last local date the current run covers, active or saved by a freeze; ``runId``
    names the run (milestones and the cash-in are paid once per run); ``rolledThrough`` is the last date
    the streak job judged; ``dueHour`` is the UTC hour of the next rollover, indexed while a run stands.
    """

    userId: str
    current: int = 0
    best: int = 0
    runId: str | None = None
    runStart: str | None = None
    lastDay: str | None = None
    weekly: int = 0
    bestWeekly: int = 0
    lastWeek: str | None = None
    freezes: int = 0
    rolledThrough: str | None = None
    version: int = 0


class StreakUpdated(BaseModel):
    """The user's streaks after an activity, a freeze, a cash-in or a rollover that spent a freeze."""

    userId: str
    days: int = Field(ge=0, description="the current daily streak")
    longest: int = Field(ge=0, description="the best daily streak")
    weeks: int = Field(ge=0, description="the current weekly streak (ISO weeks)")
    longestWeeks: int = Field(ge=0)
    freezes: int = Field(ge=0, description="freeze tokens held")
    lastDay: str | None = Field(description="the last local date the streak covers")
    reason: str = Field(description="Activity, FreezeBought, FreezeUsed, CashIn")


class StreakBroken(BaseModel):
    """A day passed without activity and no freeze covered it: the daily streak is back to zero."""

    userId: str
    length: int = Field(ge=1, description="the streak's length when it broke")
    missedDay: str = Field(description="the local date without activity")


class StreakAtRisk(BaseModel):
    """Evening of the user's local day and the streak is not extended yet."""

    userId: str
    days: int = Field(ge=1)
    day: str = Field(description="the local date that still needs an activity")


class StreakView(BaseModel):
    """The streaks part of ``GET /api/gamification/me``."""

    days: int
    longest: int
    weeks: int
    longestWeeks: int
    freezes: int
    lastDay: str | None
    timezone: str
    dayStartHour: int


class FreezePurchase(BaseModel):
    """Answer of ``POST /api/gamification/streaks/freezes``."""

    freezes: int
    coins: int = Field(description="coins left")


class CashIn(BaseModel):
    """Answer of ``POST /api/gamification/streaks/cash-in``."""

    length: int
    boostCredits: int = Field(description="boost credits after the cash-in")

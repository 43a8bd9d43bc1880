"""What the analytics routes answer."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Metric = Literal["created", "completed", "onTime", "late", "overdue", "focusMinutes", "timers", "xp",
                 "challengesStarted", "challengesCompleted"]
Bucket = Literal["day", "week"]


class Streak(BaseModel):
    days: int = 0
    longest: int = 0


class Summary(BaseModel):
    """Totals of the caller's local days ``from``..``to`` (inclusive)."""

    model_config = ConfigDict(defer_build=True)

    from_: str = Field(alias="from")
    to: str
    created: int
    completed: int
    onTime: int
    late: int
    overdue: int
    onTimeRate: float | None = Field(description="onTime / (onTime + late), 4 decimals; null without due dates")
    focusMinutes: int
    estimateMinutes: int = Field(description="estimates of the completed tasks that had one")
    actualMinutes: int = Field(description="actual minutes of those same tasks")
    efficiency: float | None = Field(description="clamp(estimate / actual x 100, 0, 100), 1 decimal; null "
                                                 "when no estimated task took time")
    xp: int
    challengesStarted: int
    challengesCompleted: int
    activeDays: int = Field(description="days with a completion or focus time")
    streak: Streak


class Point(BaseModel):
    start: str = Field(description="the bucket's first local day")
    value: int


class TimeSeries(BaseModel):
    model_config = ConfigDict(defer_build=True)

    metric: Metric
    bucket: Bucket
    points: list[Point] = Field(description="every bucket from `from` to `to`, zero when nothing happened")


class Heatmap(BaseModel):
    """Per local weekday (Monday first) and hour: completions and focus minutes."""

    model_config = ConfigDict(defer_build=True)

    completions: list[list[int]] = Field(description="7 rows (Monday..Sunday) of 24 hours")
    focusMinutes: list[list[int]] = Field(description="7 rows (Monday..Sunday) of 24 hours")


class ProjectDay(BaseModel):
    day: str
    created: int
    completed: int


class ProjectSummary(BaseModel):
    model_config = ConfigDict(defer_build=True)

    projectId: str
    from_: str = Field(alias="from")
    to: str
    created: int
    completed: int
    throughputPerDay: float = Field(description="completions per day over the window, 2 decimals")
    meanCycleHours: float | None = Field(description="mean hours from a task's creation to its completion")
    days: list[ProjectDay]


class ActiveUsers(BaseModel):
    model_config = ConfigDict(defer_build=True)

    day: str
    dau: int = Field(description="users active on this UTC day")
    wau: int = Field(description="users active in this ISO week")
    mau: int = Field(description="users active in this calendar month")


class ExportRow(BaseModel):
    day: str
    counts: dict[str, int]


class ExportEvent(BaseModel):
    eventId: str
    detailType: str
    occurredAt: str
    event: dict[str, Any] = Field(description="the event exactly as the bus delivered it")


class Export(BaseModel):
    """The caller's daily rows and their own events (subject or actor) of the last year, oldest first."""

    model_config = ConfigDict(defer_build=True)

    userId: str
    days: list[ExportRow] = Field(description="every daily row of the window (on the first page only)")
    events: list[ExportEvent] = Field(description="the caller's events, at most 1000 per page")
    nextCursor: str | None = Field(default=None, description="pass as `cursor` for the next page of events")

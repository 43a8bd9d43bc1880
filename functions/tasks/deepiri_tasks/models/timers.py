"""Time tracking: the running timer, booked intervals, and the event that books minutes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class RunningTimer(BaseModel):
    """The one timer a user has running (``intervalId`` is a ULID of its start time)."""

    model_config = ConfigDict(defer_build=True)

    userId: str
    taskId: str
    intervalId: str
    startedAt: str


class TimeInterval(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str
    taskId: str
    userId: str
    startedAt: str
    stoppedAt: str
    minutes: int


class TimerStarted(BaseModel):
    """What ``timer/start`` answers: the running timer and, if one ran on another task, its interval."""

    model_config = ConfigDict(defer_build=True)

    timer: RunningTimer
    stopped: TimeInterval | None = None


class TimeReport(BaseModel):
    model_config = ConfigDict(defer_build=True)

    taskId: str
    intervals: list[TimeInterval]
    totalMinutes: int
    running: RunningTimer | None = None

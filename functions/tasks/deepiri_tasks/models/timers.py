"""Time tracking: the running timer, booked intervals, and the event that books minutes."""

from __future__ import annotations

from pydantic import BaseModel


class RunningTimer(BaseModel):
    """The one timer a user has running (``intervalId`` is a ULID of its start time)."""

    userId: str
    taskId: str
    intervalId: str
    startedAt: str


class TimeInterval(BaseModel):
    id: str
    taskId: str
    userId: str
    startedAt: str
    stoppedAt: str
    minutes: int


class TimerStarted(BaseModel):
    """What ``timer/start`` answers: the running timer and, if one ran on another task, its interval."""

    timer: RunningTimer
    stopped: TimeInterval | None = None


class TimeReport(BaseModel):
    taskId: str
    intervals: list[TimeInterval]
    totalMinutes: int
    running: RunningTimer | None = None

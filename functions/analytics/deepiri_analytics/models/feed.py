"""The parts of other services' events the read models are built from (each checked against its producer's
contract by the contract tests)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class DaySettingsData(BaseModel):
    """UserRegistered and UserSettingsChanged: where the user's days begin."""

    userId: str
    timezone: str = Field(max_length=64)
    dayStartHour: int = Field(ge=0, le=23)


class UserDeletedData(BaseModel):
    userId: str


class TaskCreatedData(BaseModel):
    taskId: str
    userId: str
    projectId: str | None
    status: str
    category: str
    dueAt: str | None
    estimateMinutes: int | None = None  # absent from the events archived before TaskCreated carried it


class TaskUpdatedData(BaseModel):
    """The changed fields' new values; the open-task row keeps ``status``, ``category``, ``dueAt`` and
    ``estimateMinutes`` from them."""

    taskId: str
    userId: str
    values: dict[str, Any] = Field(default_factory=dict)


class TaskReopenedData(BaseModel):
    """The reopened task's values; all absent from the events archived before TaskReopened carried them."""

    taskId: str
    userId: str
    status: str | None = None
    category: str | None = None
    dueAt: str | None = None
    estimateMinutes: int | None = None


class TaskDeletedData(BaseModel):
    taskId: str
    ownerId: str


class TaskCompletedData(BaseModel):
    taskId: str
    userId: str
    projectId: str | None
    category: str
    onTime: bool | None
    estimateMinutes: int | None
    actualMinutes: int
    firstCompletion: bool
    completedAt: str


class TaskOverdueData(BaseModel):
    taskId: str
    userId: str


class TimerStoppedData(BaseModel):
    taskId: str
    userId: str
    minutes: int = Field(ge=0)
    startedAt: str
    stoppedAt: str


class XpAwardedData(BaseModel):
    userId: str
    amount: int


class ChallengeStartedData(BaseModel):
    userId: str
    startedAt: str


class ChallengeCompletedData(BaseModel):
    userId: str
    completedAt: str


class StreakUpdatedData(BaseModel):
    userId: str
    days: int
    longest: int


class ProjectCreatedData(BaseModel):
    projectId: str
    ownerId: str


class MemberAddedData(BaseModel):
    projectId: str
    userId: str


class MemberRemovedData(BaseModel):
    projectId: str
    userId: str

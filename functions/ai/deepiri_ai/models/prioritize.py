"""``POST /api/agent/prioritize``: the caller's open tasks in the order to do them, with the reasons."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from deepiri_common.clock import Instant


class OpenTask(BaseModel):
    """The part of a task (as the tasks API returns it) that prioritising weighs."""

    model_config = ConfigDict(extra="ignore")

    id: str
    title: str
    status: str
    priority: str = "medium"
    dueAt: datetime | None = None
    estimateMinutes: int | None = None
    category: str = "manual"


class RankedTask(BaseModel):
    id: str
    title: str
    rank: int = Field(ge=1)
    score: float
    status: str
    priority: str
    dueAt: Instant | None
    estimateMinutes: int | None
    quadrant: str = Field(description="do now (urgent, important), schedule, quick, or later")
    reasons: list[str] = Field(description="why the task sits where it does: due date, priority, blockers, estimate")


class Prioritized(BaseModel):
    tasks: list[RankedTask]
    considered: int = Field(description="how many open tasks were weighed")
    truncated: bool = Field(description="true when the caller has more open tasks than were weighed (500)")
    provider: Literal["local", "bedrock"] = Field(default="local", description="who wrote the reasons (the order "
                                                                              "is always the local engine's)")
    fallbackReason: Literal["breaker-open", "provider-failed", "invalid-answer"] | None = None


Reason = Annotated[str, Field(min_length=1, max_length=200)]


class TaskReasons(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=64)
    reasons: Annotated[list[Reason], Field(min_length=1, max_length=5)]


class ReasonsToolInput(BaseModel):
    """Bedrock's ``record_reasons`` tool input: reasons for exactly the tasks it was given."""

    model_config = ConfigDict(extra="forbid")

    tasks: Annotated[list[TaskReasons], Field(min_length=1, max_length=20)]

"""A duel between two friends, and the requests that make and move one."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from deepiri_challenges.models.challenges import Category
from deepiri_common.ids import ID_PATTERN
from deepiri_common.text import SingleLine

DuelStatus = Literal["invited", "active", "finished", "declined", "cancelled", "lapsed"]
Template = Literal["most_milestones", "first_to_finish", "best_quiz_score"]
FinishReason = Literal["completed", "expired", "forfeited"]


class DuelSpec(BaseModel):
    """The challenge both sides get: a template and its target (milestones, or quiz points)."""

    model_config = ConfigDict(extra="forbid")

    template: Template = "most_milestones"
    title: SingleLine = Field(default="Duel", min_length=1, max_length=200)
    target: int = Field(default=5, ge=1, le=100, description="milestones (or quiz points) that complete a side")


class DuelCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    opponentId: str = Field(pattern=ID_PATTERN, description="a friend of the caller (anyone else: 404)")
    category: Category
    spec: DuelSpec = Field(default_factory=DuelSpec)
    durationMinutes: int = Field(ge=5, le=7 * 24 * 60)


class DuelProgressReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    progress: int = Field(ge=0, le=100_000, description="the side's progress so far (it never goes back)")


class Duel(BaseModel):
    id: str
    challengerId: str
    opponentId: str
    participantIds: list[str]
    category: Category
    spec: DuelSpec
    durationMinutes: int
    status: DuelStatus
    createdAt: str
    inviteExpiresAt: str
    startedAt: str | None = None
    endsAt: str | None = None
    scores: dict[str, int] = Field(default_factory=dict)
    completedAt: dict[str, str] = Field(default_factory=dict)
    winnerId: str | None = None
    reason: FinishReason | None = None
    finishedAt: str | None = None
    version: int = 1

"""A duel between two friends, and the requests that make and move one."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from deepiri_challenges.models.challenges import Category, Difficulty
from deepiri_common.ids import ID_PATTERN
from deepiri_common.text import SingleLine

DuelStatus = Literal["invited", "active", "finished", "declined", "cancelled", "lapsed"]
Template = Literal["most_milestones", "first_to_finish", "best_quiz_score"]
FinishReason = Literal["completed", "expired", "forfeited"]


class DuelSpec(BaseModel):
    """The challenge both sides get: a template and its target (milestones, or quiz points), or one made
    from a task of the challenger's (``taskId``: its title, milestones and time limit are copied)."""

    model_config = ConfigDict(extra="forbid")

    template: Template = "most_milestones"
    title: SingleLine = Field(default="Duel", min_length=1, max_length=200)
    target: int = Field(default=5, ge=1, le=100, strict=True,
                        description="milestones (or quiz points) that complete a side")
    taskId: str | None = Field(default=None, pattern=ID_PATTERN, description=(
        "make the challenge from this task of the caller's: both sides get a copy of its title, milestones "
        "and time limit (the target is its milestones), never the task itself"))


class DuelDefinition(BaseModel):
    """The challenge both sides of a duel get, as stored on the duel: a template's, or a copy of the
    definition made from the challenger's task (no task id: the opponent gets the copy, not the task)."""

    template: Template
    title: str
    target: int
    milestones: list[str] = Field(default_factory=list, description="a challenge from a task: its steps")
    timeLimitMinutes: int | None = Field(default=None, description="a challenge from a task: its time limit")
    difficulty: Difficulty | None = None


class DuelCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    opponentId: str = Field(pattern=ID_PATTERN, description="a friend of the caller (anyone else: 404)")
    category: Category
    spec: DuelSpec = Field(default_factory=DuelSpec)
    durationMinutes: int | None = Field(default=None, ge=5, le=7 * 24 * 60, strict=True, description=(
        "required, unless the spec is made from a task (then its time limit)"))


class DuelProgressReport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    progress: int = Field(ge=0, le=100_000, strict=True, description="the side's progress so far (it never goes back)")


class Duel(BaseModel):
    id: str
    challengerId: str
    opponentId: str
    participantIds: list[str]
    category: Category
    spec: DuelDefinition
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

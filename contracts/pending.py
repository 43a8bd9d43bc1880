"""Models of events whose producer has not landed yet, but which an existing consumer already reads.

Each entry names the module that will own the model (its future producer). The contract in
``contracts/events/`` is generated from the model here until then; when the producer lands, it moves the
model into that module, adds it to its ``PUBLISHES``, and deletes the entry here (``make lint`` fails
while a detail-type is declared in both places). Field names and constraints are what the consumers
already rely on (``participantIds`` and ``userId`` for realtime, the import fields for tasks), so the
producer adopts them as written, or changes them together with the consumers' models.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

Difficulty = Literal["trivial", "easy", "medium", "hard", "epic"]


class ChallengeCompleted(BaseModel):
    """A user finished a challenge (``taskId`` is null for a daily challenge not tied to a task); engagement
    credits pointsReward * bonusMultiplier / 10 XP."""

    challengeId: str
    userId: str
    pointsReward: int = Field(ge=0, description="the challenge's points")
    bonusMultiplier: float = Field(ge=1, le=3, description="the challenge's bonus, 1 to 3")
    taskId: str | None
    difficulty: Difficulty
    completedAt: AwareDatetime


class DuelInvited(BaseModel):
    duelId: str
    challengerId: str
    opponentId: str
    participantIds: list[str] = Field(min_length=2, max_length=2)
    expiresAt: AwareDatetime


class DuelStarted(BaseModel):
    duelId: str
    participantIds: list[str] = Field(min_length=2, max_length=2)
    startedAt: AwareDatetime
    endsAt: AwareDatetime


class DuelProgressed(BaseModel):
    duelId: str
    participantIds: list[str] = Field(min_length=2, max_length=2)
    userId: str = Field(description="the participant who made progress")
    scores: dict[str, int] = Field(description="score per participant id")


class DuelFinished(BaseModel):
    """A duel ended: engagement rates both participants overall and in ``category`` (ELO)."""

    duelId: str
    category: Literal["manual", "code", "study", "creative", "research", "writing", "design", "admin", "meeting"]
    participantIds: list[str] = Field(min_length=2, max_length=2)
    winnerId: str | None = Field(description="null for a draw")
    scores: dict[str, int] = Field(description="final score per participant id")
    reason: Literal["completed", "expired", "forfeited"]


class ChallengeExpired(BaseModel):
    """A challenge ran out of time unfinished (``taskId`` is null for a daily challenge)."""

    challengeId: str
    userId: str
    taskId: str | None


class IntegrationItemImported(BaseModel):
    """An item pulled from a provider, to become (or update) a task; ``externalRef`` is its stable key."""

    userId: str = Field(min_length=1)
    provider: Literal["github", "notion", "trello"]
    externalRef: str = Field(min_length=1, max_length=500)
    title: str = Field(min_length=1, max_length=500)
    description: str | None = None
    dueAt: AwareDatetime | None = None
    status: str | None = None
    url: str | None = None


CHALLENGES = "deepiri_challenges.models.events"
INTEGRATIONS = "deepiri_integrations.models.events"

PENDING: dict[str, tuple[str, type[BaseModel]]] = {
    "ChallengeCompleted": (CHALLENGES, ChallengeCompleted),
    "DuelInvited": (CHALLENGES, DuelInvited),
    "DuelStarted": (CHALLENGES, DuelStarted),
    "DuelProgressed": (CHALLENGES, DuelProgressed),
    "DuelFinished": (CHALLENGES, DuelFinished),
    "ChallengeExpired": (CHALLENGES, ChallengeExpired),
    "IntegrationItemImported": (INTEGRATIONS, IntegrationItemImported),
}
"""detail-type → (the module that will publish it, the model of its ``data`` until then)."""

"""The events the challenges service publishes (``source = deepiri.challenges``) and those it reads.

``PUBLISHES`` is the service's contract (``make contracts`` writes its schemas). The models of what the
consumer reads are its own: the contract tests check each against its producer's schema.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

from deepiri_challenges.models.challenges import Category, ChallengeType, Difficulty

SERVICE = "challenges"
FailReason = Literal["attempts_exhausted", "abandoned"]


class ChallengeGenerated(BaseModel):
    challengeId: str
    userId: str
    taskId: str | None
    type: ChallengeType
    difficulty: Difficulty
    pointsReward: int = Field(ge=0)
    bonusMultiplier: int = Field(ge=1, le=3)
    daily: bool = False
    expiresAt: AwareDatetime | None = Field(description="when an unstarted (daily) challenge lapses; null: never")


class ChallengeStarted(BaseModel):
    challengeId: str
    userId: str
    taskId: str | None
    type: ChallengeType
    startedAt: AwareDatetime
    expiresAt: AwareDatetime


class ChallengeCompleted(BaseModel):
    """A user finished a challenge, once per challenge; engagement credits pointsReward * bonusMultiplier / 10."""

    challengeId: str
    userId: str
    pointsReward: int = Field(ge=0)
    bonusMultiplier: int = Field(ge=1, le=3)
    taskId: str | None = Field(description="null for a daily challenge not tied to a task")
    difficulty: Difficulty
    completedAt: AwareDatetime
    type: ChallengeType
    score: int = Field(ge=0, le=1000)


class ChallengeFailed(BaseModel):
    """A challenge ended without success: a quiz's attempts ran out, or the user abandoned it."""

    challengeId: str
    userId: str
    taskId: str | None
    type: ChallengeType
    reason: FailReason
    failedAt: AwareDatetime


class ChallengeExpired(BaseModel):
    """A challenge ran out of time unfinished (``taskId`` is null for a daily challenge)."""

    challengeId: str
    userId: str
    taskId: str | None


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
    category: Category
    participantIds: list[str] = Field(min_length=2, max_length=2)
    winnerId: str | None = Field(description="null for a draw")
    scores: dict[str, int] = Field(description="final score per participant id")
    reason: Literal["completed", "expired", "forfeited"]


PUBLISHES: dict[str, type[BaseModel]] = {
    "ChallengeGenerated": ChallengeGenerated,
    "ChallengeStarted": ChallengeStarted,
    "ChallengeCompleted": ChallengeCompleted,
    "ChallengeFailed": ChallengeFailed,
    "ChallengeExpired": ChallengeExpired,
    "DuelInvited": DuelInvited,
    "DuelStarted": DuelStarted,
    "DuelProgressed": DuelProgressed,
    "DuelFinished": DuelFinished,
}


# ---------------------------------------------------------------------------------------------- consumed
class TaskDeletedData(BaseModel):
    taskId: str
    ownerId: str


class UserDeletedData(BaseModel):
    userId: str


class FriendshipAcceptedData(BaseModel):
    userIds: list[str] = Field(description="the two friends (anything else is refused as malformed)")


class FriendshipEndedData(BaseModel):
    userIds: list[str]


class UserSettingsData(BaseModel):
    """UserRegistered and UserSettingsChanged: the values that place the user's mornings."""

    userId: str
    timezone: str


class DuelProgressReportedData(BaseModel):
    duelId: str
    userId: str
    progress: int = Field(ge=0)

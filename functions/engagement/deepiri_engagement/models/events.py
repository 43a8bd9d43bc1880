"""The events the engagement service publishes (``source = deepiri.engagement``) and those it reads.

``PUBLISHES`` is the service's contract (``make contracts`` writes its schemas). The models of what the
consumer reads are its own: the contract tests check each against its producer's schema.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field

from deepiri_engagement.models.streaks import StreakAtRisk, StreakBroken, StreakUpdated

SERVICE = "engagement"

Currency = Literal["xp", "coins", "gems", "boostCredits"]
TaskCategory = Literal["manual", "code", "study", "creative", "research", "writing", "design", "admin", "meeting"]
TaskDifficulty = Literal["trivial", "easy", "medium", "hard", "epic"]
TaskPriority = Literal["low", "medium", "high", "urgent"]
DuelResult = Literal["win", "loss", "draw"]


class XpAwarded(BaseModel):
    userId: str
    amount: int = Field(ge=0)
    totalXp: int = Field(ge=0)
    reason: str = Field(description="the detail-type that earned it, for example TaskCompleted")
    sourceEventId: str | None = None


class LevelUp(BaseModel):
    userId: str
    level: int = Field(ge=2)
    previousLevel: int = Field(ge=1)


class LevelDown(BaseModel):
    """A reversal (a reopened task) took the user below a level; level rewards already paid stay paid."""

    userId: str
    level: int = Field(ge=1)
    previousLevel: int = Field(ge=2)


class CurrencyChanged(BaseModel):
    """An entry of the user's ledger: ``amount`` credited or debited, and the balance after it."""

    userId: str
    currency: Currency
    amount: int = Field(ge=1)
    balance: int
    reason: str
    sourceId: str = Field(description="the event or request the entry is keyed by")


class BadgeEarned(BaseModel):
    """A user earned a badge's tier (each tier once); its coins and gems are credited with it."""

    userId: str
    badgeId: str
    name: str
    tier: str = Field(description="bronze, silver, gold or platinum")
    coins: int = Field(ge=0, description="coins credited with it")
    gems: int = Field(ge=0, description="gems credited with it (top tier only)")
    rewardId: str | None = Field(default=None, description="the claimable reward it granted, if any")


class RatingMove(BaseModel):
    board: str = Field(description="elo or elo-<category>")
    rating: int
    previousRating: int
    peakRating: int


class RatingChanged(BaseModel):
    """A finished duel moved a participant's ratings (overall and in the duel's category)."""

    userId: str
    duelId: str
    opponentId: str
    category: TaskCategory
    result: DuelResult
    overall: RatingMove
    inCategory: RatingMove


PUBLISHES: dict[str, type[BaseModel]] = {
    "XpAwarded": XpAwarded,
    "LevelUp": LevelUp,
    "LevelDown": LevelDown,
    "BadgeEarned": BadgeEarned,
    "CurrencyCredited": CurrencyChanged,
    "CurrencyDebited": CurrencyChanged,
    "RatingChanged": RatingChanged,
    "StreakUpdated": StreakUpdated,
    "StreakBroken": StreakBroken,
    "StreakAtRisk": StreakAtRisk,
}


class TaskCompletedData(BaseModel):
    """The part of TaskCompleted the XP rules read; ``userId`` is the task's owner, who is credited."""

    taskId: str
    userId: str
    category: TaskCategory
    difficulty: TaskDifficulty
    priority: TaskPriority
    efficiency: float | None
    onTime: bool | None
    completedAt: str | None = Field(default=None, description="the activity time streaks count (else occurredAt)")


class TaskReopenedData(BaseModel):
    taskId: str
    userId: str = Field(description="the task's owner, whose completion credits are taken back")


class ChallengeCompletedData(BaseModel):
    """The challenges service's ChallengeCompleted: XP = pointsReward * bonusMultiplier / 10 (rules.py)."""

    challengeId: str
    userId: str
    pointsReward: int = Field(ge=0)
    bonusMultiplier: float = Field(ge=1, le=3)
    taskId: str | None = None
    difficulty: TaskDifficulty
    completedAt: str


class UserDeletedData(BaseModel):
    userId: str

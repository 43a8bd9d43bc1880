"""What the engagement routes answer: the caller's progress and their ledger."""

from __future__ import annotations

from pydantic import BaseModel, Field

from deepiri_engagement.models.events import Currency
from deepiri_engagement.models.rewards import ActiveBoost, EarnedBadge
from deepiri_engagement.models.streaks import StreakView


class Balances(BaseModel):
    xp: int
    coins: int
    gems: int
    boostCredits: int


class Progress(BaseModel):
    """Body of ``GET /api/gamification/me``."""

    userId: str
    level: int = Field(ge=1)
    xp: int = Field(ge=0, description="total XP")
    xpIntoLevel: int = Field(ge=0, description="XP earned since the current level began")
    xpForNextLevel: int = Field(ge=1, description="XP the current level needs in all before the next one")
    progress: float = Field(ge=0, le=1, description="0..1 of the way to the next level")
    balances: Balances
    streaks: StreakView | None = None
    boosts: list[ActiveBoost] = Field(default_factory=list, description="boosts active now")
    recentBadges: list[EarnedBadge] = Field(default_factory=list, description="the latest badge tiers earned")


class LedgerEntry(BaseModel):
    """One append-only ledger entry: a credit (positive amount) or a debit (negative)."""

    entryId: str
    currency: Currency
    amount: int
    balance: int = Field(description="the currency's balance after this entry")
    reason: str = Field(description="TaskCompleted, TaskReopened, LevelReward...")
    sourceId: str = Field(description="the event or request the entry is keyed by")
    taskId: str | None = None
    at: str = Field(description="when it happened (the source event's time), UTC ISO-8601")

"""What the badge, reward and boost routes read and answer."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from deepiri_engagement.models.wallet import BoostKind, Claimable


class BadgeTierView(BaseModel):
    name: Literal["bronze", "silver", "gold", "platinum"]
    threshold: int = Field(ge=1, description="the counter value that earns it")
    coins: int
    gems: int
    claimable: Claimable | None = Field(description="the reward to claim it grants, if any")
    earnedAt: str | None = Field(description="when the caller earned it (UTC ISO-8601); null when not earned")


class BadgeView(BaseModel):
    badgeId: str
    name: str
    description: str
    counter: str = Field(description="the counter the badge reads (tasksCompleted, bestStreak, ...)")
    value: int = Field(ge=0, description="the caller's counter")
    tiers: list[BadgeTierView]
    nextTier: str | None = Field(description="the lowest tier not earned; null when all are")
    progress: float = Field(ge=0, le=1, description="value / the next tier's threshold (1 when all are earned)")


class BadgeList(BaseModel):
    """Body of ``GET /api/gamification/badges``: the whole catalogue, in its order."""

    items: list[BadgeView]
    earned: int = Field(ge=0, description="how many tiers the caller holds")


class EarnedBadge(BaseModel):
    badgeId: str
    name: str
    tier: str
    earnedAt: str


class RewardView(BaseModel):
    rewardId: str
    kind: Claimable
    amount: int = Field(ge=1, description="boost credits, coins or freezes")
    source: str = Field(description="what granted it (a badge tier or a level milestone)")
    grantedAt: str
    claimedAt: str | None


class RewardList(BaseModel):
    """Body of ``GET /api/gamification/rewards``: unclaimed first, then claimed, each by grant time."""

    items: list[RewardView]


class ActiveBoost(BaseModel):
    kind: BoostKind
    multiplier: float
    startsAt: str
    endsAt: str


class BoostOrder(BaseModel):
    """Body of ``POST /api/gamification/boosts``."""

    model_config = ConfigDict(extra="forbid")

    kind: BoostKind


class BoostPurchase(BaseModel):
    """What buying a boost answers: the boost, the credits left and every boost active now."""

    boost: ActiveBoost
    boostCredits: int
    active: list[ActiveBoost]

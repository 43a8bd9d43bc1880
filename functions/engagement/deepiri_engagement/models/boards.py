"""Leaderboards and ratings: the boards a caller can read, what a board answers, the standings the
service keeps, the events it reads for them (XP changes, duels, friendships) and RatingChanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, Field

from deepiri_engagement.models.events import Currency, TaskCategory

CATEGORIES: tuple[str, ...] = ("manual", "code", "study", "creative", "research", "writing", "design", "admin",
                               "meeting")

BoardName = Literal[
    "xp", "weekly", "weekly-previous", "friends", "elo",
    "elo-manual", "elo-code", "elo-study", "elo-creative", "elo-research", "elo-writing", "elo-design",
    "elo-admin", "elo-meeting",
]


# ---- what the routes answer ----------------------------------------------------------------------


class BoardPeriod(BaseModel):
    """Which standings a board shows: all time, or one ISO week in UTC (Monday 00:00 to Monday 00:00)."""

    board: BoardName
    period: str = Field(description="'all' or an ISO week such as 2026-W49")
    periodStart: str | None = Field(description="UTC ISO-8601; null for all time")
    periodEnd: str | None = Field(description="UTC ISO-8601 (exclusive); null for all time")
    timezone: Literal["UTC"] = "UTC"
    ranking: str = Field(description="how ties are broken")


class Standing(BaseModel):
    """One row of a board: 1-based rank, the score and when it was reached."""

    rank: int = Field(ge=1)
    userId: str
    score: int
    achievedAt: str | None = Field(description="when the score was reached (ties: earlier first)")


class BoardPage(BoardPeriod):
    """Body of ``GET /api/gamification/leaderboards/{board}``."""

    items: list[Standing]
    nextCursor: str | None = None


class RatingStats(BaseModel):
    wins: int
    losses: int
    draws: int
    peakRating: int
    winStreak: int
    bestWinStreak: int


class MyStanding(BoardPeriod):
    """Body of ``GET /api/gamification/leaderboards/{board}/me``: null ``me`` when the caller is not on it."""

    me: Standing | None
    above: list[Standing] = Field(description="the nearest better-placed users, nearest last")
    below: list[Standing] = Field(description="the nearest worse-placed users, nearest first")
    rating: RatingStats | None = Field(default=None, description="an ELO board's record of the caller")


# ---- what the service keeps ----------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """A user's standing on one board and period; ``rev`` guards every write (optimistic concurrency)."""

    userId: str
    board: str
    period: str
    score: int
    achievedAt: str
    rev: int = 0
    stats: dict[str, int] = field(default_factory=dict)  # ratings: wins, losses, draws, peak, streaks


@dataclass(frozen=True)
class Change:
    """One entry's move: ``before`` as read (None: not on the board), ``after`` (None: leaves it)."""

    before: Entry | None
    after: Entry | None


# ---- events read and published -------------------------------------------------------------------


class XpAwardedData(BaseModel):
    """The part of engagement's own XpAwarded the XP boards read."""

    userId: str
    amount: int = Field(ge=0)
    totalXp: int = Field(ge=0)


class CurrencyDebitedData(BaseModel):
    """The part of engagement's own CurrencyDebited the XP boards read (only ``currency = xp`` counts)."""

    userId: str
    currency: Currency
    amount: int = Field(ge=1)
    balance: int


class DuelFinishedData(BaseModel):
    """DuelFinished as the challenges service will publish it: ``winnerId`` null for a draw."""

    duelId: str
    category: TaskCategory
    participantIds: list[str] = Field(min_length=2, max_length=2)
    winnerId: str | None


class FriendshipAcceptedData(BaseModel):
    userIds: list[str] = Field(description="the two friends")


class FriendshipEndedData(BaseModel):
    userIds: list[str] = Field(description="the two former friends")

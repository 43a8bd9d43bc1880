"""What the engagement service stores: a user's wallet (materialised balances) and each task's award."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from deepiri_common.events import DomainEvent
from deepiri_engagement.models.events import Currency

CURRENCIES: tuple[Currency, ...] = ("xp", "coins", "gems", "boostCredits")
BoostKind = Literal["focus", "velocity", "clarity", "debug", "cleanup"]
Claimable = Literal["boostCredits", "coinBonus", "streakFreeze"]


@dataclass(frozen=True)
class Boost:
    """A bought boost: it multiplies the XP of awards whose event time is in [startsAt, endsAt)."""

    kind: BoostKind
    startsAt: datetime
    endsAt: datetime

    def covers(self, at: datetime) -> bool:
        return self.startsAt <= at < self.endsAt


@dataclass(frozen=True)
class Reward:
    """A claimable reward granted by a badge tier or a level milestone, claimed at most once."""

    rewardId: str
    kind: Claimable
    amount: int
    source: str
    grantedAt: str
    claimedAt: str | None = None


@dataclass(frozen=True)
class Wallet:
    """A user's balances and level; ``version`` guards every write (optimistic concurrency)."""

    userId: str
    level: int = 1
    balances: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CURRENCIES, 0))
    # What a reversal could not take back because it was already spent; later credits repay it first.
    debts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CURRENCIES, 0))
    version: int = 0
    # The badge rules' counters (logic/badges.py): they only ever rise, so the badges they earn do not
    # depend on the order events arrive in. ``badges``: tier key -> when it was earned.
    counters: dict[str, int] = field(default_factory=dict)
    badges: dict[str, str] = field(default_factory=dict)
    boosts: tuple[Boost, ...] = ()


@dataclass(frozen=True)
class TaskAward:
    """The latest completion or reopening of a task that the wallet reflects.

    ``at`` and ``eventId`` order the task's events (the bus may deliver them in any order): an event no
    later than these changes nothing. ``state`` is ``awarded`` while the credits below stand.
    """

    taskId: str
    state: Literal["awarded", "reversed"]
    at: str
    eventId: str
    credits: dict[str, int] = field(default_factory=dict)
    # What any completion of the task has ever counted towards badges (a counter counts a task once), and
    # the most XP any of its completions was worth (lifetime XP counts that once): both only grow.
    marks: tuple[str, ...] = ()
    bestXp: int = 0


@dataclass(frozen=True)
class Entry:
    """One ledger entry to append: ``amount`` > 0 credits, < 0 debits."""

    currency: Currency
    amount: int
    reason: str
    sourceId: str
    taskId: str | None = None


@dataclass
class Outcome:
    """What one event or request does: the new wallet, the task award (for task events), the ledger
    entries (each with the balance after it) and the events to publish. ``marker`` is the source id a
    grant or spend is applied once for: its marker item may be written only once."""

    wallet: Wallet
    award: TaskAward | None
    entries: list[tuple[Entry, int]] = field(default_factory=list)
    events: list[DomainEvent] = field(default_factory=list)
    marker: str | None = None
    badges: list[str] = field(default_factory=list)  # tier keys earned by this outcome
    rewards: list[Reward] = field(default_factory=list)  # claimable rewards granted by it

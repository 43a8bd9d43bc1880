"""What the engagement service stores: a user's wallet (materialised balances) and each task's award."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from deepiri_common.events import DomainEvent
from deepiri_engagement.models.events import Currency

CURRENCIES: tuple[Currency, ...] = ("xp", "coins", "gems", "boostCredits")


@dataclass(frozen=True)
class Wallet:
    """A user's balances and level; ``version`` guards every write (optimistic concurrency)."""

    userId: str
    level: int = 1
    balances: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CURRENCIES, 0))
    # What a reversal could not take back because it was already spent; later credits repay it first.
    debts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CURRENCIES, 0))
    version: int = 0


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

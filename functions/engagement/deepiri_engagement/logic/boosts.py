"""Boosts: bought with boost credits, each multiplies the XP of awards inside its window.

A boost starts when it is bought and lasts its kind's minutes; an award counts as inside it when the
award's event time (``occurredAt``) is at or after the start and before the end. Active boosts stack
additively (their extra parts add up: focus and velocity together give 1 + 0.5 + 0.3 = 1.8), so three
boosts, the most a user may hold at once, give at most 2.05. A kind already active cannot be bought again
until it ends. Durations, costs and multipliers are ``rules.BOOSTS``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from deepiri_engagement.logic import rules
from deepiri_engagement.models.wallet import Boost, BoostKind

MAX_ACTIVE = rules.MAX_ACTIVE_BOOSTS
__all__ = ["CATALOGUE", "MAX_ACTIVE", "Boost", "BoostRefused", "BoostType", "kept", "multiplier_at", "start"]


@dataclass(frozen=True)
class BoostType:
    kind: BoostKind
    minutes: int
    cost: int  # boost credits
    multiplier: Decimal


CATALOGUE: dict[BoostKind, BoostType] = {
    kind: BoostType(kind, minutes, cost, multiplier) for kind, (minutes, cost, multiplier) in rules.BOOSTS.items()
}


class BoostRefused(Exception):
    """Why a boost cannot be bought now (already active, or too many active)."""


def start(kind: BoostKind, now: datetime, held: Iterable[Boost]) -> Boost:
    """A boost of ``kind`` bought at ``now``; :class:`BoostRefused` if the user may not have it now."""
    active = [boost for boost in held if boost.covers(now)]
    if any(boost.kind == kind for boost in active):
        raise BoostRefused(f"a {kind} boost is already active")
    if len(active) >= MAX_ACTIVE:
        raise BoostRefused(f"at most {MAX_ACTIVE} boosts can be active at once")
    return Boost(kind, now, now + timedelta(minutes=CATALOGUE[kind].minutes))


def multiplier_at(boosts: Iterable[Boost], at: datetime) -> Decimal:
    """The XP multiplier of the boosts covering ``at`` (1 when none does)."""
    return Decimal(1) + sum(CATALOGUE[boost.kind].multiplier - 1 for boost in boosts if boost.covers(at))


def kept(boosts: Iterable[Boost], now: datetime) -> tuple[Boost, ...]:
    """The boosts worth keeping at ``now``: those that ended less than ``rules.BOOST_KEEP_DAYS`` ago (an award
    delivered late still finds the boost its time fell in)."""
    horizon = now - timedelta(days=rules.BOOST_KEEP_DAYS)
    return tuple(boost for boost in boosts if boost.endsAt > horizon)

"""Boosts: bought with boost credits, each multiplies the XP of awards inside its window.

A boost starts when it is bought and lasts its kind's minutes; an award counts as inside it when the
award's event time is at or after the start and before the end. Active boosts stack additively (their
extra parts add up: focus and velocity together give 1 + 0.5 + 0.3 = 1.8), so three boosts, the most a
user may hold at once, give at most 2.05. A kind already active cannot be bought again until it ends.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Literal

BoostKind = Literal["focus", "velocity", "clarity", "debug", "cleanup"]
MAX_ACTIVE = 3


@dataclass(frozen=True)
class BoostType:
    kind: BoostKind
    minutes: int
    cost: int  # boost credits
    multiplier: Decimal


CATALOGUE: dict[BoostKind, BoostType] = {
    "focus": BoostType("focus", 60, 5, Decimal("1.5")),
    "velocity": BoostType("velocity", 30, 3, Decimal("1.3")),
    "clarity": BoostType("clarity", 45, 4, Decimal("1.25")),
    "debug": BoostType("debug", 20, 2, Decimal("1.2")),
    "cleanup": BoostType("cleanup", 30, 3, Decimal("1.15")),
}


@dataclass(frozen=True)
class Boost:
    kind: BoostKind
    startsAt: datetime
    endsAt: datetime

    def covers(self, at: datetime) -> bool:
        return self.startsAt <= at < self.endsAt


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

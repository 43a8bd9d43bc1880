"""Boosts: the catalogue, buying rules and the multiplier inside and outside a window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from deepiri_engagement.logic import boosts

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_given_the_catalogue_then_durations_costs_and_multipliers_are_the_documented_ones() -> None:
    assert {kind: (b.minutes, b.cost, b.multiplier) for kind, b in boosts.CATALOGUE.items()} == {
        "focus": (60, 5, Decimal("1.5")), "velocity": (30, 3, Decimal("1.3")),
        "clarity": (45, 4, Decimal("1.25")), "debug": (20, 2, Decimal("1.2")),
        "cleanup": (30, 3, Decimal("1.15"))}
    assert boosts.MAX_ACTIVE == 3


def test_given_a_boost_bought_then_it_lasts_its_kinds_minutes() -> None:
    boost = boosts.start("focus", NOW, [])
    assert (boost.startsAt, boost.endsAt) == (NOW, NOW + timedelta(minutes=60))


def test_given_a_boost_then_it_covers_its_start_but_not_its_end() -> None:
    boost = boosts.start("debug", NOW, [])
    assert boosts.multiplier_at([boost], NOW) == Decimal("1.2")
    assert boosts.multiplier_at([boost], NOW + timedelta(minutes=19, seconds=59)) == Decimal("1.2")
    assert boosts.multiplier_at([boost], NOW + timedelta(minutes=20)) == 1
    assert boosts.multiplier_at([boost], NOW - timedelta(seconds=1)) == 1


def test_given_several_active_boosts_then_their_extra_parts_add_up() -> None:
    held = [boosts.start("focus", NOW, [])]
    held.append(boosts.start("velocity", NOW, held))
    held.append(boosts.start("clarity", NOW, held))
    assert boosts.multiplier_at(held, NOW) == Decimal("2.05")
    assert boosts.multiplier_at(held, NOW + timedelta(minutes=40)) == Decimal("1.75")  # velocity has ended


def test_given_the_same_kind_active_then_buying_it_again_is_refused_until_it_ends() -> None:
    held = [boosts.start("focus", NOW, [])]
    with pytest.raises(boosts.BoostRefused, match="already active"):
        boosts.start("focus", NOW + timedelta(minutes=59), held)
    assert boosts.start("focus", NOW + timedelta(minutes=60), held).kind == "focus"


def test_given_three_active_boosts_then_a_fourth_is_refused_and_an_ended_one_frees_a_place() -> None:
    held: list[boosts.Boost] = []
    for kind in ("debug", "velocity", "clarity"):
        held.append(boosts.start(kind, NOW, held))
    with pytest.raises(boosts.BoostRefused, match="at most 3"):
        boosts.start("focus", NOW, held)
    assert boosts.start("focus", NOW + timedelta(minutes=20), held).kind == "focus"  # debug ended


def test_given_boosts_then_those_ended_a_week_ago_or_earlier_are_dropped_and_later_ones_kept() -> None:
    week_ago = NOW - timedelta(days=7)
    ended_at_horizon = boosts.Boost("focus", week_ago - timedelta(minutes=60), week_ago)
    ended_after = boosts.Boost("debug", week_ago - timedelta(minutes=19), week_ago + timedelta(seconds=1))
    active = boosts.start("cleanup", NOW, [])

    assert boosts.kept([ended_at_horizon, ended_after, active], NOW) == (ended_after, active)

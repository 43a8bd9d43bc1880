"""The XP, coin and level rules, pinned number by number."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from deepiri_engagement.logic import rules
from deepiri_engagement.models.events import TaskCompletedData


def _task(**overrides: Any) -> TaskCompletedData:
    values: dict[str, Any] = {"taskId": "t1", "userId": "u1", "category": "code", "difficulty": "medium",
                              "priority": "medium", "efficiency": None, "onTime": None}
    return TaskCompletedData(**{**values, **overrides})


@pytest.mark.parametrize(("difficulty", "xp"), [("trivial", 5), ("easy", 10), ("medium", 20), ("hard", 40),
                                                 ("epic", 80)])
def test_given_a_plain_completion_then_its_xp_is_the_difficulty_base(difficulty: str, xp: int) -> None:
    assert rules.task_xp(_task(difficulty=difficulty)) == xp


@pytest.mark.parametrize(("overrides", "xp"), [
    ({"difficulty": "easy", "onTime": True}, 13),  # 12.5 rounds half up
    ({"difficulty": "trivial", "onTime": True}, 6),  # 6.25
    ({"difficulty": "hard", "onTime": False}, 40),
    ({"efficiency": 90.0}, 23),  # not over 90: the 70 bonus
    ({"efficiency": 90.1}, 25),
    ({"efficiency": 70.0}, 20),
    ({"efficiency": 70.1}, 23),
    ({"priority": "urgent"}, 25),
    ({"priority": "high"}, 20),
    ({"difficulty": "epic", "onTime": True, "efficiency": 100.0, "priority": "urgent"}, 110),
])
def test_given_bonuses_then_they_apply_in_the_documented_order(overrides: dict[str, Any], xp: int) -> None:
    assert rules.task_xp(_task(**overrides)) == xp


def test_given_a_boost_then_it_multiplies_the_whole_and_rounds_once() -> None:
    # (10 * 1.25 + 3) * 1.5 = 23.25 -> 23; rounding 12.5 first would give 24.
    assert rules.task_xp(_task(difficulty="easy", onTime=True, efficiency=80.0), boost=Decimal("1.5")) == 23
    assert rules.task_xp(_task(difficulty="easy"), boost=Decimal("1.25")) == 13  # 12.5 half up


@pytest.mark.parametrize(("xp", "coins"), [(0, 0), (9, 0), (10, 1), (25, 2), (110, 11)])
def test_given_an_award_then_it_carries_one_coin_per_ten_xp(xp: int, coins: int) -> None:
    assert rules.coins_for(xp) == coins


def test_given_the_level_curve_then_each_level_needs_half_again_the_previous() -> None:
    assert [rules.level_step(level) for level in range(1, 6)] == [100, 150, 225, 337, 506]
    assert [rules.level_start(level) for level in range(1, 6)] == [0, 100, 250, 475, 812]


@pytest.mark.parametrize(("xp", "level"), [(0, 1), (99, 1), (100, 2), (249, 2), (250, 3), (474, 3), (475, 4),
                                           (812, 5)])
def test_given_total_xp_then_the_level_is_the_last_one_begun(xp: int, level: int) -> None:
    assert rules.level_of(xp) == level


def test_given_absurd_xp_then_the_level_stops_at_the_cap() -> None:
    assert rules.level_of(10**200) == rules.MAX_LEVEL == 200
    assert rules.level_of(rules.level_start(200) - 1) == 199


def test_given_a_level_then_its_reward_is_coins_and_gems_every_tenth() -> None:
    assert rules.level_reward(2) == {"coins": 20}
    assert rules.level_reward(9) == {"coins": 90}
    assert rules.level_reward(10) == {"coins": 100, "gems": 5}
    assert rules.level_reward(20) == {"coins": 200, "gems": 5}


@pytest.mark.parametrize(("points", "bonus", "boost", "xp"), [
    (250, 1.0, Decimal(1), 25), (250, 1.5, Decimal(1), 38),  # 37.5 half up: about two hard tasks
    (0, 3.0, Decimal(1), 0), (100, 3.0, Decimal(1), 30), (15, 1.0, Decimal(1), 2),  # 1.5 half up
    (14, 1.0, Decimal(1), 1), (250, 1.5, Decimal("1.5"), 56),  # 37.5 * 1.5 = 56.25, rounded once
    (33, 1.1, Decimal(1), 4),  # 3.63: the multiplier is read as written, not as a binary float
])
def test_given_a_challenge_then_its_xp_is_points_times_bonus_over_ten_times_boosts(
        points: int, bonus: float, boost: Decimal, xp: int) -> None:
    assert rules.challenge_xp(points, bonus, boost) == xp


def test_given_a_duel_then_the_winner_gets_25_a_draw_10_each_and_the_loser_nothing() -> None:
    assert (rules.duel_xp("a", "a"), rules.duel_xp("b", "a"), rules.duel_xp("a", None)) == (25, 0, 10)


def test_given_the_boost_and_badge_constants_then_they_are_the_documented_ones() -> None:
    assert {kind: (minutes, cost) for kind, (minutes, cost, _) in rules.BOOSTS.items()} == {
        "focus": (60, 5), "velocity": (30, 3), "clarity": (45, 4), "debug": (20, 2), "cleanup": (30, 3)}
    assert (rules.MAX_ACTIVE_BOOSTS, rules.BOOST_KEEP_DAYS, rules.LEVEL_CLAIMABLE_EVERY) == (3, 7, 5)
    assert rules.CLAIMABLE_AMOUNTS == {"boostCredits": 5, "coinBonus": 50, "streakFreeze": 1}
    assert (rules.EARLY_BIRD_BEFORE_HOUR, rules.NIGHT_OWL_FROM_HOUR) == (8, 22)

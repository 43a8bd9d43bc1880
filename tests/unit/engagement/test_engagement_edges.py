"""Edges the other engagement tests leave open: badges earned at the same instant, the local hour a
completion is credited at, a boost bought again beside the one that ended, and challenge XP on an exact half."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from deepiri_engagement.logic import progress, rewards, rules
from deepiri_engagement.models.wallet import Boost, Wallet
from tests.unit.engagement.fakes import MarkedWallets
from tests.unit.engagement.test_progress import FakeWallets, _task

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
AT = "2026-11-30T10:00:00.000Z"


def test_given_badges_earned_at_the_same_instant_then_the_latest_first_and_ties_by_name_descending() -> None:
    wallets = FakeWallets()
    held = {"coder#bronze": AT, "scholar#bronze": AT, "artist#bronze": AT, "maker#bronze": "2026-11-29T00:00:00.000Z",
            "first-steps#bronze": AT, "designer#bronze": AT, "duelist#bronze": "2026-11-28T00:00:00.000Z"}
    wallets.wallets["u1"] = Wallet("u1", badges=held)

    recent = progress.describe(wallets, "u1", NOW).recentBadges

    assert [badge.badgeId for badge in recent] == ["scholar", "first-steps", "designer", "coder", "artist"]


def test_given_a_completion_at_dawn_or_late_at_night_local_time_then_the_badge_counters_see_that_hour() -> None:
    wallets = FakeWallets()
    progress.task_completed(wallets, "e1", AT, _task(taskId="t1"), local_hour=6)
    progress.task_completed(wallets, "e2", AT, _task(taskId="t2"), local_hour=22)
    progress.task_completed(wallets, "e3", AT, _task(taskId="t3"), local_hour=12)
    counters = wallets.wallets["u1"].counters
    assert (counters.get("earlyBird"), counters.get("nightOwl"), counters["tasksCompleted"]) == (1, 1, 3)


def test_given_a_boost_bought_beside_the_one_of_its_kind_that_ended_then_the_purchase_shows_the_new_one() -> None:
    wallets = MarkedWallets()
    wallets.give("u1", boostCredits=10)
    ended = Boost("debug", NOW - timedelta(hours=2), NOW - timedelta(hours=2) + timedelta(minutes=20))
    older = Boost("debug", NOW - timedelta(days=1), NOW - timedelta(days=1) + timedelta(minutes=20))
    wallets.wallets["u1"] = replace(wallets.wallet("u1"), boosts=(ended, older))

    bought = rewards.buy_boost(wallets, "u1", "debug", "k1", NOW)
    retried = rewards.buy_boost(wallets, "u1", "debug", "k1", NOW)

    assert len(wallets.wallets["u1"].boosts) == 3
    assert bought.boost.startsAt == retried.boost.startsAt == "2026-11-30T10:00:00.000Z"
    assert bought.boost.endsAt == "2026-11-30T10:20:00.000Z"


def test_given_challenge_xp_on_an_exact_half_then_it_rounds_up() -> None:
    assert rules.challenge_xp(25, 1.0) == 3  # 2.5: half up, not to the even 2
    assert rules.challenge_xp(5, 1.0) == 1  # 0.5
    assert rules.challenge_xp(45, 1.0) == 5  # 4.5

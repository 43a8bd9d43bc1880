"""The badge list, claimable rewards and boost purchases (logic/rewards.py) on in-memory repositories."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from deepiri_common.problems import Conflict, NotFound
from deepiri_engagement.logic import rewards
from deepiri_engagement.models.streaks import DaySettings, Streak
from deepiri_engagement.models.wallet import Boost, Reward, Wallet
from tests.unit.engagement.fakes import MarkedWallets, Streaks

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)
AT = "2026-11-30T09:00:00.000Z"


def test_given_counters_and_held_tiers_then_the_list_shows_values_earned_dates_and_progress() -> None:
    wallets = MarkedWallets()
    wallets.wallets["u1"] = Wallet("u1", counters={"tasksCompleted": 12},
                                   badges={"first-steps#bronze": AT, "task-master#bronze": AT})

    listed = rewards.badge_list(wallets, "u1")

    assert listed.earned == 2 and len(listed.items) == 21
    master = next(b for b in listed.items if b.badgeId == "task-master")
    assert (master.value, master.nextTier, master.progress) == (12, "silver", 0.24)
    assert [(t.name, t.threshold, t.earnedAt) for t in master.tiers] == [
        ("bronze", 10, AT), ("silver", 50, None), ("gold", 250, None), ("platinum", 1000, None)]
    assert [(t.coins, t.gems, t.claimable) for t in master.tiers][-1] == (100, 5, "streakFreeze")
    first = next(b for b in listed.items if b.badgeId == "first-steps")
    assert (first.nextTier, first.progress) == (None, 1.0)
    owl = next(b for b in listed.items if b.badgeId == "night-owl")
    assert (owl.value, owl.progress, owl.counter) == (0, 0.0, "nightOwl")


def _with_rewards(wallets: MarkedWallets, *held: Reward) -> None:
    wallets.rewards_held["u1"] = list(held)


def test_given_rewards_then_unclaimed_come_first_each_by_grant_time() -> None:
    wallets = MarkedWallets()
    _with_rewards(wallets, Reward("b", "coinBonus", 50, "level 5", "2026-11-02", claimedAt="2026-11-03"),
                  Reward("c", "boostCredits", 5, "badge", "2026-11-04"),
                  Reward("a", "coinBonus", 50, "x", "2026-11-05"))

    assert [r.rewardId for r in rewards.reward_list(wallets, "u1").items] == ["c", "a", "b"]


def test_given_a_coin_bonus_then_it_is_claimed_once_and_credited() -> None:
    wallets = MarkedWallets()
    _with_rewards(wallets, Reward("level-5", "coinBonus", 50, "level 5", AT))

    claimed = rewards.claim(wallets, Streaks(), "u1", "level-5", NOW)

    assert claimed.claimedAt == "2026-11-30T10:00:00.000Z" and wallets.wallet("u1").balances["coins"] == 50
    with pytest.raises(Conflict, match="claimed already"):
        rewards.claim(wallets, Streaks(), "u1", "level-5", NOW)
    with pytest.raises(NotFound):
        rewards.claim(wallets, Streaks(), "u2", "level-5", NOW)


def test_given_boost_credits_then_the_claim_credits_them() -> None:
    wallets = MarkedWallets()
    _with_rewards(wallets, Reward("badge-coder-gold", "boostCredits", 5, "badge", AT))

    rewards.claim(wallets, Streaks(), "u1", "badge-coder-gold", NOW)

    assert wallets.wallet("u1").balances == {"xp": 0, "coins": 0, "gems": 0, "boostCredits": 5}


def test_given_a_freeze_reward_then_it_adds_a_freeze_unless_the_most_are_held() -> None:
    wallets, store = MarkedWallets(), Streaks()
    _with_rewards(wallets, Reward("f1", "streakFreeze", 1, "badge", AT), Reward("f2", "streakFreeze", 1, "b", AT),
                  Reward("f3", "streakFreeze", 1, "badge", AT))

    rewards.claim(wallets, store, "u1", "f1", NOW)
    rewards.claim(wallets, store, "u1", "f2", NOW)

    assert store.streak("u1").freezes == 2
    assert [e.detail.data["reason"] for e in wallets.saved[-1][0].events] == ["FreezeClaimed"]
    with pytest.raises(Conflict, match="at most 2"):
        rewards.claim(wallets, store, "u1", "f3", NOW)


def test_given_a_claim_whose_marker_exists_then_it_is_a_409() -> None:
    wallets = MarkedWallets()
    _with_rewards(wallets, Reward("r1", "coinBonus", 50, "x", AT))
    wallets.markers.add(("u1", "Reward#r1"))

    with pytest.raises(Conflict, match="claimed already"):
        rewards.claim(wallets, Streaks(), "u1", "r1", NOW)


def test_given_a_wallet_that_keeps_moving_then_a_claim_is_a_409() -> None:
    wallets = MarkedWallets(rivals=rewards.WRITE_ATTEMPTS)
    _with_rewards(wallets, Reward("r1", "coinBonus", 50, "x", AT))

    with pytest.raises(Conflict, match="too fast"):
        rewards.claim(wallets, Streaks(), "u1", "r1", NOW)


def test_given_four_lost_writes_then_the_fifth_claim_attempt_lands_and_five_are_a_409() -> None:
    wallets = MarkedWallets(rivals=4)
    _with_rewards(wallets, Reward("r1", "coinBonus", 50, "x", AT))
    assert rewards.claim(wallets, Streaks(), "u1", "r1", NOW).claimedAt is not None

    wallets = MarkedWallets(rivals=5)
    _with_rewards(wallets, Reward("r1", "coinBonus", 50, "x", AT))
    with pytest.raises(Conflict, match="too fast"):
        rewards.claim(wallets, Streaks(), "u1", "r1", NOW)


def test_given_credits_then_a_boost_is_bought_once_per_key_and_listed_active() -> None:
    wallets = MarkedWallets()
    wallets.give("u1", boostCredits=8)

    bought = rewards.buy_boost(wallets, "u1", "focus", "k1", NOW)
    retried = rewards.buy_boost(wallets, "u1", "focus", "k1", NOW + timedelta(minutes=1))
    other = rewards.buy_boost(wallets, "u1", "velocity", None, NOW)

    assert (bought.boostCredits, bought.boost.kind, bought.boost.multiplier) == (3, "focus", 1.5)
    assert (bought.boost.startsAt, bought.boost.endsAt) == ("2026-11-30T10:00:00.000Z", "2026-11-30T11:00:00.000Z")
    assert retried.boost == bought.boost and retried.boostCredits == 3
    assert other.boostCredits == 0 and [b.kind for b in other.active] == ["focus", "velocity"]


def test_given_too_few_credits_or_a_refused_kind_then_buying_is_a_409_naming_why() -> None:
    wallets = MarkedWallets()
    wallets.give("u1", boostCredits=4)
    with pytest.raises(Conflict) as short:
        rewards.buy_boost(wallets, "u1", "focus", None, NOW)
    assert short.value.extensions == {"currency": "boostCredits", "needed": 5, "balance": 4}
    rewards.buy_boost(wallets, "u1", "debug", None, NOW)
    with pytest.raises(Conflict, match="already active") as again:
        rewards.buy_boost(wallets, "u1", "debug", None, NOW)
    assert again.value.extensions == {"kind": "debug"}


def test_given_old_boosts_then_a_purchase_keeps_only_those_ended_within_a_week() -> None:
    old = Boost("focus", NOW - timedelta(days=8), NOW - timedelta(days=8) + timedelta(minutes=60))
    recent = Boost("cleanup", NOW - timedelta(days=6), NOW - timedelta(days=6) + timedelta(minutes=30))
    wallet = replace(Wallet("u1", boosts=(old, recent)), balances={"xp": 0, "coins": 0, "gems": 0, "boostCredits": 9})

    outcome = rewards.bought(wallet, "debug", "s1", NOW)

    assert [b.kind for b in outcome.wallet.boosts] == ["cleanup", "debug"]
    assert outcome.marker == "s1" and outcome.wallet.balances["boostCredits"] == 7


def test_given_a_wallet_that_keeps_moving_then_buying_a_boost_is_a_409() -> None:
    wallets = MarkedWallets(rivals=rewards.WRITE_ATTEMPTS)
    wallets.give("u1", boostCredits=9)
    with pytest.raises(Conflict, match="too fast"):
        rewards.buy_boost(wallets, "u1", "debug", None, NOW)


def test_given_a_claim_then_it_is_dated_now_entered_as_a_claim_and_a_lost_race_is_decided_again() -> None:
    wallets = MarkedWallets(rivals=1)  # a rival write lands before the first save
    _with_rewards(wallets, Reward("r1", "coinBonus", 50, "x", AT))

    rewards.claim(wallets, Streaks(), "u1", "r1", NOW)

    [(outcome, at, _)] = wallets.saved
    assert at == "2026-11-30T10:00:00.000Z"
    assert [(e.reason, e.sourceId, e.amount) for e, _ in outcome.entries] == [("RewardClaimed", "Reward#r1", 50)]
    with pytest.raises(Conflict) as twice:
        rewards.claim(wallets, Streaks(), "u1", "r1", NOW)
    assert twice.value.detail == "the reward was claimed already"
    assert twice.value.extensions == {"claimedAt": "2026-11-30T10:00:00.000Z"}
    with pytest.raises(NotFound) as missing:
        rewards.claim(wallets, Streaks(), "u1", "r9", NOW)
    assert missing.value.detail == "no such reward"


def test_given_a_freeze_claim_then_the_streak_moves_one_version_stays_indexed_and_the_reward_is_marked() -> None:
    wallets, store = MarkedWallets(), Streaks()
    store.settings["u1"] = DaySettings("u1", "Asia/Tokyo", 0)
    store.streaks["u1"] = Streak("u1", current=3, best=3, runId="r", lastDay="2026-11-30", freezes=1, version=4)
    _with_rewards(wallets, Reward("f1", "streakFreeze", 1, "badge", AT), Reward("f2", "streakFreeze", 1, "b", AT))

    rewards.claim(wallets, store, "u1", "f1", NOW)

    assert (store.streak("u1").freezes, store.streak("u1").version) == (2, 5)
    assert store.index["u1"] == (21, 11)  # Tokyo's rollover and evening hours, in UTC
    assert [r.claimedAt for r in wallets.rewards("u1")] == ["2026-11-30T10:00:00.000Z", None]
    [(outcome, at, _)] = wallets.saved
    assert (outcome.marker, at) == ("Reward#f1", "2026-11-30T10:00:00.000Z")
    with pytest.raises(Conflict) as full:
        rewards.claim(wallets, store, "u1", "f2", NOW)
    assert full.value.extensions == {"freezes": 2}


def test_given_a_freeze_reward_whose_marker_exists_then_it_is_not_claimed_again() -> None:
    wallets, store = MarkedWallets(), Streaks()
    _with_rewards(wallets, Reward("f1", "streakFreeze", 1, "badge", AT))
    wallets.markers.add(("u1", "Reward#f1"))

    with pytest.raises(Conflict, match=r"^the reward was claimed already$"):
        rewards.claim(wallets, store, "u1", "f1", NOW)
    assert store.streak("u1").freezes == 0


def test_given_a_boost_bought_again_after_it_ended_then_the_purchase_shows_the_new_one() -> None:
    wallets = MarkedWallets(rivals=1)
    wallets.give("u1", boostCredits=10)
    old = Boost("debug", NOW - timedelta(hours=2), NOW - timedelta(hours=2) + timedelta(minutes=20))
    wallets.wallets["u1"] = replace(wallets.wallet("u1"), boosts=(old,))

    bought = rewards.buy_boost(wallets, "u1", "debug", "k1", NOW)
    retried = rewards.buy_boost(wallets, "u1", "debug", "k1", NOW)

    assert bought.boost.startsAt == retried.boost.startsAt == "2026-11-30T10:00:00.000Z"
    [(outcome, at, _)] = wallets.saved
    assert at == "2026-11-30T10:00:00.000Z"
    assert [(e.reason, e.amount) for e, _ in outcome.entries] == [("BoostBought", -2)]

"""Badges earned by awards, boosts multiplying awards, and what challenges and duels pay, on in-memory wallets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from deepiri_engagement.logic import awards, badges, contests, currencies
from deepiri_engagement.models.events import ChallengeCompletedData, TaskCompletedData
from deepiri_engagement.models.wallet import Boost, Wallet
from tests.unit.engagement.fakes import MarkedWallets

AT = "2026-11-30T10:00:00.000Z"
NOON = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


def _task(task_id: str = "t1", **overrides: Any) -> TaskCompletedData:
    values: dict[str, Any] = {"taskId": task_id, "userId": "u1", "category": "code", "difficulty": "medium",
                              "priority": "medium", "efficiency": None, "onTime": None}
    return TaskCompletedData(**{**values, **overrides})


def _challenge(challenge_id: str = "c1", points: int = 250, bonus: float = 1.5) -> ChallengeCompletedData:
    return ChallengeCompletedData(challengeId=challenge_id, userId="u1", pointsReward=points, bonusMultiplier=bonus,
                                  taskId=None, difficulty="hard", completedAt=AT)


def test_given_a_first_completion_then_first_steps_is_earned_once_with_its_coins_and_event() -> None:
    done = awards.complete(Wallet("u1"), None, "e1", AT, _task(), local_hour=12)
    assert done is not None

    assert done.wallet.badges == {"first-steps#bronze": AT}
    assert done.badges == ["first-steps#bronze"]
    assert done.wallet.balances["coins"] == 2 + 10
    assert [(e.reason, e.currency, e.amount) for e, _ in done.entries][-1] == ("BadgeEarned", "coins", 10)
    earned = [e.detail.data for e in done.events if e.detail_type == "BadgeEarned"]
    assert earned == [{"userId": "u1", "badgeId": "first-steps", "name": "First steps", "tier": "bronze",
                       "coins": 10, "gems": 0, "rewardId": None}]
    second = awards.complete(done.wallet, None, "e2", AT, _task("t2"), local_hour=12)
    assert second is not None and second.badges == [] and second.wallet.counters["tasksCompleted"] == 2


def test_given_completions_at_dawn_and_late_at_night_then_early_bird_and_night_owl_count_them() -> None:
    dawn = awards.complete(Wallet("u1"), None, "e1", AT, _task(onTime=True), local_hour=7)
    assert dawn is not None
    night = awards.complete(dawn.wallet, None, "e2", AT, _task("t2", difficulty="epic"), local_hour=23)
    assert night is not None

    assert {key for key in night.wallet.badges} == {"first-steps#bronze", "early-bird#bronze", "night-owl#bronze"}
    assert night.wallet.counters == {"tasksCompleted": 2, "codeTasks": 2, "onTimeTasks": 1, "earlyBird": 1,
                                     "nightOwl": 1, "hardTasks": 1, "xp": 25 + 80, "level": 2}


def test_given_complete_reopen_complete_then_the_task_counts_once_towards_badges() -> None:
    once = awards.complete(Wallet("u1"), None, "e1", AT, _task(), local_hour=12)
    assert once is not None
    undone = awards.reopen(once.wallet, once.award, "e2", "2026-11-30T10:00:01.000Z", "t1")
    assert undone is not None
    again = awards.complete(undone.wallet, undone.award, "e3", "2026-11-30T10:00:02.000Z", _task(), local_hour=12)
    assert again is not None

    assert again.wallet.counters == once.wallet.counters  # the same task: counted once, XP at its best once
    assert again.wallet.badges == once.wallet.badges and again.badges == []
    assert again.wallet.balances == once.wallet.balances


def test_given_a_later_completion_worth_more_then_lifetime_xp_rises_by_the_difference_only() -> None:
    first = awards.complete(Wallet("u1"), None, "e1", AT, _task(difficulty="easy"), local_hour=12)
    assert first is not None
    second = awards.complete(first.wallet, first.award, "e2", "2026-11-30T10:00:01.000Z", _task(difficulty="hard"),
                             local_hour=12)
    assert second is not None

    assert (second.wallet.counters["xp"], second.award.bestXp) == (40, 40)  # type: ignore[union-attr]
    assert second.award.marks == ("codeTasks", "hardTasks", "tasksCompleted")  # type: ignore[union-attr]


def test_given_a_boost_then_only_awards_inside_its_window_are_multiplied() -> None:
    focus = Boost("focus", NOON, NOON + timedelta(minutes=60))
    wallet = Wallet("u1", boosts=(focus,))

    inside = awards.complete(wallet, None, "e1", "2026-11-30T10:59:59.000Z", _task(), local_hour=12)
    at_end = awards.complete(wallet, None, "e2", "2026-11-30T11:00:00.000Z", _task(), local_hour=12)
    before = awards.complete(wallet, None, "e3", "2026-11-30T09:59:59.000Z", _task(), local_hour=12)

    assert inside is not None and inside.award is not None and inside.award.credits == {"xp": 30, "coins": 3}
    assert at_end is not None and at_end.award is not None and at_end.award.credits == {"xp": 20, "coins": 2}
    assert before is not None and before.award is not None and before.award.credits == {"xp": 20, "coins": 2}


def test_given_counters_reaching_a_top_tier_then_it_pays_gems_and_grants_a_claimable_freeze() -> None:
    nearly = {badges.tier_key(badges.BY_ID["challenger"], tier): AT for tier in badges.BY_ID["challenger"].tiers[:3]}
    wallet = Wallet("u1", counters={"challengesCompleted": 199}, badges=nearly)

    outcome = currencies.granted(wallet, "Challenge#c200", {}, "ChallengeCompleted", at=AT,
                                 counts=["challengesCompleted"])

    assert outcome.badges == ["challenger#platinum"]
    assert (outcome.wallet.balances["coins"], outcome.wallet.balances["gems"]) == (100, 5)
    assert [(r.rewardId, r.kind, r.amount) for r in outcome.rewards] == [
        ("badge-challenger-platinum", "streakFreeze", 1)]
    event = next(e for e in outcome.events if e.detail_type == "BadgeEarned")
    assert event.detail.data["rewardId"] == "badge-challenger-platinum"


def test_given_a_gold_tier_then_it_grants_claimable_boost_credits() -> None:
    held = {badges.tier_key(badges.BY_ID["duelist"], tier): AT for tier in badges.BY_ID["duelist"].tiers[:2]}
    outcome = currencies.granted(Wallet("u1", counters={"duelsWon": 49}, badges=held), "Duel#d", {}, "DuelFinished",
                                 at=AT, counts=["duelsWon"])

    assert [(r.rewardId, r.kind, r.amount) for r in outcome.rewards] == [("badge-duelist-gold", "boostCredits", 5)]
    assert outcome.wallet.balances["gems"] == 0  # only the top tier pays gems


def test_given_lifetime_xp_passing_level_five_then_a_coin_bonus_is_granted_to_claim_once() -> None:
    wallet = Wallet("u1", counters={"xp": 800, "level": 4}, badges={"experienced#bronze": AT})

    outcome = currencies.granted(wallet, "s1", {"xp": 20}, "StreakMilestone", at=AT)
    again = currencies.granted(outcome.wallet, "s2", {"xp": 2000}, "StreakMilestone", at=AT)

    assert [(r.rewardId, r.kind, r.amount, r.source) for r in outcome.rewards] == [
        ("level-5", "coinBonus", 50, "level 5")]
    assert outcome.wallet.counters["level"] == 5
    assert "climber#bronze" in outcome.badges
    assert [r.rewardId for r in again.rewards] == []  # level 8: no milestone between 6 and 8


def test_given_a_streak_record_then_the_high_water_marks_earn_the_streak_badges() -> None:
    outcome = currencies.granted(Wallet("u1"), "m7", {"xp": 20}, "StreakMilestone", at=AT,
                                 marks={"bestStreak": 7, "bestWeeklyStreak": 4})

    assert outcome.badges == ["on-fire#bronze", "week-warrior#bronze"]
    lower = currencies.granted(outcome.wallet, "m8", {}, "Test", at=AT, marks={"bestStreak": 3})
    assert lower.wallet.counters["bestStreak"] == 7


def test_given_a_challenge_then_it_pays_its_xp_and_coins_once_and_counts_for_the_challenger_badge() -> None:
    wallets = MarkedWallets()

    paid = contests.challenge_completed(wallets, AT, _challenge())
    again = contests.challenge_completed(wallets, "2026-11-30T11:00:00.000Z", _challenge())

    assert paid is not None and again is None
    wallet = wallets.wallet("u1")
    assert (wallet.balances["xp"], wallet.counters["challengesCompleted"]) == (38, 1)
    assert wallet.balances["coins"] == 3 + 10  # 38 XP's coins and the challenger badge
    assert "challenger#bronze" in wallet.badges


def test_given_a_boost_then_a_challenge_inside_its_window_is_multiplied() -> None:
    wallets = MarkedWallets()
    wallets.wallets["u1"] = Wallet("u1", boosts=(Boost("velocity", NOON, NOON + timedelta(minutes=30)),))

    contests.challenge_completed(wallets, AT, _challenge("c1", points=100, bonus=1.0))  # 10 * 1.3
    contests.challenge_completed(wallets, "2026-11-30T10:30:00.000Z", _challenge("c2", points=100, bonus=1.0))

    assert wallets.wallet("u1").balances["xp"] == 13 + 10


def test_given_a_duel_then_the_winner_is_paid_once_a_draw_pays_both_and_the_loser_nothing() -> None:
    wallets = MarkedWallets()

    assert contests.duel_finished(wallets, AT, "d1", "a", "a") is not None
    assert contests.duel_finished(wallets, AT, "d1", "a", "a") is None  # the same duel again
    assert contests.duel_finished(wallets, AT, "d1", "b", "a") is None  # the loser
    contests.duel_finished(wallets, AT, "d2", "a", None)
    contests.duel_finished(wallets, AT, "d2", "b", None)

    a, b = wallets.wallet("a"), wallets.wallet("b")
    assert (a.balances["xp"], b.balances["xp"]) == (25 + 10, 10)
    assert (a.counters.get("duelsWon"), b.counters.get("duelsWon")) == (1, None)
    assert "duelist#bronze" in a.badges and "duelist#bronze" not in b.badges


def test_given_a_challenge_and_a_duel_then_their_entries_name_them_and_carry_the_event_time() -> None:
    wallets = MarkedWallets()

    contests.challenge_completed(wallets, AT, _challenge(points=100, bonus=1.0))
    contests.duel_finished(wallets, "2026-11-30T11:00:00.000Z", "d1", "u1", "u1")

    assert [(outcome.marker, at, sorted({e.reason for e, _ in outcome.entries}))
            for outcome, at, _ in wallets.saved] == [
        ("Challenge#c1", AT, ["BadgeEarned", "ChallengeCompleted"]),
        ("Duel#d1", "2026-11-30T11:00:00.000Z", ["BadgeEarned", "DuelFinished"])]
    assert wallets.wallet("u1").badges == {"challenger#bronze": AT, "duelist#bronze": "2026-11-30T11:00:00.000Z"}


def test_given_a_claimable_badge_tier_then_its_reward_says_the_badge_and_is_granted_at_the_activity() -> None:
    held = {badges.tier_key(badges.BY_ID["duelist"], tier): AT for tier in badges.BY_ID["duelist"].tiers[:2]}
    outcome = currencies.granted(Wallet("u1", counters={"duelsWon": 49}, badges=held), "Duel#d", {}, "DuelFinished",
                                 at=AT, counts=["duelsWon"])

    assert [(r.source, r.grantedAt) for r in outcome.rewards] == [("badge Duelist (gold)", AT)]


def test_given_a_level_milestone_then_its_reward_is_granted_at_the_activity() -> None:
    wallet = Wallet("u1", counters={"xp": 800, "level": 4}, badges={"experienced#bronze": AT})

    outcome = currencies.granted(wallet, "s1", {"xp": 20}, "StreakMilestone", at=AT)

    assert [(r.rewardId, r.grantedAt) for r in outcome.rewards] == [("level-5", AT)]


def test_given_a_late_completion_that_counts_a_new_mark_then_its_badge_is_dated_and_sourced_by_it() -> None:
    later = awards.complete(Wallet("u1"), None, "e2", "2026-11-30T11:00:00.000Z", _task(), local_hour=12)
    assert later is not None and later.award is not None

    stale = awards.complete(later.wallet, later.award, "e1", AT, _task(), local_hour=6)  # earlier, at dawn

    assert stale is not None and stale.badges == ["early-bird#bronze"]
    assert stale.wallet.badges["early-bird#bronze"] == AT
    assert [(e.currency, e.reason, e.sourceId, e.taskId) for e, _ in stale.entries] == [
        ("coins", "BadgeEarned", "e1", "t1")]
    assert {e.detail.occurredAt for e in stale.events} == {AT}


def test_given_a_reopened_task_then_what_is_taken_back_is_dated_by_the_reopening() -> None:
    done = awards.complete(Wallet("u1"), None, "e1", AT, _task(), local_hour=12)
    assert done is not None

    undone = awards.reopen(done.wallet, done.award, "e2", "2026-11-30T10:05:00.000Z", "t1")

    assert undone is not None and undone.events
    assert {e.detail.occurredAt for e in undone.events} == {"2026-11-30T10:05:00.000Z"}

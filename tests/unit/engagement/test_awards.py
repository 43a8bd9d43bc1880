"""What task events do to a wallet: credits, level rewards, reversals, and any delivery order."""

from __future__ import annotations

import random
from typing import Any

import pytest

from deepiri_engagement.logic import awards, badges
from deepiri_engagement.models.events import TaskCompletedData
from deepiri_engagement.models.wallet import Outcome, TaskAward, Wallet

# Every badge tier already held: these tests look at task credits alone (badges have their own below).
ALL_HELD = {badges.tier_key(badge, tier): "2026-01-01T00:00:00.000Z" for badge in badges.CATALOGUE
            for tier in badge.tiers}


def _wallet(**fields: Any) -> Wallet:
    return Wallet("u1", **{"badges": ALL_HELD, **fields})


def _task(task_id: str = "t1", **overrides: Any) -> TaskCompletedData:
    values: dict[str, Any] = {"taskId": task_id, "userId": "u1", "category": "code", "difficulty": "medium",
                              "priority": "medium", "efficiency": None, "onTime": None}
    return TaskCompletedData(**{**values, **overrides})


def _at(second: int) -> str:
    return f"2026-11-30T10:{second // 60:02d}:{second % 60:02d}.000Z"


def _detail_types(outcome: Outcome) -> list[str]:
    return [event.detail_type for event in outcome.events]


def test_given_a_completion_then_xp_and_coins_are_credited_with_their_events() -> None:
    outcome = awards.complete(_wallet(), None, "e1", _at(1), _task(difficulty="hard"))

    assert outcome is not None
    assert outcome.wallet.balances == {"xp": 40, "coins": 4, "gems": 0, "boostCredits": 0}
    assert outcome.wallet.level == 1
    assert outcome.wallet.version == 1
    assert [(e.currency, e.amount, e.reason, e.sourceId, e.taskId, after) for e, after in outcome.entries] == [
        ("xp", 40, "TaskCompleted", "e1", "t1", 40), ("coins", 4, "TaskCompleted", "e1", "t1", 4)]
    assert _detail_types(outcome) == ["XpAwarded", "CurrencyCredited"]
    xp_event = outcome.events[0].detail
    assert xp_event.data == {"userId": "u1", "amount": 40, "totalXp": 40, "reason": "TaskCompleted",
                             "sourceEventId": "e1"}
    assert xp_event.actor == "system"
    assert outcome.award == TaskAward("t1", "awarded", _at(1), "e1", {"xp": 40, "coins": 4},
                                      ("codeTasks", "hardTasks", "tasksCompleted"), 40)


def test_given_a_completion_processed_later_then_its_award_events_carry_the_completion_time() -> None:
    # the analytics XP chart and the boards put an award on the day of the activity that earned it
    outcome = awards.complete(_wallet(), None, "e1", "2026-10-02T08:15:00.000Z", _task())

    assert outcome is not None and outcome.events
    assert {event.detail.occurredAt for event in outcome.events} == {"2026-10-02T08:15:00.000Z"}


def test_given_an_award_crossing_two_levels_then_each_level_up_is_published_and_paid() -> None:
    wallet = _wallet(level=1, balances={"xp": 95, "coins": 0, "gems": 0, "boostCredits": 0})

    outcome = awards.complete(wallet, None, "e1", _at(1), _task(difficulty="epic", onTime=True,
                                                                 efficiency=100.0, priority="urgent"))

    assert outcome is not None
    assert outcome.wallet.balances["xp"] == 205  # 95 + 110
    assert outcome.wallet.level == 2
    wallet = _wallet(level=1, balances={"xp": 240, "coins": 0, "gems": 0, "boostCredits": 0})
    outcome = awards.complete(wallet, None, "e2", _at(2), _task(difficulty="epic", onTime=True,
                                                                 efficiency=100.0, priority="urgent"))
    assert outcome is not None
    assert outcome.wallet.level == 3  # 350 XP: past 100 and 250
    assert [e.detail.data for e in outcome.events if e.detail_type == "LevelUp"] == [
        {"userId": "u1", "level": 2, "previousLevel": 1}, {"userId": "u1", "level": 3, "previousLevel": 2}]
    assert outcome.wallet.balances["coins"] == 11 + 20 + 30
    assert [(e.reason, e.amount) for e, _ in outcome.entries if e.reason == "LevelReward"] == [
        ("LevelReward", 20), ("LevelReward", 30)]


def test_given_a_reopened_task_then_exactly_its_credits_and_level_rewards_are_taken_back() -> None:
    wallet = _wallet(level=1, balances={"xp": 90, "coins": 9, "gems": 0, "boostCredits": 0})
    done = awards.complete(wallet, None, "e1", _at(1), _task())
    assert done is not None and done.wallet.level == 2

    undone = awards.reopen(done.wallet, done.award, "e2", _at(2), "t1")

    assert undone is not None
    assert undone.wallet.balances == wallet.balances
    assert undone.wallet.level == 1
    assert undone.award == TaskAward("t1", "reversed", _at(2), "e2", {}, ("codeTasks", "tasksCompleted"), 20)
    assert [(e.currency, e.amount, e.reason, e.sourceId, e.taskId) for e, _ in undone.entries] == [
        ("xp", -20, "TaskReopened", "e2", "t1"), ("coins", -2, "TaskReopened", "e2", "t1"),
        ("coins", -20, "LevelReward", "e2", "t1")]
    assert _detail_types(undone) == ["CurrencyDebited", "CurrencyDebited", "CurrencyDebited", "LevelDown"]
    assert undone.events[-1].detail.data == {"userId": "u1", "level": 1, "previousLevel": 2}


def test_given_complete_reopen_complete_then_the_state_is_that_of_one_completion() -> None:
    once = awards.complete(_wallet(), None, "e1", _at(1), _task())
    assert once is not None
    undone = awards.reopen(once.wallet, once.award, "e2", _at(2), "t1")
    assert undone is not None
    again = awards.complete(undone.wallet, undone.award, "e3", _at(3), _task())

    assert again is not None
    assert again.wallet.balances == once.wallet.balances
    assert again.wallet.level == once.wallet.level


def test_given_an_event_no_later_than_the_standing_one_then_nothing_changes() -> None:
    done = awards.complete(_wallet(), None, "e5", _at(5), _task())
    assert done is not None

    assert awards.complete(done.wallet, done.award, "e5", _at(5), _task()) is None  # the same event again
    assert awards.complete(done.wallet, done.award, "e4", _at(4), _task()) is None  # an older completion
    assert awards.reopen(done.wallet, done.award, "e3", _at(3), "t1") is None  # an older reopening
    assert awards.complete(done.wallet, done.award, "e4", _at(5), _task()) is None  # same time, smaller id


def test_given_a_reopening_before_its_completion_arrives_then_the_late_completion_is_ignored() -> None:
    undone = awards.reopen(_wallet(), None, "e2", _at(2), "t1")
    assert undone is not None
    assert undone.entries == [] and undone.events == []

    late = awards.complete(undone.wallet, undone.award, "e1", _at(1), _task())

    assert late is not None and late.entries == [] and late.events == []  # no credit...
    assert late.wallet.balances == undone.wallet.balances
    assert late.award == TaskAward("t1", "reversed", _at(2), "e2", {}, ("codeTasks", "tasksCompleted"), 20)
    assert late.wallet.counters == {"tasksCompleted": 1, "codeTasks": 1, "xp": 20, "level": 1}  # ...but it counts
    assert awards.complete(late.wallet, late.award, "e1", _at(1), _task()) is None  # and only once


def test_given_a_later_completion_of_a_standing_award_then_it_replaces_the_credits() -> None:
    first = awards.complete(_wallet(), None, "e1", _at(1), _task(difficulty="easy"))
    assert first is not None

    second = awards.complete(first.wallet, first.award, "e3", _at(3), _task(difficulty="hard"))

    assert second is not None
    assert second.wallet.balances["xp"] == 40
    assert second.award.credits == {"xp": 40, "coins": 4}


def test_given_spent_coins_then_a_reversal_leaves_a_debt_not_a_negative_balance() -> None:
    done = awards.complete(_wallet(), None, "e1", _at(1), _task(difficulty="epic"))
    assert done is not None
    spent = _wallet(level=done.wallet.level, balances={**done.wallet.balances, "coins": 3},
                   version=done.wallet.version)

    undone = awards.reopen(spent, done.award, "e2", _at(2), "t1")

    assert undone is not None
    assert undone.wallet.balances["coins"] == 0
    assert undone.wallet.debts["coins"] == 5
    repaid = awards.complete(undone.wallet, undone.award, "e3", _at(3), _task("t2", difficulty="medium"))
    assert repaid is not None
    assert (repaid.wallet.balances["coins"], repaid.wallet.debts["coins"]) == (0, 3)


def test_given_a_reopening_that_drops_two_levels_then_both_rewards_are_taken_back() -> None:
    done = awards.complete(_wallet(level=2, balances={"xp": 240, "coins": 100, "gems": 0, "boostCredits": 0}),
                           None, "e1", _at(1), _task(difficulty="epic"))
    assert done is not None and done.wallet.level == 3  # 320 XP

    undone = awards.reopen(_wallet(level=3, balances={**done.wallet.balances, "xp": 120}), done.award, "e2",
                           _at(2), "t1")

    assert undone is not None
    assert undone.wallet.level == 1  # 40 XP
    assert [e.amount for e, _ in undone.entries if e.reason == "LevelReward"] == [-30, -20]
    assert undone.events[-1].detail.data == {"userId": "u1", "level": 1, "previousLevel": 3}


def test_given_two_reversals_of_spent_coins_then_their_debts_add_up() -> None:
    wallet = _wallet()
    standing = {}
    for task_id, second in (("t1", 1), ("t2", 2)):
        done = awards.complete(wallet, None, f"c{task_id}", _at(second), _task(task_id, difficulty="epic"))
        assert done is not None
        wallet, standing[task_id] = done.wallet, done.award
    wallet = _wallet(level=wallet.level, balances={**wallet.balances, "coins": 0}, version=wallet.version)

    for task_id, second in (("t1", 3), ("t2", 4)):
        undone = awards.reopen(wallet, standing[task_id], f"r{task_id}", _at(second), task_id)
        assert undone is not None
        wallet = undone.wallet

    assert wallet.debts["coins"] == 8 + 8 + 20  # both tasks' coins and the level-2 reward, all spent
    assert wallet.balances["coins"] == 0


def test_given_xp_taken_back_then_it_is_a_debit_event_not_an_award() -> None:
    done = awards.complete(_wallet(), None, "e1", _at(1), _task(difficulty="trivial"))
    assert done is not None
    undone = awards.reopen(done.wallet, done.award, "e2", _at(2), "t1")
    assert undone is not None
    assert [(e.detail_type, e.detail.data["currency"], e.detail.data["amount"], e.detail.data["balance"])
            for e in undone.events] == [("CurrencyDebited", "xp", 5, 0)]


def _deliver(events: list[tuple[str, str, str, str, TaskCompletedData | None]]) -> Wallet:
    """Apply (kind, task id, event id, time, data) events as the consumer does; the final wallet."""
    wallet, standing = _wallet(), dict[str, TaskAward]()
    for kind, task_id, event_id, at, data in events:
        award = standing.get(task_id)
        outcome = (awards.complete(wallet, award, event_id, at, data) if kind == "complete" and data
                   else awards.reopen(wallet, award, event_id, at, task_id))
        if outcome is not None:
            wallet, standing[task_id] = outcome.wallet, outcome.award
    return wallet


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_given_1000_events_with_duplicates_in_random_order_then_the_state_is_that_of_in_order_delivery(
        seed: int) -> None:
    generator = random.Random(seed)
    difficulties = ["trivial", "easy", "medium", "hard", "epic"]
    events: list[tuple[str, str, str, str, TaskCompletedData | None]] = []
    for n in range(1000):
        task_id = f"t{generator.randrange(120)}"
        kind = "complete" if generator.random() < 0.7 else "reopen"
        data = _task(task_id, difficulty=generator.choice(difficulties), onTime=generator.choice([True, None]),
                     priority=generator.choice(["low", "urgent"])) if kind == "complete" else None
        events.append((kind, task_id, f"e{n:04d}", _at(n), data))
    in_order = _deliver(events)
    shuffled = events + [generator.choice(events) for _ in range(200)]  # 20 % duplicates
    generator.shuffle(shuffled)

    wallet = _deliver(shuffled)

    assert in_order.balances["xp"] > 0
    assert (wallet.balances, wallet.level, wallet.debts) == (in_order.balances, in_order.level, in_order.debts)

"""Exactly-once effect across every event that pays: tasks completed and reopened, challenges and duels,
delivered with duplicates in random order, leave the wallet (balances, debts, level), the badges and their
counters and the claimable rewards exactly as one in-order delivery (the real decisions, on in-memory
wallets keeping the repository's contract: versions and markers)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from deepiri_engagement.logic import contests, progress
from deepiri_engagement.models.events import ChallengeCompletedData, TaskCompletedData
from tests.unit.engagement.fakes import MarkedWallets

USERS = ("u1", "u2", "u3")
Event = tuple[str, str, str, Any]  # (kind, event id, time, data)


def _at(n: int) -> str:
    return f"2026-11-30T10:{n // 60:02d}:{n % 60:02d}.000Z"


def _events(generator: random.Random, count: int) -> list[Event]:
    events: list[Event] = []
    for n in range(count):  # a challenge or a duel finishes once: its repeats are the duplicates below
        user, roll = generator.choice(USERS), generator.random()
        if roll < 0.5:
            task = TaskCompletedData(
                taskId=f"t{generator.randrange(60)}", userId=user,
                category=generator.choice(["code", "study", "admin"]),
                difficulty=generator.choice(["trivial", "easy", "medium", "hard", "epic"]),
                priority=generator.choice(["low", "urgent"]), efficiency=None, onTime=generator.choice([True, None]))
            events.append(("complete", f"e{n:04d}", _at(n), (task, generator.choice([6, 12, 23]))))
        elif roll < 0.75:
            events.append(("reopen", f"e{n:04d}", _at(n), (user, f"t{generator.randrange(60)}")))
        elif roll < 0.9:
            events.append(("challenge", f"e{n:04d}", _at(n), ChallengeCompletedData(
                challengeId=f"c{n}", userId=user, pointsReward=generator.randrange(0, 400),
                bonusMultiplier=generator.choice([1.0, 1.5, 2.0]), taskId=None, difficulty="medium",
                completedAt=_at(n))))
        else:
            a, b = generator.sample(USERS, 2)
            events.append(("duel", f"e{n:04d}", _at(n), (f"d{n}", (a, b), generator.choice([a, b, None]))))
    return events


def _deliver(events: list[Event]) -> MarkedWallets:
    wallets = MarkedWallets()
    for kind, event_id, at, data in events:
        if kind == "complete":
            task, hour = data
            progress.task_completed(wallets, event_id, at, task, hour)
        elif kind == "reopen":
            user, task_id = data
            progress.task_reopened(wallets, event_id, at, user, task_id)
        elif kind == "challenge":
            contests.challenge_completed(wallets, at, data)
        else:
            duel_id, participants, winner = data
            for user in participants:
                contests.duel_finished(wallets, at, duel_id, user, winner)
    return wallets


def _state(wallets: MarkedWallets, user: str) -> dict[str, Any]:
    wallet = wallets.wallet(user)
    return {"balances": wallet.balances, "debts": wallet.debts, "level": wallet.level, "counters": wallet.counters,
            "badges": sorted(wallet.badges), "rewards": sorted(r.rewardId for r in wallets.rewards(user))}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_given_1000_events_of_every_kind_with_20_percent_duplicates_shuffled_then_the_state_is_that_of_in_order(
        seed: int) -> None:
    generator = random.Random(seed)
    events = _events(generator, 1000)
    in_order = _deliver(events)
    shuffled = events + [generator.choice(events) for _ in range(200)]  # 20 % duplicates
    generator.shuffle(shuffled)

    delivered = _deliver(shuffled)

    for user in USERS:
        expected = _state(in_order, user)
        assert expected["balances"]["xp"] > 0 and len(expected["badges"]) >= 5  # the test sees real progress
        assert _state(delivered, user) == expected, user

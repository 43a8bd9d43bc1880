"""Applying an event to a stored wallet: read, decide, write, and decide again after a concurrent write."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from deepiri_engagement.dal.wallets import VersionConflict
from deepiri_engagement.logic import progress, rules
from deepiri_engagement.logic.badges import BY_ID
from deepiri_engagement.models.events import TaskCompletedData
from deepiri_engagement.models.wallet import Boost, Outcome, TaskAward, Wallet

NOW = datetime(2026, 11, 30, 10, 0, tzinfo=UTC)


class FakeWallets:
    """The repository's contract in memory; ``rivals`` writes land just before the next saves."""

    def __init__(self, rivals: int = 0) -> None:
        self.wallets: dict[str, Wallet] = {}
        self.awards: dict[tuple[str, str], TaskAward] = {}
        self.saved: list[tuple[Outcome, str]] = []
        self.rivals = rivals
        self.deleted: list[str] = []

    def wallet(self, user_id: str) -> Wallet:
        return self.wallets.get(user_id, Wallet(user_id))

    def task_award(self, user_id: str, task_id: str) -> TaskAward | None:
        return self.awards.get((user_id, task_id))

    def save(self, previous: Wallet, outcome: Outcome, at: str) -> None:
        if self.rivals:
            self.rivals -= 1
            current = self.wallet(previous.userId)
            self.wallets[previous.userId] = Wallet(current.userId, current.level,
                                                   {**current.balances, "xp": current.balances["xp"] + 50},
                                                   current.debts, current.version + 1)
        if self.wallet(previous.userId).version != previous.version:
            raise VersionConflict(previous.userId)
        self.wallets[outcome.wallet.userId] = outcome.wallet
        self.awards[(outcome.wallet.userId, outcome.award.taskId)] = outcome.award
        self.saved.append((outcome, at))

    def ledger(self, user_id: str, currency: str | None, limit: int, cursor: str | None) -> Any:
        return ("ledger", user_id, currency, limit, cursor)

    def delete_user(self, user_id: str) -> int:
        self.deleted.append(user_id)
        return 7


def _task(**overrides: Any) -> TaskCompletedData:
    values: dict[str, Any] = {"taskId": "t1", "userId": "u1", "category": "code", "difficulty": "hard",
                              "priority": "medium", "efficiency": None, "onTime": None}
    return TaskCompletedData(**{**values, **overrides})


AT = "2026-11-30T10:00:00.000Z"


def test_given_a_completion_then_it_is_saved_with_its_time() -> None:
    wallets = FakeWallets()

    outcome = progress.task_completed(wallets, "e1", AT, _task())

    assert outcome is not None and wallets.saved == [(outcome, AT)]
    assert wallets.wallet("u1").balances["xp"] == 40


def test_given_a_concurrent_write_then_the_event_is_decided_again_on_the_new_state() -> None:
    wallets = FakeWallets(rivals=2)

    outcome = progress.task_completed(wallets, "e1", AT, _task())

    assert outcome is not None
    assert wallets.wallet("u1").balances["xp"] == 100 + 40
    assert outcome.entries[0][1] == 140  # the balance after the entry counts the rivals' writes


def test_given_writes_that_keep_losing_then_the_event_fails_to_be_retried_by_the_queue() -> None:
    assert progress.WRITE_ATTEMPTS == 5
    wallets = FakeWallets(rivals=progress.WRITE_ATTEMPTS)

    with pytest.raises(VersionConflict, match="u1"):
        progress.task_completed(wallets, "e1", AT, _task())
    assert wallets.saved == []


def test_given_four_lost_writes_then_the_fifth_attempt_still_lands() -> None:
    wallets = FakeWallets(rivals=progress.WRITE_ATTEMPTS - 1)

    assert progress.task_completed(wallets, "e1", AT, _task()) is not None


def test_given_a_reopening_then_the_standing_award_is_taken_back() -> None:
    wallets = FakeWallets()
    progress.task_completed(wallets, "e1", AT, _task())

    outcome = progress.task_reopened(wallets, "e2", "2026-11-30T10:00:01.000Z", "u1", "t1")

    assert outcome is not None and wallets.wallet("u1").balances["xp"] == 0
    assert wallets.saved[-1] == (outcome, "2026-11-30T10:00:01.000Z")
    assert wallets.awards[("u1", "t1")].state == "reversed"


def test_given_a_stale_event_then_nothing_is_written() -> None:
    wallets = FakeWallets()
    progress.task_completed(wallets, "e2", AT, _task())

    assert progress.task_completed(wallets, "e1", AT, _task()) is None
    assert progress.task_reopened(wallets, "e0", AT, "u1", "t1") is None
    assert len(wallets.saved) == 1


def test_given_a_wallet_then_its_description_shows_progress_into_the_level() -> None:
    wallets = FakeWallets()
    ids = ["first-steps", "coder", "scholar", "artist", "maker", "designer", "duelist"]
    held = {f"{badge_id}#bronze": f"2026-11-2{n}T00:00:00.000Z" for n, badge_id in enumerate(ids)}
    focus = Boost("focus", NOW - timedelta(minutes=10), NOW + timedelta(minutes=50))
    ended = Boost("debug", NOW - timedelta(minutes=30), NOW - timedelta(minutes=10))
    wallets.wallets["u1"] = Wallet("u1", level=2, balances={"xp": 175, "coins": 3, "gems": 1, "boostCredits": 2},
                                   version=4, badges=held, boosts=(ended, focus))

    me = progress.describe(wallets, "u1", NOW)

    assert me.model_dump() == {
        "userId": "u1", "level": 2, "xp": 175, "xpIntoLevel": 75, "xpForNextLevel": 150, "progress": 0.5,
        "balances": {"xp": 175, "coins": 3, "gems": 1, "boostCredits": 2}, "streaks": None,
        "boosts": [{"kind": "focus", "multiplier": 1.5, "startsAt": "2026-11-30T09:50:00.000Z",
                    "endsAt": "2026-11-30T10:50:00.000Z"}],
        "recentBadges": [{"badgeId": badge_id, "name": BY_ID[badge_id].name, "tier": "bronze",
                          "earnedAt": f"2026-11-2{n}T00:00:00.000Z"} for n, badge_id in
                         reversed(list(enumerate(ids))[2:])]}


def test_given_a_fraction_then_progress_keeps_four_decimals_and_never_passes_one() -> None:
    wallets = FakeWallets()
    wallets.wallets["u1"] = Wallet("u1", level=2, balances={"xp": 120, "coins": 0, "gems": 0, "boostCredits": 0})
    assert progress.describe(wallets, "u1", NOW).progress == 0.1333
    capped = 10 * rules.level_start(rules.MAX_LEVEL)
    wallets.wallets["u1"] = Wallet("u1", level=rules.MAX_LEVEL,
                                   balances={"xp": capped, "coins": 0, "gems": 0, "boostCredits": 0})
    assert progress.describe(wallets, "u1", NOW).progress == 1.0


def test_given_a_new_user_then_the_description_is_level_one_at_zero() -> None:
    me = progress.describe(FakeWallets(), "nobody", NOW)
    assert (me.level, me.xp, me.xpIntoLevel, me.xpForNextLevel, me.progress) == (1, 0, 0, 100, 0.0)


def test_given_ledger_and_deletion_then_they_pass_to_the_repository() -> None:
    wallets = FakeWallets()
    assert progress.ledger(wallets, "u1", "xp", 5, "c") == ("ledger", "u1", "xp", 5, "c")
    assert progress.forget_user(wallets, "u1") == 7 and wallets.deleted == ["u1"]

"""Grants and spends against the engagement table on moto: markers make each source apply once, and
parallel spends never take a balance below zero."""

from __future__ import annotations

import threading

import pytest

from deepiri_common.problems import Conflict
from deepiri_engagement import wiring
from deepiri_engagement.logic import currencies
from tests.support import template

AT = "2026-11-30T10:00:00.000Z"


@pytest.fixture
def repository(aws, monkeypatch):
    with template.deployed(monkeypatch, wiring.reset, EVENT_BUS_NAME="EventBus", ENGAGEMENT_TABLE="EngagementTable",
                           IDEMPOTENCY_TABLE="IdempotencyTable"):
        yield wiring.wallet_repository()


def test_given_one_grant_delivered_twice_then_the_wallet_and_ledger_count_it_once(repository) -> None:
    assert currencies.grant(repository, "alice", "evt-1", AT, {"coins": 100}, reason="Test") is not None
    assert currencies.grant(repository, "alice", "evt-1", AT, {"coins": 100}, reason="Test") is None

    assert repository.wallet("alice").balances["coins"] == 100
    assert [entry.amount for entry in repository.ledger("alice", "coins", 10, None).items] == [100]
    assert repository.applied("alice", "evt-1") and not repository.applied("alice", "evt-2")


def test_given_parallel_spends_then_the_balance_never_goes_below_zero(repository) -> None:
    # Given 100 coins, When 12 threads each try to spend 30 at once
    currencies.grant(repository, "alice", "seed", AT, {"coins": 100}, reason="Test")
    outcomes: list[str] = []
    start = threading.Barrier(12)

    def spend(n: int) -> None:
        start.wait()
        try:
            currencies.spend(repository, "alice", f"key-{n}", AT, {"coins": 30}, reason="Test")
            outcomes.append("spent")
        except currencies.InsufficientBalance:
            outcomes.append("refused")
        except Conflict:
            outcomes.append("busy")

    threads = [threading.Thread(target=spend, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then at most three land, the balance is what they left, and the ledger agrees with it
    spent = outcomes.count("spent")
    assert 1 <= spent <= 3 and len(outcomes) == 12
    balance = repository.wallet("alice").balances["coins"]
    assert balance == 100 - 30 * spent >= 0
    entries = repository.ledger("alice", "coins", 100, None).items
    assert sum(entry.amount for entry in entries) == balance
    assert all(entry.balance >= 0 for entry in entries)

"""Grants and spends against the engagement table on moto (markers make each source apply once, and
parallel spends never take a balance below zero), and the users' day settings kept by the consumer."""

from __future__ import annotations

import threading
from typing import Any

import boto3
import pytest

from deepiri_common.events import DomainEvent
from deepiri_common.problems import Conflict
from deepiri_engagement import wiring
from deepiri_engagement.dal.wallets import WalletRepository
from deepiri_engagement.handlers import consumers
from deepiri_engagement.logic import currencies
from tests.support import flows, template
from tests.support.lambda_context import FakeLambdaContext

AT = "2026-11-30T10:00:00.000Z"


@pytest.fixture
def repository(engagement: dict[str, str]) -> WalletRepository:
    return wiring.wallet_repository()


def test_given_one_grant_delivered_twice_then_the_wallet_and_ledger_count_it_once(repository) -> None:
    assert currencies.grant(repository, "alice", "evt-1", AT, {"coins": 100}, reason="Test") is not None
    assert currencies.grant(repository, "alice", "evt-1", AT, {"coins": 100}, reason="Test") is None

    assert repository.wallet("alice").balances["coins"] == 100
    assert [entry.amount for entry in repository.ledger("alice", "coins", 10, None).items] == [100]
    assert repository.applied("alice", "evt-1") and not repository.applied("alice", "evt-2")


class _OneRequestAtATime:
    """A DynamoDB client whose requests each run alone, as DynamoDB applies each request atomically.

    moto's backend is not thread-safe (a transaction's condition and its write can interleave with another
    thread's); the race under test, between a read and the conditional write that follows it, remains.
    """

    def __init__(self, client: Any) -> None:
        self._client, self._lock = client, threading.Lock()

    def __getattr__(self, name: str) -> Any:
        call = getattr(self._client, name)

        def alone(**kwargs: Any) -> Any:
            with self._lock:
                return call(**kwargs)
        return alone


def test_given_parallel_spends_then_the_balance_never_goes_below_zero(repository) -> None:
    # Given 100 coins, When 12 threads each try to spend 30 at once
    repository = WalletRepository(wiring.settings().engagement_table,
                                  _OneRequestAtATime(boto3.client("dynamodb", region_name=template.REGION)))
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
        except Exception as error:  # any other failure is shown by the assertion below
            outcomes.append(repr(error))

    threads = [threading.Thread(target=spend, args=(n,)) for n in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then at most three land, the balance is what they left, and the ledger agrees with it
    spent = outcomes.count("spent")
    assert set(outcomes) <= {"spent", "refused", "busy"}, outcomes
    assert 1 <= spent <= 3 and len(outcomes) == 12
    balance = repository.wallet("alice").balances["coins"]
    assert balance == 100 - 30 * spent >= 0
    entries = repository.ledger("alice", "coins", 100, None).items
    assert sum(entry.amount for entry in entries) == balance
    assert all(entry.balance >= 0 for entry in entries)


def _settings(kind: str, user: str, timezone: str, hour: int, at: str) -> DomainEvent:
    data = {"userId": user, "timezone": timezone, "dayStartHour": hour}
    if kind == "UserRegistered":
        data |= {"email": f"{user}@example.com", "displayName": user}
    event = DomainEvent.new("users", kind, data, actor=user)
    return event.model_copy(update={"detail": event.detail.model_copy(update={"occurredAt": at})})


def test_given_settings_events_in_any_order_then_engagement_keeps_the_latest_values(repository) -> None:
    registered = _settings("UserRegistered", "alice", "UTC", 0, "2026-11-30T08:00:00.000Z")
    moved = _settings("UserSettingsChanged", "alice", "Asia/Tokyo", 4, "2026-11-30T09:00:00.000Z")
    back = _settings("UserSettingsChanged", "alice", "America/Los_Angeles", 5, "2026-11-30T10:00:00.000Z")

    assert consumers.handler(flows.sqs_of_events(back, registered, moved), FakeLambdaContext()) == {
        "batchItemFailures": []}

    kept = wiring.streak_repository().day_settings("alice")
    assert (kept.timezone, kept.dayStartHour) == ("America/Los_Angeles", 5)
    assert wiring.streak_repository().day_settings("nobody").timezone == "UTC"

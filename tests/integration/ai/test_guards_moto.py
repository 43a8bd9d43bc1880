"""The Bedrock provider's shared state on moto: the breaker every instance reads, and daily token budgets."""

from __future__ import annotations

import boto3

from deepiri_ai.dal.guards import Guards
from tests.support import template


def _guards(ai: dict[str, str]) -> Guards:
    return Guards(ai["AiTable"], boto3.client("dynamodb", region_name=template.REGION))


def test_given_failures_up_to_the_threshold_then_the_breaker_opens_for_another_instance(ai) -> None:
    first, second = _guards(ai), _guards(ai)  # two instances, one table
    for _ in range(2):
        first.record_failure("model", 1_000.0, threshold=3, cool_off=60)
    assert second.breaker_open_until("model") == 0

    second.record_failure("model", 1_000.0, threshold=3, cool_off=60)

    assert first.breaker_open_until("model") == 1_060
    assert first.breaker_open_until("another-model") == 0


def test_given_a_success_then_the_failure_count_starts_again(ai) -> None:
    guards = _guards(ai)
    guards.record_failure("model", 1_000.0, threshold=2, cool_off=60)
    guards.record_success("model")
    guards.record_failure("model", 1_000.0, threshold=2, cool_off=60)
    assert guards.breaker_open_until("model") == 0


def test_given_spends_then_the_day_adds_up_per_user(ai) -> None:
    guards = _guards(ai)
    guards.spend("alice", "2026-11-30", 150, 1_900_000_000)
    assert guards.spend("alice", "2026-11-30", 50, 1_900_000_000) == 200
    assert guards.tokens_spent("alice", "2026-11-30") == 200
    assert guards.tokens_spent("alice", "2026-12-01") == 0 and guards.tokens_spent("bob", "2026-11-30") == 0

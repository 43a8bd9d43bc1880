"""Token-bucket arithmetic (the DynamoDB side is exercised against moto in the integration tests)."""

from __future__ import annotations

import pytest

from deepiri_common.ratelimit import TokenBucket, refill

BUCKET = TokenBucket(capacity=10, refill_per_second=2.0)


def test_given_time_passed_when_refilling_then_tokens_grow_at_the_rate() -> None:
    assert refill(3.0, updated_ms=1_000, now_ms=2_500, bucket=BUCKET) == 6.0


def test_given_a_long_pause_when_refilling_then_the_bucket_never_exceeds_capacity() -> None:
    assert refill(0.0, updated_ms=0, now_ms=3_600_000, bucket=BUCKET) == 10.0


def test_given_no_time_passed_when_refilling_then_tokens_are_unchanged() -> None:
    assert refill(4.5, updated_ms=7_000, now_ms=7_000, bucket=BUCKET) == 4.5


def test_given_a_clock_that_went_backwards_when_refilling_then_no_tokens_are_lost_or_gained() -> None:
    assert refill(4.0, updated_ms=9_000, now_ms=8_000, bucket=BUCKET) == 4.0


def test_given_a_fractional_rate_when_refilling_then_partial_tokens_accrue() -> None:
    slow = TokenBucket(capacity=5, refill_per_second=0.1)
    assert refill(0.0, updated_ms=0, now_ms=2_500, bucket=slow) == pytest.approx(0.25)


def test_given_a_bucket_short_of_tokens_then_the_wait_is_the_missing_tokens_over_the_rate() -> None:
    assert BUCKET.seconds_until(0.5, 3) == pytest.approx(1.25)
    assert BUCKET.seconds_until(4.0, 3) == 0.0


@pytest.mark.parametrize(("capacity", "rate"), [(0, 1.0), (5, 0.0), (5, -1.0)])
def test_given_an_empty_or_frozen_bucket_definition_then_it_is_rejected(capacity: int, rate: float) -> None:
    with pytest.raises(ValueError, match="capacity"):
        TokenBucket(capacity=capacity, refill_per_second=rate)

"""Token-bucket arithmetic, and the limiter over an in-memory table (against moto in the integration tests)."""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from deepiri_common.problems import TooManyRequests
from deepiri_common.ratelimit import MAX_ATTEMPTS, RateLimiter, TokenBucket, refill

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
    with pytest.raises(ValueError) as refused:
        TokenBucket(capacity=capacity, refill_per_second=rate)
    assert str(refused.value) == "a bucket needs capacity >= 1 and a positive refill rate"


# ---------------------------------------------------------------------------------------------------
# RateLimiter over an in-memory table that behaves like DynamoDB where it matters to the limiter:
# eventually consistent reads may return the item as it was before the last write, and the conditional
# put is evaluated (and a condition it does not understand is refused, as DynamoDB refuses a bad one).

CONDITION = "attribute_not_exists(pk) OR (updatedAt = :updated AND tokens = :tokens)"
LOGIN = TokenBucket(capacity=3, refill_per_second=0.5)
START = datetime(2026, 1, 1, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def _is_number(value: dict[str, Any]) -> bool:
    try:
        return list(value) == ["N"] and float(value["N"]) is not None
    except ValueError:
        return False


def _failed(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": code}}, "PutItem")


class MemoryTable:
    """A DynamoDB client for one table keyed by ``pk``; a non-consistent read lags one write behind."""

    def __init__(self, table: str = "limits") -> None:
        self.table = table
        self.items: dict[str, dict[str, Any]] = {}
        self.stale: dict[str, dict[str, Any] | None] = {}
        # Writes another client makes right before the limiter's next puts (not before their own).
        self.before_put: list[Callable[[], None]] = []
        self._racing = False

    def get_item(self, *, TableName: str, Key: dict[str, Any], ConsistentRead: bool = False) -> dict[str, Any]:
        assert TableName == self.table
        key = Key["pk"]["S"]
        item = self.items.get(key) if ConsistentRead is True else self.stale.get(key, self.items.get(key))
        return {"Item": copy.deepcopy(item)} if item is not None else {}

    def put_item(self, *, TableName: str, Item: dict[str, Any], ConditionExpression: str,
                 ExpressionAttributeValues: dict[str, Any]) -> dict[str, Any]:
        assert TableName == self.table
        if self.before_put and not self._racing:
            self._racing = True
            try:
                self.before_put.pop(0)()
            finally:
                self._racing = False
        if ConditionExpression != CONDITION or set(ExpressionAttributeValues) != {":updated", ":tokens"}:
            raise _failed("ValidationException")
        if not all(_is_number(value) for value in ExpressionAttributeValues.values()):
            raise _failed("ValidationException")  # DynamoDB refuses a malformed attribute value
        key = Item["pk"]["S"]
        stored = self.items.get(key)
        if stored is not None and (stored["updatedAt"] != ExpressionAttributeValues[":updated"]
                                   or stored["tokens"] != ExpressionAttributeValues[":tokens"]):
            raise _failed("ConditionalCheckFailedException")
        self.stale[key] = stored
        self.items[key] = copy.deepcopy(Item)
        return {}


def _spend_all(limiter: RateLimiter, key: str, bucket: TokenBucket) -> int:
    for spent in range(bucket.capacity + 1):
        try:
            limiter.acquire(key, bucket)
        except TooManyRequests:
            return spent
    raise AssertionError("the bucket never ran out")


def test_given_the_retry_budget_then_a_contended_key_gets_five_tries() -> None:
    assert MAX_ATTEMPTS == 5


def test_given_a_full_bucket_when_spending_past_capacity_then_429_says_when_the_next_token_comes() -> None:
    limiter = RateLimiter("limits", MemoryTable(), Clock())

    assert _spend_all(limiter, "login#ada", LOGIN) == 3
    with pytest.raises(TooManyRequests) as raised:
        limiter.acquire("login#ada", LOGIN)
    assert raised.value.retry_after == 2  # one token at 0.5 per second


def test_given_an_empty_bucket_when_time_passes_then_the_refilled_tokens_can_be_spent() -> None:
    clock = Clock()
    limiter = RateLimiter("limits", MemoryTable(), clock)
    _spend_all(limiter, "login#ada", LOGIN)

    clock.advance(4)

    assert _spend_all(limiter, "login#ada", LOGIN) == 2


def test_given_a_cost_the_bucket_lacks_then_the_wait_covers_the_whole_cost() -> None:
    limiter = RateLimiter("limits", MemoryTable(), Clock())
    limiter.acquire("export#ada", LOGIN, cost=2)

    with pytest.raises(TooManyRequests) as raised:
        limiter.acquire("export#ada", LOGIN, cost=3)

    assert raised.value.retry_after == 4  # 1 token left, 2 missing at 0.5 per second


def test_given_a_spend_then_the_item_holds_the_tokens_left_the_time_and_expires_a_minute_after_refilling() -> None:
    table, clock = MemoryTable(), Clock()
    clock.advance(0.25)
    limiter = RateLimiter("limits", table, clock)

    limiter.acquire("login#ada", LOGIN, cost=2)

    item = table.items["login#ada"]
    now = START.timestamp() + 0.25
    assert item["pk"] == {"S": "login#ada"}
    assert item["tokens"] == {"N": "1.000000"}
    assert item["updatedAt"] == {"N": str(int(now * 1000))}
    # 2 tokens missing at 0.5 per second: full 4 s later, rounded up to the second, plus 60 s of slack
    assert item["expiresAt"] == {"N": str(math.ceil(now + 4) + 60)}


def test_given_a_one_token_bucket_then_one_request_passes_per_refill() -> None:
    clock = Clock()
    single = TokenBucket(capacity=1, refill_per_second=1.0)
    limiter = RateLimiter("limits", MemoryTable(), clock)

    assert _spend_all(limiter, "reset#ada", single) == 1
    clock.advance(1)
    assert _spend_all(limiter, "reset#ada", single) == 1


@pytest.mark.parametrize("cost", [0, 4])
def test_given_a_cost_outside_one_to_capacity_then_it_is_a_programming_error(cost: int) -> None:
    with pytest.raises(ValueError, match=r"between 1 and the bucket's capacity \(3\)"):
        RateLimiter("limits", MemoryTable(), Clock()).acquire("login#ada", LOGIN, cost=cost)


def test_given_a_cost_equal_to_capacity_then_a_full_bucket_pays_it() -> None:
    RateLimiter("limits", MemoryTable(), Clock()).acquire("login#ada", LOGIN, cost=3)


def test_given_reads_that_may_lag_then_the_limiter_reads_consistently_and_never_overspends() -> None:
    # On an eventually consistent read the last write may be missing: a spent bucket would look full
    limiter = RateLimiter("limits", MemoryTable(), Clock())

    assert _spend_all(limiter, "login#ada", LOGIN) == 3


def test_given_keys_then_each_has_its_own_bucket() -> None:
    limiter = RateLimiter("limits", MemoryTable(), Clock())
    _spend_all(limiter, "login#ada", LOGIN)

    limiter.acquire("login#grace", LOGIN)  # does not raise


def test_given_a_racer_spends_between_read_and_write_then_the_limiter_reads_again_and_counts_both() -> None:
    table, clock = MemoryTable(), Clock()
    limiter, racer = RateLimiter("limits", table, clock), RateLimiter("limits", table, clock)
    table.before_put.append(lambda: racer.acquire("login#ada", LOGIN, cost=2))

    limiter.acquire("login#ada", LOGIN)

    assert table.items["login#ada"]["tokens"] == {"N": "0.000000"}
    with pytest.raises(TooManyRequests):
        limiter.acquire("login#ada", LOGIN)


def test_given_every_attempt_loses_a_race_then_429_asks_to_retry_in_a_second() -> None:
    table, clock = MemoryTable(), Clock()
    limiter, racer = RateLimiter("limits", table, clock), RateLimiter("limits", table, clock)
    budget = TokenBucket(capacity=100, refill_per_second=1.0)
    racers = [lambda: racer.acquire("hot", budget) for _ in range(MAX_ATTEMPTS)]
    table.before_put.extend(racers)

    with pytest.raises(TooManyRequests) as raised:
        limiter.acquire("hot", budget)

    assert raised.value.retry_after == 1
    assert table.items["hot"]["tokens"] == {"N": "95.000000"}  # only the racers spent


def test_given_one_race_fewer_than_the_budget_then_the_last_attempt_succeeds() -> None:
    table, clock = MemoryTable(), Clock()
    limiter, racer = RateLimiter("limits", table, clock), RateLimiter("limits", table, clock)
    budget = TokenBucket(capacity=100, refill_per_second=1.0)
    table.before_put.extend([lambda: racer.acquire("hot", budget) for _ in range(MAX_ATTEMPTS - 1)])

    limiter.acquire("hot", budget)

    assert table.items["hot"]["tokens"] == {"N": "95.000000"}


def test_given_another_dynamodb_error_then_it_is_not_taken_for_a_lost_race() -> None:
    class Throttled(MemoryTable):
        def put_item(self, **kwargs: Any) -> dict[str, Any]:
            raise _failed("ProvisionedThroughputExceededException")

    with pytest.raises(ClientError, match="ProvisionedThroughputExceeded"):
        RateLimiter("limits", Throttled(), Clock()).acquire("login#ada", LOGIN)


def test_given_the_default_clock_then_the_item_is_stamped_with_the_current_time() -> None:
    table = MemoryTable()
    before = int(datetime.now(UTC).timestamp() * 1000)

    RateLimiter("limits", table).acquire("login#ada", LOGIN)

    assert before <= int(table.items["login#ada"]["updatedAt"]["N"]) <= int(datetime.now(UTC).timestamp() * 1000)

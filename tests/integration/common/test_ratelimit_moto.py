"""The DynamoDB token bucket against moto's RateLimitTable, built from template.yaml."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from deepiri_common.problems import TooManyRequests
from deepiri_common.ratelimit import MAX_ATTEMPTS, RateLimiter, TokenBucket
from tests.support import template

LOGIN = TokenBucket(capacity=3, refill_per_second=0.5)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 1, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


class InterleavingClient:
    """The real client, except that right after a read it lets ``competitor`` write first."""

    def __init__(self, client: Any, competitor: Callable[[], None], times: int = 1) -> None:
        self.client = client
        self.competitor = competitor
        self.times = times
        self.reads = 0

    def get_item(self, **kwargs: Any) -> Any:
        item = self.client.get_item(**kwargs)
        self.reads += 1
        if self.reads <= self.times:
            self.competitor()
        return item

    def put_item(self, **kwargs: Any) -> Any:
        return self.client.put_item(**kwargs)


@pytest.fixture
def table(aws: None) -> str:
    return template.create("RateLimitTable")["RateLimitTable"]


@pytest.fixture
def client(table: str) -> Any:
    return boto3.client("dynamodb", region_name=template.REGION)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _spend_all(limiter: RateLimiter, key: str, bucket: TokenBucket) -> int:
    spent = 0
    while True:
        try:
            limiter.acquire(key, bucket)
        except TooManyRequests:
            return spent
        spent += 1


def test_given_a_full_bucket_when_spending_past_capacity_then_429_says_when_to_retry(
    table: str, client: Any, clock: Clock
) -> None:
    limiter = RateLimiter(table, client, clock)
    for _ in range(LOGIN.capacity):
        limiter.acquire("login#ada", LOGIN)

    with pytest.raises(TooManyRequests) as raised:
        limiter.acquire("login#ada", LOGIN)

    assert raised.value.retry_after == 2  # one token at 0.5 per second


def test_given_an_empty_bucket_when_time_passes_then_refilled_tokens_can_be_spent(
    table: str, client: Any, clock: Clock
) -> None:
    limiter = RateLimiter(table, client, clock)
    assert _spend_all(limiter, "login#ada", LOGIN) == 3

    clock.advance(4)  # two tokens back

    assert _spend_all(limiter, "login#ada", LOGIN) == 2


def test_given_a_cost_when_the_bucket_lacks_it_then_the_wait_covers_the_whole_cost(
    table: str, client: Any, clock: Clock
) -> None:
    limiter = RateLimiter(table, client, clock)
    limiter.acquire("export#ada", LOGIN, cost=2)

    with pytest.raises(TooManyRequests) as raised:
        limiter.acquire("export#ada", LOGIN, cost=3)

    assert raised.value.retry_after == 4  # 1 token left, 2 missing at 0.5 per second


def test_given_one_exhausted_key_then_other_keys_keep_their_own_buckets(
    table: str, client: Any, clock: Clock
) -> None:
    limiter = RateLimiter(table, client, clock)
    _spend_all(limiter, "login#ada", LOGIN)

    limiter.acquire("login#grace", LOGIN)  # does not raise


def test_given_a_spend_then_the_item_records_tokens_time_and_a_ttl_after_the_bucket_refills(
    table: str, client: Any, clock: Clock
) -> None:
    RateLimiter(table, client, clock).acquire("login#ada", LOGIN)

    item = client.get_item(TableName=table, Key={"pk": {"S": "login#ada"}})["Item"]

    now = clock.now.timestamp()
    assert float(item["tokens"]["N"]) == 2.0
    assert int(item["updatedAt"]["N"]) == int(now * 1000)
    assert int(item["expiresAt"]["N"]) >= now + 2  # full again 2 s later


def test_given_a_cost_above_capacity_then_it_is_a_programming_error(
    table: str, client: Any, clock: Clock
) -> None:
    with pytest.raises(ValueError, match="capacity"):
        RateLimiter(table, client, clock).acquire("login#ada", LOGIN, cost=4)


PAIR = TokenBucket(capacity=2, refill_per_second=0.001)  # no refill within a test


def test_given_two_limiters_racing_on_a_new_key_then_the_loser_retries_and_both_spend_once(
    table: str, client: Any, clock: Clock
) -> None:
    other = RateLimiter(table, client, clock)
    racing_client = InterleavingClient(client, lambda: other.acquire("login#ada", PAIR))

    # When the racer has read "no bucket yet" and the other limiter creates it before the racer writes
    RateLimiter(table, racing_client, clock).acquire("login#ada", PAIR)

    # Then the racer's write was refused, it read again and spent from what was left: 2 - 1 - 1
    assert racing_client.reads == 2
    stored = client.get_item(TableName=table, Key={"pk": {"S": "login#ada"}})["Item"]
    assert float(stored["tokens"]["N"]) == 0.0


def test_given_two_limiters_racing_for_the_last_token_then_only_one_gets_it(
    table: str, client: Any, clock: Clock
) -> None:
    other = RateLimiter(table, client, clock)
    other.acquire("login#ada", PAIR)  # one token left
    racing_client = InterleavingClient(client, lambda: other.acquire("login#ada", PAIR))

    # When both read one token left, in the same millisecond, and the other limiter writes first
    with pytest.raises(TooManyRequests):
        RateLimiter(table, racing_client, clock).acquire("login#ada", PAIR)

    # Then the racer saw its stale write refused and, reading again, found the bucket empty
    assert racing_client.reads == 2
    stored = client.get_item(TableName=table, Key={"pk": {"S": "login#ada"}})["Item"]
    assert float(stored["tokens"]["N"]) == 0.0


def test_given_a_key_that_loses_every_race_then_the_limiter_gives_up_after_bounded_retries(
    table: str, client: Any, clock: Clock
) -> None:
    bucket = TokenBucket(capacity=100, refill_per_second=1.0)
    other = RateLimiter(table, client, clock)
    racing_client = InterleavingClient(client, lambda: other.acquire("login#ada", bucket), times=1000)

    with pytest.raises(TooManyRequests):
        RateLimiter(table, racing_client, clock).acquire("login#ada", bucket)

    assert racing_client.reads == MAX_ATTEMPTS

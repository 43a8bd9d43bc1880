"""Token-bucket rate limiting for sensitive routes, kept in DynamoDB so every Lambda shares it.

One item per key holds the tokens left and when they were counted (``updatedAt``, epoch ms). A request
reads the item, refills it in Python (:func:`refill`) and writes it back on condition that nobody wrote
it in between; a writer that loses the race reads again, so concurrent requests never overspend.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from deepiri_common.clock import utc_now
from deepiri_common.problems import TooManyRequests

MAX_ATTEMPTS = 5  # conditional-write retries before a contended key is treated as exhausted
TTL_SLACK_SECONDS = 60


@dataclass(frozen=True)
class TokenBucket:
    """At most ``capacity`` tokens, refilled continuously at ``refill_per_second``."""

    capacity: int
    refill_per_second: float

    def __post_init__(self) -> None:
        if self.capacity < 1 or self.refill_per_second <= 0:
            raise ValueError("a bucket needs capacity >= 1 and a positive refill rate")

    def seconds_until(self, tokens: float, target: float) -> float:
        """Seconds until a bucket holding ``tokens`` holds ``target`` (0 if it already does)."""
        return max(0.0, target - tokens) / self.refill_per_second


def refill(tokens: float, updated_ms: int, now_ms: int, bucket: TokenBucket) -> float:
    """The tokens in ``bucket`` at ``now_ms`` if it held ``tokens`` at ``updated_ms``, capped at capacity."""
    elapsed = max(0, now_ms - updated_ms) / 1000
    return min(float(bucket.capacity), tokens + elapsed * bucket.refill_per_second)


class RateLimiter:
    """Spends tokens from per-key buckets stored in the rate-limit table."""

    def __init__(self, table_name: str, client: Any, clock: Callable[[], datetime] = utc_now) -> None:
        """``client`` is a boto3 ``dynamodb`` client, created by the caller (lazily, once)."""
        self.table_name = table_name
        self.client = client
        self.clock = clock

    def acquire(self, key: str, bucket: TokenBucket, cost: int = 1) -> None:
        """Spend ``cost`` tokens of ``key``'s bucket, or raise ``TooManyRequests`` with the wait needed."""
        if not 1 <= cost <= bucket.capacity:
            raise ValueError(f"cost must be between 1 and the bucket's capacity ({bucket.capacity})")
        for _ in range(MAX_ATTEMPTS):
            if self._try_spend(key, bucket, cost):
                return
        # Every attempt lost a race: the key is being hammered, so the caller waits like any other.
        raise TooManyRequests(retry_after=1)

    def _try_spend(self, key: str, bucket: TokenBucket, cost: int) -> bool:
        """Spend once against the stored state; ``False`` when another writer got there first."""
        now_ms = int(self.clock().timestamp() * 1000)
        item = self.client.get_item(TableName=self.table_name, Key={"pk": {"S": key}}, ConsistentRead=True)
        stored = item.get("Item")
        if stored is None:
            tokens, previous = float(bucket.capacity), {":updated": {"N": "-1"}, ":tokens": {"N": "-1"}}
        else:
            tokens = refill(float(stored["tokens"]["N"]), int(stored["updatedAt"]["N"]), now_ms, bucket)
            previous = {":updated": stored["updatedAt"], ":tokens": stored["tokens"]}
        if tokens < cost:
            raise TooManyRequests(retry_after=math.ceil(bucket.seconds_until(tokens, cost)))
        left = tokens - cost
        full_at = now_ms / 1000 + bucket.seconds_until(left, bucket.capacity)
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item={
                    "pk": {"S": key},
                    "tokens": {"N": f"{left:.6f}"},
                    "updatedAt": {"N": str(now_ms)},
                    # Once full again the item carries nothing a missing item would not.
                    "expiresAt": {"N": str(math.ceil(full_at) + TTL_SLACK_SECONDS)},
                },
                # Unchanged since our read: a racer in the same millisecond still changed the tokens.
                ConditionExpression="attribute_not_exists(pk) OR (updatedAt = :updated AND tokens = :tokens)",
                ExpressionAttributeValues=previous,
            )
        except ClientError as exc:
            # botocore's ClientError always carries "Error": its default is never read (equivalent mutants)
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

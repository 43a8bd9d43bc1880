"""When a failed delivery is tried again: exponential backoff with jitter, for a bounded window.

After failed attempt ``n`` (1-based) the next waits between half and all of ``min(max_delay, base·2^(n-1))``
seconds (equal jitter: retries of many deliveries spread out, yet each wait keeps growing). Once the next
attempt would fall after ``window`` seconds from the delivery's creation, the delivery is dead-lettered.
With the defaults (30 s, at most an hour, a day) a delivery is tried about 30 times.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class RetryPolicy:
    base_seconds: int = 30
    max_delay_seconds: int = 3600
    window_seconds: int = 86400


def retry_delay(attempt: int, policy: RetryPolicy, random: Callable[[], float]) -> int:
    """Seconds to wait after failed attempt ``attempt``; ``random()`` is in [0, 1)."""
    doubling: int = 2 ** min(max(attempt, 1) - 1, 40)
    ceiling = min(policy.max_delay_seconds, policy.base_seconds * doubling)
    floor = ceiling // 2
    return max(1, floor + int(random() * (ceiling - floor + 1)))


def next_attempt_at(created: datetime, now: datetime, attempt: int, policy: RetryPolicy,
                    random: Callable[[], float]) -> datetime | None:
    """When to try again after failed attempt ``attempt``; None when that is past the retry window."""
    at = now + timedelta(seconds=retry_delay(attempt, policy, random))
    return at if at <= created + timedelta(seconds=policy.window_seconds) else None

"""A circuit breaker per provider: after ``THRESHOLD`` consecutive failures (5xx, timeouts) every sync of
that provider waits until the breaker's open period ends, then one call tries again (half-open): a
success closes it, a failure opens it again. Rate limits are not failures: they delay one connection.
"""

from __future__ import annotations

from datetime import datetime, timedelta

THRESHOLD = 3


def is_open(open_until: datetime | None, now: datetime) -> bool:
    return open_until is not None and now < open_until


def after_failure(failures: int, now: datetime, open_seconds: int) -> tuple[int, datetime | None]:
    """The breaker after one more failure: (consecutive failures, open until or None)."""
    failures += 1
    return failures, (now + timedelta(seconds=open_seconds) if failures >= THRESHOLD else None)

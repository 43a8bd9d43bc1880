"""Retrying a provider call within one run: transient failures (5xx, timeouts, refused connections) are
tried again after an exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And
Jitter"): before retry ``n`` (1-based) the wait is uniform in ``[0, min(cap, base * 2 ** (n - 1))]``.

Bounded twice: at most ``attempts`` calls, and never more than ``budget`` seconds of waiting in all, so an
on-demand sync stays well inside the API's 29 s. Rate limits and refusals are not retried here: a rate
limit delays the connection until ``Retry-After``, and a refusal cannot be cured by asking again. When the
last attempt fails, the failure goes on to the caller (the circuit breaker counts it once).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from deepiri_integrations.dal.http import Unavailable

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 3
    base: float = 0.25
    cap: float = 2.0
    budget: float = 4.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    uniform: Callable[[float, float], float] = field(default=random.uniform, repr=False)


def ceiling(policy: RetryPolicy, retry: int) -> float:
    """The longest wait before retry number ``retry`` (1-based): ``min(cap, base * 2 ** (retry - 1))``."""
    return float(min(policy.cap, policy.base * 2 ** (retry - 1)))


def delay(policy: RetryPolicy, retry: int) -> float:
    """A full-jitter wait before retry ``retry``: uniform in ``[0, ceiling]``, clamped to it."""
    top = ceiling(policy, retry)
    return max(0.0, min(top, policy.uniform(0.0, top)))


def retrying(policy: RetryPolicy, attempt: Callable[[], T]) -> T:
    """``attempt()``, tried again on ``Unavailable`` within the policy's bounds; the last failure is raised."""
    waited = 0.0
    for retry in range(1, max(1, policy.attempts)):
        try:
            return attempt()
        except Unavailable:
            pause = min(delay(policy, retry), max(0.0, policy.budget - waited))
            waited += pause
            policy.sleep(pause)
    return attempt()

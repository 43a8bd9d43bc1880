"""Retries within a run (exponential backoff with full jitter, bounded in attempts and in total wait) and the
rate limits that delay a sync instead of failing it (429, GitHub's primary and secondary 403s)."""

from __future__ import annotations

import pytest

from deepiri_integrations.dal.http import (
    RateLimited,
    Refused,
    Reply,
    Unavailable,
    _failure,
    is_rate_limit,
    retry_after_seconds,
)
from deepiri_integrations.logic.backoff import RetryPolicy, ceiling, delay, retrying


def _policy(sleeps: list[float], *, pick: str = "top", **fields: float) -> RetryPolicy:
    uniform = (lambda low, high: high) if pick == "top" else (lambda low, high: low)
    return RetryPolicy(sleep=sleeps.append, uniform=uniform, **fields)  # type: ignore[arg-type]


def test_given_retries_then_the_ceiling_doubles_from_base_and_stops_at_the_cap() -> None:
    policy = RetryPolicy(base=0.25, cap=2.0)
    assert [ceiling(policy, n) for n in range(1, 7)] == [0.25, 0.5, 1.0, 2.0, 2.0, 2.0]


def test_given_full_jitter_then_each_wait_lies_between_zero_and_its_ceiling() -> None:
    assert delay(_policy([], pick="top"), 3) == 1.0
    assert delay(_policy([], pick="bottom"), 3) == 0.0
    wild = RetryPolicy(uniform=lambda low, high: high * 10)  # a misbehaving source is clamped to the ceiling
    assert delay(wild, 2) == ceiling(wild, 2)
    real = RetryPolicy()
    assert all(0.0 <= delay(real, n) <= ceiling(real, n) for n in range(1, 6) for _ in range(50))


def test_given_transient_failures_then_the_call_is_tried_again_and_succeeds() -> None:
    sleeps: list[float] = []
    answers: list[object] = [Unavailable("503"), Unavailable("timeout"), "ok"]

    def attempt() -> object:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    assert retrying(_policy(sleeps), attempt) == "ok"
    assert sleeps == [0.25, 0.5]


def test_given_failures_beyond_the_attempts_then_the_last_failure_is_raised_after_bounded_calls() -> None:
    sleeps: list[float] = []
    calls: list[int] = []

    def attempt() -> None:
        calls.append(1)
        raise Unavailable("503")

    with pytest.raises(Unavailable):
        retrying(_policy(sleeps, attempts=4), attempt)
    assert len(calls) == 4 and len(sleeps) == 3


@pytest.mark.parametrize("attempts", [1, 0, -2])
def test_given_one_attempt_or_fewer_then_the_call_is_made_once_and_never_waits(attempts: int) -> None:
    sleeps: list[float] = []
    calls: list[int] = []

    def attempt() -> None:
        calls.append(1)
        raise Unavailable("503")

    with pytest.raises(Unavailable):
        retrying(_policy(sleeps, attempts=attempts), attempt)
    assert (len(calls), sleeps) == (1, [])


def test_given_a_budget_then_the_total_wait_never_exceeds_it() -> None:
    sleeps: list[float] = []

    def attempt() -> None:
        raise Unavailable("503")

    with pytest.raises(Unavailable):
        retrying(_policy(sleeps, attempts=5, base=1.0, cap=8.0, budget=2.5), attempt)
    assert sum(sleeps) == 2.5 and sleeps == [1.0, 1.5, 0.0, 0.0]


@pytest.mark.parametrize("failure", [RateLimited(30), Refused(404, "gone")])
def test_given_a_rate_limit_or_a_refusal_then_it_is_not_retried(failure: Exception) -> None:
    calls: list[int] = []

    def attempt() -> None:
        calls.append(1)
        raise failure

    with pytest.raises(type(failure)):
        retrying(_policy([]), attempt)
    assert calls == [1]


# ---------------------------------------------------------------- rate limits
def test_given_githubs_secondary_limit_with_retry_after_then_it_is_a_rate_limit_for_that_long() -> None:
    failure = _failure(Reply(status=403, body={"message": "You have exceeded a secondary rate limit"},
                             headers={"retry-after": "120"}))
    assert isinstance(failure, RateLimited) and failure.retry_after == 120


def test_given_no_requests_left_then_the_wait_runs_until_the_reset_instant() -> None:
    headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1000090"}
    assert is_rate_limit(403, headers)
    assert retry_after_seconds(headers, now=1_000_000) == 90
    assert retry_after_seconds({"x-ratelimit-reset": "999000"}, now=1_000_000) == 1  # already past: at least 1 s
    assert retry_after_seconds({"x-ratelimit-reset": "9999999"}, now=1_000_000) == 3600  # never more than an hour
    assert retry_after_seconds({}, default=60) == 60


def test_given_a_403_without_rate_limit_headers_then_it_is_a_refusal() -> None:
    assert not is_rate_limit(403, {"x-ratelimit-remaining": "12"})
    failure = _failure(Reply(status=403, body={"message": "Resource not accessible"}, headers={}))
    assert isinstance(failure, Refused) and failure.status == 403
    assert isinstance(_failure(Reply(status=429, body=None, headers={})), RateLimited)
    assert isinstance(_failure(Reply(status=502, body=None, headers={})), Unavailable)

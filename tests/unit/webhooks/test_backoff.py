"""The retry schedule: doubling waits with jitter, capped, for a window, then dead-lettered."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from deepiri_webhooks.logic.backoff import RetryPolicy, next_attempt_at, retry_delay

POLICY = RetryPolicy(base_seconds=30, max_delay_seconds=3600, window_seconds=86400)
T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def test_given_successive_failures_then_the_ceiling_doubles_up_to_the_cap() -> None:
    highest = [retry_delay(n, POLICY, lambda: 0.999999) for n in range(1, 10)]
    lowest = [retry_delay(n, POLICY, lambda: 0.0) for n in range(1, 10)]

    assert highest == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert lowest == [15, 30, 60, 120, 240, 480, 960, 1800, 1800]


def test_given_jitter_then_every_wait_lies_between_half_and_all_of_its_ceiling() -> None:
    for attempt in range(1, 12):
        ceiling = min(3600, 30 * 2 ** (attempt - 1))
        for fraction in (0.0, 0.25, 0.5, 0.75, 0.999):
            assert ceiling // 2 <= retry_delay(attempt, POLICY, lambda f=fraction: f) <= ceiling


def test_given_a_huge_attempt_number_then_the_wait_stays_at_the_cap() -> None:
    assert retry_delay(10_000, POLICY, lambda: 0.999999) == 3600


def test_given_failures_for_a_day_then_the_last_retry_falls_inside_the_window_and_the_next_is_none() -> None:
    now, attempt, planned = T0, 1, []
    while (at := next_attempt_at(T0, now, attempt, POLICY, lambda: 0.999999)) is not None:
        planned.append(at)
        now, attempt = at, attempt + 1

    assert planned[-1] <= T0 + timedelta(days=1) < planned[-1] + timedelta(seconds=3600)
    assert 25 <= len(planned) <= 35  # about thirty attempts in a day


def test_given_a_short_window_then_the_delivery_is_given_up_early() -> None:
    short = RetryPolicy(base_seconds=1, max_delay_seconds=2, window_seconds=5)

    assert next_attempt_at(T0, T0 + timedelta(seconds=2), 1, short, lambda: 0.999) == T0 + timedelta(seconds=3)
    assert next_attempt_at(T0, T0 + timedelta(seconds=4), 3, short, lambda: 0.999) is None

"""The problems a client reads: a detail that says what went wrong even when the code gave none."""

from __future__ import annotations

from deepiri_common.problems import Forbidden, TooManyRequests, ValidationFailed


def test_given_invalid_fields_without_a_detail_then_the_detail_names_each_field() -> None:
    invalid = ValidationFailed([{"field": "title", "message": "x"}, {"field": "dueAt", "message": "y"}])

    assert invalid.detail == "invalid fields: title, dueAt" and str(invalid) == invalid.detail
    assert invalid.extensions == {"errors": invalid.errors}
    assert ValidationFailed([{"field": "a", "message": "x"}], detail="bad").detail == "bad"


def test_given_a_rate_limit_then_the_detail_says_when_to_retry_and_the_wait_is_at_least_a_second() -> None:
    assert TooManyRequests(retry_after=7).detail == "rate limit exceeded; retry in 7 s"
    assert TooManyRequests(retry_after=0, detail="slow down").detail == "slow down"
    assert TooManyRequests(retry_after=0).retry_after == 1


def test_given_no_detail_then_the_title_stands_in() -> None:
    assert Forbidden().detail == "Forbidden" and Forbidden("no").extensions == {}

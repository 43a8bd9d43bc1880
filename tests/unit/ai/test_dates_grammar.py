"""Every phrase of the due-date grammar, at its edges: the exact instant each one names.

Now is Monday 2026-11-30 09:00 UTC unless a test says otherwise; a date without a time is due at 17:00.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from deepiri_ai.logic.dates import find_due, local_time, local_to_utc
from tests.support.host_zone import host_zone

MONDAY = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
FRIDAY = datetime(2026, 12, 4, 9, 0, tzinfo=UTC)
SATURDAY = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)
MID_DECEMBER = datetime(2026, 12, 10, 9, 0, tzinfo=UTC)
AFTER_LEAP_DAY = datetime(2028, 3, 10, 9, 0, tzinfo=UTC)


def _due(text: str, now: datetime = MONDAY, zone: str = "UTC") -> str | None:
    found = find_due(text, now, zone)
    return found.due_at.isoformat() if found else None


@pytest.mark.parametrize(("text", "due"), [
    ("gym in 30 minutes", "2026-11-30T09:30:00+00:00"),
    ("gym in 5 min", "2026-11-30T09:05:00+00:00"),
    ("call in an hour", "2026-11-30T10:00:00+00:00"),
    ("call in 3 hr", "2026-11-30T12:00:00+00:00"),
    ("call in a couple of hours", "2026-11-30T11:00:00+00:00"),
    ("pay in two days", "2026-12-02T17:00:00+00:00"),
    ("pay in 2 weeks", "2026-12-14T17:00:00+00:00"),
    ("pay in a few weeks", "2026-12-21T17:00:00+00:00"),
    ("pay in a month", "2026-12-30T17:00:00+00:00"),
    ("pay in 3 months", "2027-02-28T17:00:00+00:00"),  # month arithmetic clamps to February's last day
    ("pay in ten days at 8am", "2026-12-10T08:00:00+00:00"),
])
def test_given_in_n_units_then_minutes_and_hours_are_exact_and_days_weeks_months_are_calendar_days(
        text: str, due: str) -> None:
    assert _due(text) == due


@pytest.mark.parametrize(("text", "due"), [
    ("do it the day after tomorrow", "2026-12-02T17:00:00+00:00"),
    ("do it day after tomorrow", "2026-12-02T17:00:00+00:00"),
    ("do it today", "2026-11-30T17:00:00+00:00"),
    ("do it tonight", "2026-11-30T19:00:00+00:00"),
    ("do it tonight at 10pm", "2026-11-30T22:00:00+00:00"),
    ("do it by eod", "2026-11-30T17:00:00+00:00"),
    ("do it by end of the day", "2026-11-30T17:00:00+00:00"),
    ("do it tmrw", "2026-12-01T17:00:00+00:00"),
    ("do it tommorow", "2026-12-01T17:00:00+00:00"),
    ("do it by eow", "2026-12-04T17:00:00+00:00"),
    ("do it by end of this week", "2026-12-04T17:00:00+00:00"),
    ("do it eom", "2026-11-30T17:00:00+00:00"),
])
def test_given_a_named_day_then_it_is_that_day(text: str, due: str) -> None:
    assert _due(text) == due


def test_given_the_end_of_the_week_on_friday_or_the_weekend_then_it_is_that_friday_or_today() -> None:
    assert _due("report by end of week", FRIDAY) == "2026-12-04T17:00:00+00:00"
    assert _due("report by end of week", SATURDAY) == "2026-12-05T17:00:00+00:00"
    assert _due("report eow", datetime(2026, 12, 6, 9, 0, tzinfo=UTC)) == "2026-12-06T17:00:00+00:00"


def test_given_the_end_of_a_month_or_next_month_mid_month_then_its_last_day_or_the_first_of_the_next() -> None:
    assert _due("invoice by end of month", MID_DECEMBER) == "2026-12-31T17:00:00+00:00"
    assert _due("invoice next month", MID_DECEMBER) == "2027-01-01T17:00:00+00:00"
    assert _due("plan next week", SATURDAY) == "2026-12-07T17:00:00+00:00"


@pytest.mark.parametrize(("text", "due"), [
    ("review monday", "2026-12-07T17:00:00+00:00"),  # today is Monday: the next one
    ("review this monday", "2026-11-30T17:00:00+00:00"),  # "this": today
    ("review next monday", "2026-12-07T17:00:00+00:00"),
    ("review next sunday", "2026-12-13T17:00:00+00:00"),
    ("review coming wed", "2026-12-02T17:00:00+00:00"),
    ("review on thurs", "2026-12-03T17:00:00+00:00"),
    ("review tuesday", "2026-12-01T17:00:00+00:00"),
    ("review sat", "2026-12-05T17:00:00+00:00"),
    ("review sunday", "2026-12-06T17:00:00+00:00"),
])
def test_given_a_weekday_then_it_is_the_next_one_and_next_means_next_week(text: str, due: str) -> None:
    assert _due(text) == due


def test_given_a_weekday_named_on_friday_then_next_is_the_following_week_s() -> None:
    assert _due("review next tuesday", FRIDAY) == "2026-12-08T17:00:00+00:00"
    assert _due("review tuesday", FRIDAY) == "2026-12-08T17:00:00+00:00"
    assert _due("review friday", FRIDAY) == "2026-12-11T17:00:00+00:00"
    assert _due("review this friday", FRIDAY) == "2026-12-04T17:00:00+00:00"


@pytest.mark.parametrize(("text", "due"), [
    ("ship 5 december", "2026-12-05T17:00:00+00:00"),
    ("ship the 5th of december", "2026-12-05T17:00:00+00:00"),
    ("ship december 5th 2027", "2027-12-05T17:00:00+00:00"),
    ("ship dec 5, 2027", "2027-12-05T17:00:00+00:00"),
    ("ship 12/5", "2026-12-05T17:00:00+00:00"),
    ("ship 12/5/2027", "2027-12-05T17:00:00+00:00"),
    ("ship 1/1", "2027-01-01T17:00:00+00:00"),  # passed this year: next year's
    ("ship nov 30", "2026-11-30T17:00:00+00:00"),  # today is not passed
    ("ship nov 29", "2027-11-29T17:00:00+00:00"),
    ("ship 2026-11-29", "2026-11-29T17:00:00+00:00"),  # a year given: kept even when past
    ("ship 1970-01-01", "1970-01-01T17:00:00+00:00"),
    ("ship 2998-12-31", "2998-12-31T17:00:00+00:00"),
])
def test_given_an_explicit_date_then_it_is_that_day_next_year_s_when_passed_without_a_year(text: str, due: str) -> None:
    assert _due(text) == due


@pytest.mark.parametrize("text", ["ship 1969-12-31", "ship 2999-01-01", "ship 12/5/2999"])
def test_given_a_year_outside_1970_to_2998_then_it_is_no_due_date(text: str) -> None:
    assert _due(text) is None


def test_given_a_passed_february_29_without_a_year_then_next_year_s_february_28() -> None:
    assert _due("renew feb 29", AFTER_LEAP_DAY) == "2029-02-28T17:00:00+00:00"
    assert _due("renew feb 27", AFTER_LEAP_DAY) == "2029-02-27T17:00:00+00:00"
    assert _due("renew mar 9", AFTER_LEAP_DAY) == "2029-03-09T17:00:00+00:00"
    assert _due("renew jan 31", AFTER_LEAP_DAY) == "2029-01-31T17:00:00+00:00"


@pytest.mark.parametrize(("text", "due"), [
    ("call 5pm", "2026-11-30T17:00:00+00:00"),  # still ahead today
    ("call 5 pm", "2026-11-30T17:00:00+00:00"),
    ("call 5:30 p.m.", "2026-11-30T17:30:00+00:00"),
    ("call 5:59pm", "2026-11-30T17:59:00+00:00"),
    ("call 11am", "2026-11-30T11:00:00+00:00"),
    ("call 10 a.m.", "2026-11-30T10:00:00+00:00"),
    ("call 12pm", "2026-11-30T12:00:00+00:00"),
    ("call 12am", "2026-12-01T00:00:00+00:00"),  # midnight has passed today
    ("call 9am", "2026-12-01T09:00:00+00:00"),  # exactly now: tomorrow's
    ("call at 9:00", "2026-12-01T09:00:00+00:00"),
    ("call at 9:01", "2026-11-30T09:01:00+00:00"),
    ("call @ 17:45", "2026-11-30T17:45:00+00:00"),
    ("call 23:59", "2026-11-30T23:59:00+00:00"),
    ("call 0:00", "2026-12-01T00:00:00+00:00"),
    ("lunch at noon", "2026-11-30T12:00:00+00:00"),
    ("ship by midnight", "2026-11-30T23:59:00+00:00"),
    ("run in the morning", "2026-12-01T09:00:00+00:00"),
    ("read this afternoon", "2026-11-30T14:00:00+00:00"),
    ("cook in the evening", "2026-11-30T19:00:00+00:00"),
    ("call at 3", "2026-11-30T15:00:00+00:00"),  # "at 3": the afternoon
    ("call at 1", "2026-11-30T13:00:00+00:00"),
    ("call at 6", "2026-11-30T18:00:00+00:00"),
    ("call at 7", "2026-12-01T07:00:00+00:00"),  # from 7 on, the hour as written
    ("call at 10", "2026-11-30T10:00:00+00:00"),
    ("call at 23", "2026-11-30T23:00:00+00:00"),
    ("call @5", "2026-11-30T17:00:00+00:00"),
    ("call @ 6", "2026-11-30T18:00:00+00:00"),
])
def test_given_a_time_without_a_day_then_today_s_when_ahead_else_tomorrow_s(text: str, due: str) -> None:
    assert _due(text) == due


@pytest.mark.parametrize("text", ["call 5:60pm", "call at 0", "call at 24", "call at 3 hours", "score at 5%"])
def test_given_an_hour_or_minute_that_is_no_time_then_there_is_no_due_time(text: str) -> None:
    assert _due(text) is None


def test_given_a_phrase_then_its_spans_are_the_characters_that_said_it() -> None:
    found = find_due("call mom tomorrow at 6pm", MONDAY, "UTC")
    assert found is not None and found.spans == ((9, 17), (18, 24))
    found = find_due("gym in 2 hours now", MONDAY, "UTC")
    assert found is not None and found.spans == ((4, 14),)
    found = find_due("review on friday at noon", MONDAY, "UTC")
    assert found is not None and found.spans == ((7, 16), (17, 24))
    found = find_due("ship by dec 5 @ 17:45", MONDAY, "UTC")
    assert found is not None and found.spans == ((5, 13), (14, 21))
    found = find_due("call at 3 today", MONDAY, "UTC")
    assert found is not None and found.spans == ((10, 15), (5, 9))
    found = find_due("run in the morning", MONDAY, "UTC")
    assert found is not None and found.spans == ((4, 18),)


def test_given_a_day_in_a_zone_then_its_hour_is_local() -> None:
    # 09:00 UTC is 18:00 in Tokyo: "at 10" and "8pm" are placed on Tokyo's day and hour
    assert _due("call at 10", zone="Asia/Tokyo") == "2026-12-01T01:00:00+00:00"
    assert _due("call 8pm", zone="Asia/Tokyo") == "2026-11-30T11:00:00+00:00"
    assert _due("pay tomorrow", zone="America/Los_Angeles") == "2026-12-02T01:00:00+00:00"
    assert _due("pay today", now=datetime(2026, 11, 30, 3, 0, tzinfo=UTC), zone="America/Los_Angeles") == (
        "2026-11-30T01:00:00+00:00")  # still the 29th in Los Angeles


def test_given_a_wall_time_then_it_converts_both_ways_and_an_unknown_zone_is_utc() -> None:
    wall = datetime(2026, 7, 1, 9, 0)
    assert local_to_utc(wall, "Europe/Paris") == datetime(2026, 7, 1, 7, 0, tzinfo=UTC)
    assert local_to_utc(wall, "Nowhere/Land") == datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    assert local_to_utc(wall, "../etc/passwd") == datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    local = local_time(MONDAY, "Asia/Tokyo")
    assert local.isoformat() == "2026-11-30T18:00:00+09:00"
    assert local_time(MONDAY, "Nowhere/Land").isoformat() == "2026-11-30T09:00:00+00:00"


def test_given_a_time_written_with_an_at_sign_then_the_sign_is_part_of_the_phrase() -> None:
    for text in ("ship @ 17:45", "ship @5pm", "ship @ 5"):
        found = find_due(text, MONDAY, "UTC")
        assert found is not None and found.spans == ((5, len(text)),)
    assert find_due("cat 5", MONDAY, "UTC") is None  # "at" inside a word is not "at"


@pytest.mark.parametrize(("text", "due"), [
    ("ship 2026-13-45 or dec 5", "2026-12-05T17:00:00+00:00"),  # not a date: the next pattern is tried
    ("ship 2999-01-01 or dec 5", "2026-12-05T17:00:00+00:00"),  # a year no task is due in: likewise
    ("party dec 32 then 12/5", "2026-12-05T17:00:00+00:00"),  # "dec 32" would be December 2032
    ("ship 12/5/27", "2027-12-05T17:00:00+00:00"),  # two slashes: the year is given, in two digits
    ("ship 1/5/26", "2026-01-05T17:00:00+00:00"),  # given, so kept even when passed
    ("ship dec. 5", "2026-12-05T17:00:00+00:00"),
    ("ship on the 3rd of jan", "2027-01-03T17:00:00+00:00"),
])
def test_given_a_phrase_that_is_no_date_then_the_next_pattern_is_read(text: str, due: str) -> None:
    assert _due(text) == due


@pytest.mark.parametrize(("text", "due"), [
    ("call in one hour", "2026-11-30T10:00:00+00:00"),
    ("pay in three days", "2026-12-03T17:00:00+00:00"),
    ("pay in four days", "2026-12-04T17:00:00+00:00"),
    ("pay in five days", "2026-12-05T17:00:00+00:00"),
    ("pay in six days", "2026-12-06T17:00:00+00:00"),
    ("pay in seven days", "2026-12-07T17:00:00+00:00"),
])
def test_given_a_span_counted_in_words_then_each_number_word_is_its_number(text: str, due: str) -> None:
    assert _due(text) == due


@pytest.fixture
def server_in_sao_paulo() -> Iterator[None]:
    with host_zone("America/Sao_Paulo"):
        yield


@pytest.mark.usefixtures("server_in_sao_paulo")
def test_given_a_server_whose_local_zone_is_not_utc_then_due_times_are_still_utc() -> None:
    assert _due("call tomorrow at 6pm", zone="Europe/Paris") == "2026-12-01T17:00:00+00:00"
    assert _due("gym in 2 hours") == "2026-11-30T11:00:00+00:00"
    assert local_to_utc(datetime(2026, 7, 1, 9, 0), "Europe/Paris").isoformat() == "2026-07-01T07:00:00+00:00"

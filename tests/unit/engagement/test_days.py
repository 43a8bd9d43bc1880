"""A user's local days from their timezone and day start hour: across DST, a day start, and a trip."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from deepiri_engagement.logic.days import day_start, iso_week, local_day, local_hour
from deepiri_engagement.models.streaks import DaySettings

NEW_YORK = DaySettings("u1", "America/New_York", 0)


def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize(("instant", "day"), [
    ("2026-03-08T04:59:59", date(2026, 3, 7)),   # 23:59:59 EST
    ("2026-03-08T05:00:00", date(2026, 3, 8)),   # midnight EST, the night the clocks spring forward
    ("2026-03-09T03:59:59", date(2026, 3, 8)),   # 23:59:59 EDT: that day had 23 hours
    ("2026-03-09T04:00:00", date(2026, 3, 9)),
    ("2026-11-01T03:59:59", date(2026, 10, 31)),  # 23:59:59 EDT
    ("2026-11-01T04:00:00", date(2026, 11, 1)),   # midnight EDT, the night the clocks fall back
    ("2026-11-02T04:59:59", date(2026, 11, 1)),   # 23:59:59 EST: that day had 25 hours
    ("2026-11-02T05:00:00", date(2026, 11, 2)),
])
def test_given_new_york_across_dst_then_each_instant_falls_on_its_local_date(instant: str, day: date) -> None:
    assert local_day(_utc(instant), NEW_YORK) == day


def test_given_new_york_then_the_dst_days_are_23_and_25_hours_long() -> None:
    spring = day_start(date(2026, 3, 9), NEW_YORK) - day_start(date(2026, 3, 8), NEW_YORK)
    autumn = day_start(date(2026, 11, 2), NEW_YORK) - day_start(date(2026, 11, 1), NEW_YORK)
    assert (spring, autumn) == (timedelta(hours=23), timedelta(hours=25))


def test_given_a_day_start_inside_the_spring_gap_then_the_day_begins_when_the_clocks_jump() -> None:
    two_am = DaySettings("u1", "America/New_York", 2)  # 02:00 does not exist on 2026-03-08
    start = day_start(date(2026, 3, 8), two_am)
    assert start == _utc("2026-03-08T07:00:00")  # 03:00 EDT
    assert local_day(start, two_am) == date(2026, 3, 8)
    assert local_day(start - timedelta(seconds=1), two_am) == date(2026, 3, 7)


def test_given_a_day_start_repeated_by_the_fall_back_then_the_day_begins_once_at_the_first() -> None:
    one_am = DaySettings("u1", "America/New_York", 1)  # 01:00 happens twice on 2026-11-01
    start = day_start(date(2026, 11, 1), one_am)
    assert start == _utc("2026-11-01T05:00:00")  # the first 01:00 (EDT)
    assert local_day(_utc("2026-11-01T06:30:00"), one_am) == date(2026, 11, 1)  # the second 01:30 stays in it


@pytest.mark.parametrize("hour", [0, 4, 23])
def test_given_a_day_start_hour_then_instants_before_it_belong_to_the_previous_date(hour: int) -> None:
    settings = DaySettings("u1", "Europe/Paris", hour)
    start = day_start(date(2026, 6, 10), settings)
    assert local_day(start, settings) == date(2026, 6, 10)
    assert local_day(start - timedelta(microseconds=1), settings) == date(2026, 6, 9)
    assert (start + timedelta(hours=2)).hour == hour  # Paris is UTC+2 in June


def test_given_a_trip_from_tokyo_to_los_angeles_and_back_then_dates_follow_the_zone_without_skips() -> None:
    tokyo, los_angeles = DaySettings("u1", "Asia/Tokyo", 0), DaySettings("u1", "America/Los_Angeles", 0)
    # Leaving Tokyo on its 12 June evening; landing in LA it is still 12 June there (the date line)
    leaving = _utc("2026-06-12T10:00:00")  # 19:00 JST
    landing = _utc("2026-06-12T20:00:00")  # 13:00 PDT
    assert (local_day(leaving, tokyo), local_day(landing, los_angeles)) == (date(2026, 6, 12), date(2026, 6, 12))
    # Flying back on 20 June (LA) lands on 22 June in Tokyo: a date is skipped there, never repeated
    back = _utc("2026-06-21T03:00:00")  # 20:00 PDT on 20 June
    home = _utc("2026-06-21T18:00:00")  # 03:00 JST on 22 June
    assert (local_day(back, los_angeles), local_day(home, tokyo)) == (date(2026, 6, 20), date(2026, 6, 22))


@pytest.mark.parametrize(("day", "week"), [
    (date(2026, 12, 27), (2026, 52)), (date(2026, 12, 28), (2026, 53)), (date(2027, 1, 3), (2026, 53)),
    (date(2027, 1, 4), (2027, 1)), (date(2024, 12, 30), (2025, 1)), (date(2021, 1, 3), (2020, 53)),
])
def test_given_dates_around_new_year_then_iso_weeks_cross_the_year_boundary(day: date, week: tuple[int, int]) -> None:
    assert iso_week(day) == week


def test_given_an_instant_then_the_local_hour_is_the_wall_clock_hour_in_the_users_zone() -> None:
    at = datetime(2026, 11, 30, 22, 30, tzinfo=UTC)
    assert local_hour(at, DaySettings("u", "UTC", 5)) == 22  # the day start hour plays no part
    assert local_hour(at, DaySettings("u", "Asia/Tokyo", 0)) == 7
    assert local_hour(at, DaySettings("u", "America/Los_Angeles", 0)) == 14


def test_given_a_day_then_its_start_is_expressed_in_utc() -> None:
    start = day_start(date(2026, 11, 30), DaySettings("u", "Asia/Tokyo", 4))
    assert (start.tzinfo, start.isoformat()) == (UTC, "2026-11-29T19:00:00+00:00")

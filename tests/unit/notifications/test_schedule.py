"""Quiet hours and the digest hour in the user's timezone, DST included."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from deepiri_common.clock import parse_iso, to_iso
from deepiri_notifications.logic.schedule import digest_day_due, quiet_until
from deepiri_notifications.models.preferences import Digest, NotificationQuietHours
from tests.support.host_zone import host_zone

NIGHT = NotificationQuietHours(start="22:00", end="07:00")


def test_given_quiet_hours_over_midnight_when_late_evening_then_held_until_next_morning_local() -> None:
    until = quiet_until(parse_iso("2026-11-30T22:30:00.000Z"), "Europe/Paris", NIGHT)  # 23:30 in Paris
    assert until is not None and to_iso(until) == "2026-12-01T06:00:00.000Z"  # 07:00 in Paris


def test_given_quiet_hours_over_midnight_when_early_morning_then_held_until_that_morning() -> None:
    until = quiet_until(parse_iso("2026-11-30T05:59:00.000Z"), "Europe/Paris", NIGHT)  # 06:59 in Paris
    assert until is not None and to_iso(until) == "2026-11-30T06:00:00.000Z"


def test_given_quiet_hours_when_daytime_or_their_end_then_not_quiet() -> None:
    assert quiet_until(parse_iso("2026-11-30T12:00:00.000Z"), "Europe/Paris", NIGHT) is None
    assert quiet_until(parse_iso("2026-11-30T06:00:00.000Z"), "Europe/Paris", NIGHT) is None  # 07:00 sharp
    assert quiet_until(parse_iso("2026-11-30T12:00:00.000Z"), "Europe/Paris", None) is None


def test_given_quiet_hours_within_a_day_then_only_that_span_is_quiet() -> None:
    lunch = NotificationQuietHours(start="12:00", end="13:30")
    until = quiet_until(parse_iso("2026-11-30T17:15:00.000Z"), "America/New_York", lunch)  # 12:15 in New York
    assert until is not None and to_iso(until) == "2026-11-30T18:30:00.000Z"
    assert quiet_until(parse_iso("2026-11-30T16:59:00.000Z"), "America/New_York", lunch) is None


def test_given_the_spring_clock_change_then_the_end_is_the_local_hour_of_summer_time() -> None:
    until = quiet_until(parse_iso("2026-03-28T23:00:00.000Z"), "Europe/Paris", NIGHT)  # midnight, CET
    assert until is not None and to_iso(until) == "2026-03-29T05:00:00.000Z"  # 07:00 CEST


def test_given_a_digest_hour_then_it_is_due_once_per_local_day_from_that_hour() -> None:
    eight = Digest(enabled=True, hour=8)
    tokyo = "Asia/Tokyo"  # UTC+9
    assert digest_day_due(parse_iso("2026-11-29T22:59:00.000Z"), tokyo, eight, None) is None  # 07:59
    assert digest_day_due(parse_iso("2026-11-29T23:00:00.000Z"), tokyo, eight, None) == date(2026, 11, 30)
    assert digest_day_due(parse_iso("2026-11-30T03:00:00.000Z"), tokyo, eight, date(2026, 11, 30)) is None
    assert digest_day_due(parse_iso("2026-11-30T23:30:00.000Z"), tokyo, eight, date(2026, 11, 30)) == date(2026, 12, 1)


def test_given_the_first_minute_of_quiet_hours_then_quiet_and_their_last_then_not() -> None:
    lunch = NotificationQuietHours(start="12:00", end="13:30")
    starts = quiet_until(parse_iso("2026-11-30T12:00:00.000Z"), "UTC", lunch)
    assert starts is not None and to_iso(starts) == "2026-11-30T13:30:00.000Z"
    assert quiet_until(parse_iso("2026-11-30T13:29:59.000Z"), "UTC", lunch) is not None
    assert quiet_until(parse_iso("2026-11-30T13:30:00.000Z"), "UTC", lunch) is None
    assert quiet_until(parse_iso("2026-11-30T11:59:59.000Z"), "UTC", lunch) is None


def test_given_quiet_hours_over_midnight_when_they_begin_then_held_until_the_next_local_morning() -> None:
    late = NotificationQuietHours(start="22:15", end="06:45")
    until = quiet_until(parse_iso("2026-11-30T22:15:00.000Z"), "UTC", late)
    assert until is not None and to_iso(until) == "2026-12-01T06:45:00.000Z"
    assert quiet_until(parse_iso("2026-11-30T22:14:00.000Z"), "UTC", late) is None
    just_after_midnight = quiet_until(parse_iso("2026-12-01T00:00:00.000Z"), "UTC", late)
    assert just_after_midnight is not None and to_iso(just_after_midnight) == "2026-12-01T06:45:00.000Z"


def test_given_a_digest_last_sent_days_ago_then_today_is_due_and_a_later_hour_waits() -> None:
    nine = Digest(enabled=True, hour=9)
    assert digest_day_due(parse_iso("2026-11-30T09:00:00.000Z"), "UTC", nine, date(2026, 11, 28)) == date(2026, 11, 30)
    assert digest_day_due(parse_iso("2026-11-30T08:59:59.000Z"), "UTC", nine, date(2026, 11, 28)) is None
    assert digest_day_due(parse_iso("2026-11-30T23:59:00.000Z"), "UTC", nine, date(2026, 12, 1)) is None


@pytest.fixture
def server_in_sao_paulo() -> Iterator[None]:
    with host_zone("America/Sao_Paulo"):
        yield


@pytest.mark.usefixtures("server_in_sao_paulo")
def test_given_a_server_whose_local_zone_is_not_utc_then_quiet_hours_still_end_at_a_utc_instant() -> None:
    until = quiet_until(parse_iso("2026-11-30T22:30:00.000Z"), "Europe/Paris", NIGHT)

    assert until is not None and until.utcoffset() == timedelta(0)
    assert until.isoformat() == "2026-12-01T06:00:00+00:00"

"""The jobs' clocks: the UTC hour of a user's local morning, and the hours the expiry job reads."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from deepiri_challenges.logic import daily, expiry
from tests.support.host_zone import host_zone


@pytest.mark.parametrize(("timezone", "at", "hour"), [
    ("UTC", datetime(2026, 11, 30, 12, tzinfo=UTC), 8),
    ("Europe/Paris", datetime(2026, 11, 30, 12, tzinfo=UTC), 7),  # winter: UTC+1
    ("Europe/Paris", datetime(2026, 7, 1, 12, tzinfo=UTC), 6),  # summer: UTC+2
    ("America/New_York", datetime(2026, 11, 30, 12, tzinfo=UTC), 13),
    ("Asia/Tokyo", datetime(2026, 11, 30, 12, tzinfo=UTC), 23),
])
def test_given_a_timezone_then_the_morning_begins_in_the_utc_hour_of_local_8(timezone: str, at: datetime,
                                                                              hour: int) -> None:
    assert daily.morning_hour(timezone, at) == hour


@pytest.mark.parametrize(("hour", "morning"), [(6, False), (7, True), (10, True), (11, False), (20, False)])
def test_given_an_instant_then_it_is_morning_from_8_to_noon_local(hour: int, morning: bool) -> None:
    assert daily.is_morning("Europe/Paris", datetime(2026, 11, 30, hour, 30, tzinfo=UTC)) is morning


def test_given_an_instant_then_the_expiry_job_reads_the_24_hours_before_and_its_own() -> None:
    hours = expiry.hours(datetime(2026, 11, 30, 9, 5, tzinfo=UTC))
    assert len(hours) == 25
    assert (hours[0], hours[-2], hours[-1]) == ("2026-11-29T09", "2026-11-30T08", "2026-11-30T09")


def test_given_a_machine_not_on_utc_then_the_morning_hour_is_still_utc() -> None:
    with host_zone("Asia/Tokyo"):
        assert daily.morning_hour("Europe/Paris", datetime(2026, 11, 30, 12, tzinfo=UTC)) == 7

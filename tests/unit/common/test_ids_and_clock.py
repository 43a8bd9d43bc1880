"""ULIDs and UTC time, as stored and compared everywhere: exact formats, edges and refusals."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, timezone
from zoneinfo import ZoneInfoNotFoundError

import pytest

from deepiri_common import clock
from deepiri_common.clock import (
    clock_at,
    epoch_seconds,
    is_valid_timezone,
    local_date,
    local_day_bounds,
    parse_iso,
    to_iso,
    utc_now,
    within_range,
)
from deepiri_common.ids import ULID_LENGTH, is_ulid, new_ulid, ulid_time
from tests.support.host_zone import host_zone

MOMENT = datetime(2026, 3, 1, 12, 30, 15, 123_000, tzinfo=UTC)


def test_given_a_time_when_a_ulid_is_made_then_it_encodes_that_millisecond() -> None:
    millis = int(MOMENT.timestamp() * 1000)

    ulid = new_ulid(now_ms=millis)

    assert len(ulid) == ULID_LENGTH == 26 and is_ulid(ulid)
    assert ulid_time(ulid) == MOMENT


def test_given_the_epoch_then_the_random_part_never_spills_into_the_time() -> None:
    # Eighty random bits exactly: any more would set bits of the time part
    for _ in range(40):
        ulid = new_ulid(now_ms=0)
        assert ulid[:10] == "0000000000"
        assert ulid_time(ulid) == datetime(1970, 1, 1, tzinfo=UTC)


def test_given_ulids_made_in_one_millisecond_then_they_differ_in_their_random_part() -> None:
    ulids = {new_ulid(now_ms=1) for _ in range(50)}

    assert len(ulids) == 50
    assert len({u[10:] for u in ulids}) == 50
    # Eighty random bits fill sixteen characters: their first is not always zero
    assert {u[10] for u in ulids} != {"0"}


def test_given_no_time_then_a_ulid_carries_the_current_millisecond() -> None:
    before = int(time.time() * 1000)

    made = ulid_time(new_ulid())

    assert before <= int(made.timestamp() * 1000) <= int(time.time() * 1000)


@pytest.mark.parametrize("text", [
    "01ARZ3NDEKTSV4RRFFQ69G5FA",  # 25 characters
    "01ARZ3NDEKTSV4RRFFQ69G5FAVV",  # 27 characters
    "81ARZ3NDEKTSV4RRFFQ69G5FAV",  # first character past 7: out of range
    "X1ARZ3NDEKTSV4RRFFQ69G5FAV",
    "01ARZ3NDEKTSV4RRFFQ69G5FAU",  # U is not Crockford base32
    "01arz3ndektsv4rrffq69g5fav",
    "",
])
def test_given_malformed_ids_then_they_are_not_ulids_and_have_no_time(text: str) -> None:
    assert not is_ulid(text)
    with pytest.raises(ValueError, match="not a ULID"):
        ulid_time(text)


def test_given_a_ulid_whose_second_character_is_high_then_it_is_still_one() -> None:
    assert is_ulid("7ZZZZZZZZZZZZZZZZZZZZZZZZZ")
    assert is_ulid("09ARZ3NDEKTSV4RRFFQ69G5FAV")


def test_given_aware_times_then_iso_text_is_utc_with_milliseconds_and_z() -> None:
    paris = MOMENT.astimezone(timezone(timedelta(hours=1)))

    assert to_iso(paris) == "2026-03-01T12:30:15.123Z"
    with pytest.raises(ValueError) as naive:
        to_iso(datetime(2026, 3, 1, 12, 0))
    assert str(naive.value) == "naive datetimes are not accepted; attach a timezone"


@pytest.mark.parametrize("text", [
    "2026-03-01T12:30:15.123Z", "2026-03-01T12:30:15.123z", "2026-03-01T13:30:15.123+01:00",
])
def test_given_iso_text_with_an_offset_then_it_parses_to_the_same_utc_instant(text: str) -> None:
    parsed = parse_iso(text)

    assert parsed == MOMENT
    assert parsed.tzinfo is UTC and parsed.hour == 12


def test_given_iso_text_without_an_offset_then_it_is_refused_by_name() -> None:
    with pytest.raises(ValueError) as refused:
        parse_iso("2026-03-01T12:30:15")

    assert str(refused.value) == "timestamp has no timezone offset: '2026-03-01T12:30:15'"


def test_given_timezones_then_only_known_iana_names_are_valid() -> None:
    assert is_valid_timezone("Europe/Paris")
    assert not is_valid_timezone("Mars/Olympus_Mons")
    assert not is_valid_timezone("")


def test_given_a_listed_zone_whose_data_cannot_be_read_then_it_is_not_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    # tzdata lists the name, but its file is missing or unreadable on this runtime
    def unreadable(name: str) -> None:
        raise ZoneInfoNotFoundError(name)

    monkeypatch.setattr(clock, "ZoneInfo", unreadable)

    assert not is_valid_timezone("Europe/Paris")


def test_given_a_host_in_another_timezone_then_a_checked_instant_is_still_utc() -> None:
    with host_zone("Asia/Tokyo"):
        checked = within_range(datetime(2026, 3, 1, 14, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2))))

    assert checked == datetime(2026, 3, 1, 12, 30, 15, 123000, tzinfo=UTC)
    assert checked.tzinfo is UTC


def test_given_a_timezone_then_local_dates_and_day_bounds_follow_it_in_utc() -> None:
    assert local_date(datetime(2026, 3, 1, 23, 30, tzinfo=UTC), "Asia/Tokyo") == date(2026, 3, 2)
    start, end = local_day_bounds(date(2026, 3, 29), "Europe/Paris")  # the spring DST change: 23 hours

    assert (start, end) == (datetime(2026, 3, 28, 23, 0, tzinfo=UTC), datetime(2026, 3, 29, 22, 0, tzinfo=UTC))
    assert start.tzinfo is UTC and end.tzinfo is UTC


def test_given_now_then_it_is_aware_utc_and_epoch_seconds_are_whole() -> None:
    now = utc_now()

    assert now.tzinfo is UTC
    assert epoch_seconds(MOMENT) == 1772368215


def test_given_a_host_in_another_timezone_then_iso_text_and_parsing_stay_utc() -> None:
    # A developer's machine is rarely in UTC; nothing may depend on the host's zone
    with host_zone("Asia/Tokyo"):
        assert to_iso(MOMENT) == "2026-03-01T12:30:15.123Z"
        assert parse_iso("2026-03-01T13:30:15.123+01:00").tzinfo is UTC


def test_given_clock_at_an_instant_then_utc_now_answers_it_inside_and_the_real_time_after() -> None:
    with clock_at(MOMENT.astimezone(timezone(timedelta(hours=2)))):
        inside = utc_now()
    after = utc_now()

    assert inside == MOMENT and inside.tzinfo == UTC
    assert abs(after - datetime.now(UTC)) < timedelta(seconds=5)


def test_given_clock_at_when_the_block_raises_then_the_real_clock_is_back() -> None:
    with pytest.raises(RuntimeError), clock_at(MOMENT):
        raise RuntimeError("boom")

    assert utc_now() > MOMENT + timedelta(days=30)


def test_given_a_naive_instant_then_clock_at_refuses_it() -> None:
    with pytest.raises(ValueError, match="naive"), clock_at(datetime(2026, 3, 1, 12)):
        pass

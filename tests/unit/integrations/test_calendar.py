"""Google Calendar's rules without a network: when an event falls due (own offsets, the user's timezone for
all-day events, DST change days, events crossing midnight), how an event maps and is marked, the focus
block's id and length, and the sync's reset to a full read when Google answers 410 for a sync token."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from deepiri_integrations.dal.google import EventPage, SyncTokenGone
from deepiri_integrations.logic import calendar, calendar_sync, focus
from deepiri_integrations.logic.backoff import RetryPolicy
from deepiri_integrations.logic.connections import Integrations
from deepiri_integrations.models.connections import IntegrationSources, StoredConnection
from deepiri_integrations.models.events import TaskCompletedData
from tests.support.host_zone import host_zone

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def _utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


# ---------------------------------------------------------------- timed events
def test_given_a_timed_event_with_its_own_offset_then_it_is_due_at_that_instant_whatever_the_user_zone() -> None:
    start = {"dateTime": "2026-12-03T09:30:00+01:00", "timeZone": "Europe/Paris"}
    assert calendar.due_at(start, None, "Pacific/Auckland") == _utc(2026, 12, 3, 8, 30)


def test_given_a_timed_event_in_utc_written_with_z_then_it_is_due_at_that_instant() -> None:
    assert calendar.due_at({"dateTime": "2026-12-03T08:30:00Z"}, None, "Asia/Tokyo") == _utc(2026, 12, 3, 8, 30)


@pytest.mark.parametrize(("start", "end"), [({"dateTime": "2026-12-03T09:30:00+01:00"}, None),
                                            ({"date": "2026-12-04"}, {"date": "2026-12-05"})])
def test_given_a_server_in_another_zone_then_the_due_time_is_still_written_in_utc(
        start: dict[str, str], end: dict[str, str] | None) -> None:
    with host_zone("Asia/Tokyo"):
        due = calendar.due_at(start, end, "Europe/Paris")
    assert due is not None and due.isoformat().endswith("+00:00")


def test_given_a_wall_clock_time_without_offset_then_the_events_own_zone_places_it() -> None:
    start = {"dateTime": "2026-07-01T09:00:00", "timeZone": "America/Los_Angeles"}
    assert calendar.due_at(start, None, "Asia/Tokyo") == _utc(2026, 7, 1, 16, 0)


@pytest.mark.parametrize("name", [None, "", "Nowhere/Atlantis", "../etc/passwd"])
def test_given_no_zone_or_an_unknown_one_then_it_is_utc(name: str | None) -> None:
    assert calendar.zone(name).key == "UTC"


def test_given_a_wall_clock_time_and_no_event_zone_then_the_users_zone_places_it() -> None:
    assert calendar.due_at({"dateTime": "2026-07-01T09:00:00"}, None, "Asia/Tokyo") == _utc(2026, 7, 1, 0, 0)


def test_given_an_event_crossing_midnight_then_it_is_due_at_its_start_on_its_first_day() -> None:
    start = {"dateTime": "2026-12-31T23:30:00-05:00", "timeZone": "America/New_York"}
    end = {"dateTime": "2027-01-01T00:30:00-05:00", "timeZone": "America/New_York"}
    assert calendar.due_at(start, end, "America/New_York") == _utc(2027, 1, 1, 4, 30)


def test_given_a_wall_clock_time_in_the_spring_forward_gap_then_it_is_read_with_the_offset_before_the_change() -> None:
    # 02:30 does not exist in New York on 2026-03-08; fold=0 reads it with EST (-05:00), as Python does.
    start = {"dateTime": "2026-03-08T02:30:00", "timeZone": "America/New_York"}
    assert calendar.due_at(start, None, "UTC") == _utc(2026, 3, 8, 7, 30)


def test_given_a_wall_clock_time_in_the_repeated_autumn_hour_then_the_first_occurrence_is_meant() -> None:
    start = {"dateTime": "2026-11-01T01:30:00", "timeZone": "America/New_York"}
    assert calendar.due_at(start, None, "UTC") == _utc(2026, 11, 1, 5, 30)  # EDT, -04:00


# ---------------------------------------------------------------- all-day events
def test_given_an_all_day_event_then_it_is_due_at_the_end_of_that_day_in_the_users_zone() -> None:
    day = ({"date": "2026-12-04"}, {"date": "2026-12-05"})
    assert calendar.due_at(*day, "America/New_York") == _utc(2026, 12, 5, 4, 59, 59)
    assert calendar.due_at(*day, "Pacific/Auckland") == _utc(2026, 12, 4, 10, 59, 59)
    assert calendar.due_at(*day, "UTC") == _utc(2026, 12, 4, 23, 59, 59)


def test_given_an_all_day_event_on_the_spring_forward_day_then_the_end_of_day_uses_the_new_offset() -> None:
    assert calendar.due_at({"date": "2026-03-08"}, {"date": "2026-03-09"}, "America/New_York") == _utc(
        2026, 3, 9, 3, 59, 59)  # EDT (-04:00) by the evening
    assert calendar.due_at({"date": "2026-03-29"}, {"date": "2026-03-30"}, "Europe/Berlin") == _utc(
        2026, 3, 29, 21, 59, 59)  # CEST (+02:00)


def test_given_an_all_day_event_on_the_fall_back_day_then_the_end_of_day_uses_standard_time() -> None:
    assert calendar.due_at({"date": "2026-11-01"}, {"date": "2026-11-02"}, "America/New_York") == _utc(
        2026, 11, 2, 4, 59, 59)  # EST (-05:00)


def test_given_a_multi_day_all_day_event_then_it_is_due_at_the_end_of_its_last_day() -> None:
    assert calendar.due_at({"date": "2026-12-01"}, {"date": "2026-12-04"}, "UTC") == _utc(2026, 12, 3, 23, 59, 59)
    assert calendar.due_at({"date": "2026-12-01"}, None, "UTC") == _utc(2026, 12, 1, 23, 59, 59)


def test_given_an_unknown_user_zone_then_utc_places_the_day_and_a_start_without_a_time_is_no_due_date() -> None:
    assert calendar.due_at({"date": "2026-12-01"}, None, "Mars/Olympus") == _utc(2026, 12, 1, 23, 59, 59)
    assert calendar.due_at({}, None, "UTC") is None and calendar.due_at(None, None, "UTC") is None


# ---------------------------------------------------------------- mapping and marking
def _raw(**fields: Any) -> dict[str, Any]:
    return {"id": "ev1", "status": "confirmed", "summary": "Plan the sprint", "updated": "2026-11-20T10:00:00.000Z",
            "start": {"date": "2026-12-04"}, "end": {"date": "2026-12-05"},
            "htmlLink": "https://www.google.com/calendar/event?eid=ev1", **fields}


def test_given_an_event_then_it_maps_to_an_open_item_keyed_by_calendar_and_event() -> None:
    item = calendar.google_event(_raw(description="Bring\x07 the notes"), "ada@example.com", "UTC")
    assert item is not None
    assert (item.externalRef, item.title, item.status, item.tags) == (
        "ada@example.com/ev1", "Plan the sprint", "todo", ["calendar"])
    assert item.description == "Bring the notes" and item.dueAt == _utc(2026, 12, 4, 23, 59, 59)
    assert calendar.split_ref(item.externalRef) == ("ada@example.com", "ev1")


def test_given_an_event_marked_by_deepiri_then_it_maps_done_with_the_mark_removed_from_its_title() -> None:
    marked = _raw(**calendar.mark_patch(_raw(), NOW))
    item = calendar.google_event(marked, "primary", "UTC")
    assert marked["summary"] == "✓ Plan the sprint"
    assert item is not None and (item.title, item.status) == ("Plan the sprint", "done")


def test_given_an_event_marked_twice_then_its_summary_carries_one_mark() -> None:
    once = calendar.mark_patch(_raw(), NOW)
    twice = calendar.mark_patch(_raw(summary=once["summary"]), NOW)
    assert twice["summary"] == "✓ Plan the sprint"
    assert twice["extendedProperties"]["private"][calendar.DONE_PROPERTY] == "true"


def test_given_a_cancelled_event_with_its_summary_then_it_maps_done_and_tagged_cancelled() -> None:
    item = calendar.google_event(_raw(status="cancelled"), "primary", "UTC")
    assert item is not None and (item.status, item.tags) == ("done", ["calendar", "cancelled"])


def test_given_an_event_without_id_or_updated_then_it_is_not_an_item() -> None:
    assert calendar.google_event(_raw(id=None), "primary", "UTC") is None
    assert calendar.google_event({"id": "ev1", "status": "cancelled"}, "primary", "UTC") is None
    assert calendar.google_event(_raw(summary="  "), "primary", "UTC").title == "(no title)"  # type: ignore[union-attr]


# ---------------------------------------------------------------- focus blocks
def test_given_a_challenge_then_its_focus_event_id_is_stable_base32hex_and_its_own() -> None:
    first, again, other = (calendar.focus_event_id(c) for c in ("01JCHALLENGE0000000000000A",) * 2 +
                           ("01JCHALLENGE0000000000000B",))
    assert first == again != other
    assert 5 <= len(first) <= 1024 and set(first) <= set("0123456789abcdefghijklmnopqrstuv")


def test_given_a_focus_block_then_it_is_busy_private_in_the_users_zone_and_tagged_with_the_challenge() -> None:
    body = calendar.focus_event("01JCHALLENGE0000000000000A", "Write", _utc(2026, 12, 7, 14, 0), 50, "Europe/Paris")
    assert body["start"] == {"dateTime": "2026-12-07T15:00:00+01:00", "timeZone": "Europe/Paris"}
    assert body["end"]["dateTime"] == "2026-12-07T15:50:00+01:00"
    assert (body["transparency"], body["visibility"], body["summary"]) == ("opaque", "private", "Focus: Write")
    assert body["extendedProperties"]["private"][calendar.CHALLENGE_PROPERTY] == "01JCHALLENGE0000000000000A"


@pytest.mark.parametrize(("requested", "limit", "expected"), [
    (None, 60, 60), (50, 60, 50), (5, 60, 15), (None, 5, 15), (900, 60, 480), (None, 1440, 480), (15, 60, 15),
    (480, 60, 480)])
def test_given_a_requested_length_then_the_block_keeps_within_15_and_480_minutes(
        requested: int | None, limit: int, expected: int) -> None:
    assert focus.block_minutes(requested, limit) == expected


# ---------------------------------------------------------------- the sync's reset on 410
class _Google:
    configured = True

    def __init__(self, pages: list[EventPage | Exception]) -> None:
        self.pages, self.asked = pages, []  # type: list[EventPage | Exception], list[str | None]

    def events(self, access: str, calendar_id: str, cursor: str | None, now: datetime) -> EventPage:
        self.asked.append(cursor)
        page = self.pages.pop(0)
        if isinstance(page, Exception):
            raise page
        return page


class _Profiles:
    def timezone(self, user_id: str) -> str:
        return "America/New_York"


class _Repository:
    def __init__(self, imported: set[str]) -> None:
        self.imported, self.closed = imported, []  # type: set[str], list[str]

    def item_state(self, user_id: str, provider: str, ref: str) -> str | None:
        return "open" if ref in self.imported else None

    def mark_closed(self, user_id: str, provider: str, ref: str) -> None:
        self.closed.append(ref)


def _ctx(google: _Google, repository: _Repository | None = None) -> Integrations:
    return Integrations(repository=repository or _Repository(set()), github=None, vault=None, secrets=None,  # type: ignore[arg-type]
                        trello=None, notion=None, provider_state=None,  # type: ignore[arg-type]
                        google=google, profiles=_Profiles(), retry=RetryPolicy(sleep=lambda _: None))  # type: ignore[arg-type]


def _connection(cursors: dict[str, str]) -> StoredConnection:
    return StoredConnection(userId="ada", provider="google", status="connected", account="ada@example.com", scopes=[],
                            connectedAt=NOW, sealedTokens="x", sources=IntegrationSources(), cursors=cursors)


def test_given_an_expired_sync_token_then_the_calendar_is_read_in_full_and_the_new_token_kept() -> None:
    google = _Google([SyncTokenGone("410"), EventPage(events=[_raw()], cursor="sync:fresh")])

    fetched = calendar_sync.fetch(_ctx(google), _connection({"ada@example.com": "sync:stale"}), "token", NOW)

    assert google.asked == ["sync:stale", None]
    assert fetched.cursor == {"cursors": {"ada@example.com": "sync:fresh"}}
    assert [item.externalRef for item in fetched.items if item] == ["ada@example.com/ev1"]
    assert fetched.notModified is False  # a full read is never "unchanged"
    assert fetched.items[0] is not None and fetched.items[0].dueAt == _utc(2026, 12, 5, 4, 59, 59)  # New York


def test_given_an_expired_sync_token_then_the_full_read_is_logged_with_the_user(log_output: io.StringIO) -> None:
    google = _Google([SyncTokenGone("410"), EventPage(events=[], cursor="sync:fresh")])

    calendar_sync.fetch(_ctx(google), _connection({"ada@example.com": "sync:stale"}), "token", NOW)

    records = [json.loads(line) for line in log_output.getvalue().splitlines()]
    assert [(r["level"], r.get("userId")) for r in records if r.get("message") == "sync token expired: full read"] == [
        ("INFO", "ada")]


def test_given_an_incremental_read_with_no_change_then_the_run_is_unchanged() -> None:
    google = _Google([EventPage(events=[], cursor="sync:next")])
    fetched = calendar_sync.fetch(_ctx(google), _connection({"ada@example.com": "sync:last"}), "token", NOW)
    assert (fetched.notModified, fetched.cursor) == (True, {"cursors": {"ada@example.com": "sync:next"}})


def test_given_cancelled_events_then_only_one_imported_before_is_closed_and_none_creates_a_task() -> None:
    repository = _Repository({"ada@example.com/old"})
    google = _Google([EventPage(events=[{"id": "old", "status": "cancelled"}, {"id": "new", "status": "cancelled"}],
                                cursor="sync:next")])

    fetched = calendar_sync.fetch(_ctx(google, repository), _connection({"ada@example.com": "sync:last"}), "token", NOW)

    assert repository.closed == ["ada@example.com/old"]
    assert fetched.items == [None, None]


# ---------------------------------------------------------------- the completion's instant (conflict rule)
@pytest.mark.parametrize(("said", "expected"), [
    ("2026-11-30T10:00:00.000Z", _utc(2026, 11, 30, 10, 0)), ("2026-11-30T11:00:00+01:00", _utc(2026, 11, 30, 10, 0)),
    ("2026-11-30T10:00:00", NOW), ("yesterday", NOW), (None, NOW)])
def test_given_a_task_completed_event_then_its_completion_instant_is_read_or_now(
        said: str | None, expected: datetime) -> None:
    data = TaskCompletedData(taskId="t", userId="u", source="google", externalRef="c/e", completedAt=said)
    assert data.completed(NOW) == expected

"""Google Calendar's edges, with in-memory fakes: the exact focus block sent to Google and what is answered
(a new block, one that existed, refusals), reading several calendars with their own cursors, and the
details of an event's mapping."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from logic_fakes import NOW, Profiles, Provider, Repository, Vault, connection, context

from deepiri_common.identity import Caller
from deepiri_common.problems import NotFound, ServiceUnavailable
from deepiri_integrations.dal.challenges_api import ChallengeView
from deepiri_integrations.dal.google import EventPage, SyncTokenGone
from deepiri_integrations.dal.http import Refused, Unavailable
from deepiri_integrations.logic import calendar, calendar_sync, focus
from deepiri_integrations.models.calendar import FocusBlockRequest
from deepiri_integrations.models.connections import IntegrationSources, Tokens

CHALLENGE = "01JFQ0000000000000000000AB"
ADA = Caller(user_id="ada")


class _Challenges:
    def __init__(self, view: ChallengeView | None) -> None:
        self.view, self.asked = view, []  # type: ChallengeView | None, list[tuple[Caller, str]]

    def challenge(self, caller: Caller, challenge_id: str) -> ChallengeView | None:
        self.asked.append((caller, challenge_id))
        return self.view


def _challenge(minutes: int = 45) -> _Challenges:
    return _Challenges(ChallengeView(id=CHALLENGE, title="Ship the release", status="active",
                                     timeLimitMinutes=minutes))


def _google_repository(**fields: Any) -> Repository:
    return Repository(connection("google", account="ada@example.com", **fields))


# ---------------------------------------------------------------- focus blocks
def test_given_a_focus_request_then_google_gets_the_exact_event_and_the_block_is_answered() -> None:
    start = datetime(2026, 12, 7, 14, 0, 30, 123456, tzinfo=UTC)
    google = Provider(insert_event={"id": "given", "summary": "Focus: Ship the release",
                                    "start": {"dateTime": "2026-12-07T09:00:30-05:00"},
                                    "end": {"dateTime": "2026-12-07T09:45:30-05:00"},
                                    "htmlLink": "https://calendar.test/e"})
    challenges = _challenge()
    ctx = context(_google_repository(), google=google, profiles=Profiles("America/New_York"), challenges=challenges)

    block = focus.create(ctx, ADA, "google", FocusBlockRequest(challengeId=CHALLENGE, startAt=start), NOW)

    (call,) = google.calls
    assert call[:3] == ("insert_event", "access", "ada@example.com")
    assert call[3] == {
        "id": calendar.focus_event_id(CHALLENGE), "summary": "Focus: Ship the release",
        "description": "A focus block Deepiri reserved for your challenge.",
        "start": {"dateTime": "2026-12-07T09:00:30-05:00", "timeZone": "America/New_York"},
        "end": {"dateTime": "2026-12-07T09:45:30-05:00", "timeZone": "America/New_York"},
        "transparency": "opaque", "visibility": "private",
        "reminders": {"useDefault": False, "overrides": [{"method": "popup", "minutes": 5}]},
        "extendedProperties": {"private": {"deepiriChallengeId": CHALLENGE}}}
    assert challenges.asked == [(ADA, CHALLENGE)]
    assert (block.challengeId, block.calendarId, block.eventId, block.summary, block.created) == (
        CHALLENGE, "ada@example.com", "given", "Focus: Ship the release", True)
    assert (block.startAt, block.endAt) == (datetime(2026, 12, 7, 14, 0, 30, tzinfo=UTC),
                                            datetime(2026, 12, 7, 14, 45, 30, tzinfo=UTC))
    assert (block.timeZone, block.url) == ("America/New_York", "https://calendar.test/e")


def test_given_no_start_and_a_chosen_calendar_then_the_block_starts_now_on_the_first_calendar() -> None:
    google = Provider(insert_event={})
    repository = _google_repository(sources=IntegrationSources(calendars=["work@example.com", "home@example.com"]))
    ctx = context(repository, google=google, challenges=_challenge(minutes=600))

    block = focus.create(ctx, ADA, "google", FocusBlockRequest(challengeId=CHALLENGE), NOW)

    body = google.calls[0][3]
    assert google.calls[0][2] == "work@example.com"
    assert body["start"] == {"dateTime": "2026-11-30T12:00:00+00:00", "timeZone": "UTC"}
    assert body["end"]["dateTime"] == "2026-11-30T20:00:00+00:00"  # 480 minutes at most
    assert (block.eventId, block.summary, block.url) == (body["id"], "Focus: Ship the release", None)
    assert (block.startAt, block.endAt, block.timeZone) == (NOW, NOW + timedelta(minutes=480), "UTC")


def test_given_a_block_that_exists_then_it_is_read_and_answered_with_its_own_times() -> None:
    existing = {"id": calendar.focus_event_id(CHALLENGE), "summary": "Focus: renamed",
                "start": {"dateTime": "2026-12-01T08:00:00Z"}, "end": {"dateTime": "2026-12-01T09:00:00Z"}}
    google = Provider(insert_event=Refused(409, "duplicate"), event=[Unavailable("x"), existing])
    ctx = context(_google_repository(), google=google, challenges=_challenge())

    block = focus.create(ctx, ADA, "google", FocusBlockRequest(challengeId=CHALLENGE, minutes=30), NOW)

    assert google.named("event") == [("event", "access", "ada@example.com", existing["id"])] * 2
    assert (block.created, block.summary) == (False, "Focus: renamed")
    assert (block.startAt, block.endAt) == (datetime(2026, 12, 1, 8, tzinfo=UTC), datetime(2026, 12, 1, 9, tzinfo=UTC))


def test_given_a_block_that_exists_with_wall_clock_times_then_they_are_read_in_the_users_zone() -> None:
    existing = {"id": "x", "start": {"dateTime": "2026-12-01T08:00:00"}, "end": {"dateTime": "2026-12-01T09:15:00"},
                "htmlLink": ["not", "a", "link"]}
    google = Provider(insert_event=Refused(409, "duplicate"), event=existing,
                      refresh=Tokens(accessToken="new", expiresIn=3600))
    repository = _google_repository(accessExpiresAt=NOW + timedelta(minutes=1))
    ctx = context(repository, google=google, challenges=_challenge(), profiles=Profiles("Europe/Paris"),
                  vault=Vault(Tokens(accessToken="old", refreshToken="r1")))

    block = focus.create(ctx, ADA, "google", FocusBlockRequest(challengeId=CHALLENGE, minutes=30, startAt=NOW), NOW)

    assert (block.startAt, block.endAt) == (datetime(2026, 12, 1, 7, 0, tzinfo=UTC),
                                            datetime(2026, 12, 1, 8, 15, tzinfo=UTC))
    assert (block.url, block.summary, block.timeZone) == (None, "Focus: Ship the release", "Europe/Paris")
    assert [call[:2] for call in google.calls] == [("refresh", "r1"), ("insert_event", "new"), ("event", "new")]
    body = google.calls[1][3]
    assert (body["start"]["dateTime"], body["end"]["dateTime"]) == ("2026-11-30T13:00:00+01:00",
                                                                    "2026-11-30T13:30:00+01:00")


def test_given_google_refuses_or_is_down_then_the_focus_block_is_503() -> None:
    for failure, text in ((Refused(403, "no"), r"^Google Calendar refused the focus block \(403\)$"),
                          (Unavailable("x"), "^Google Calendar could not be reached")):
        ctx = context(_google_repository(), google=Provider(insert_event=failure), challenges=_challenge())
        with pytest.raises(ServiceUnavailable, match=text):
            focus.create(ctx, ADA, "google", FocusBlockRequest(challengeId=CHALLENGE), NOW)


def test_given_no_block_possible_then_the_reason_is_the_answer() -> None:
    google = Provider(insert_event={})
    with pytest.raises(NotFound, match=r"^github has no focus blocks"):
        focus.create(context(_google_repository(), google=google, challenges=_challenge()), ADA, "github",
                     FocusBlockRequest(challengeId=CHALLENGE), NOW)
    with pytest.raises(NotFound, match=r"^google is not connected$"):
        focus.create(context(Repository(), google=google, challenges=_challenge()), ADA, "google",
                     FocusBlockRequest(challengeId=CHALLENGE), NOW)
    with pytest.raises(ServiceUnavailable, match=r"^challenges cannot be read"):
        focus.create(context(_google_repository(), google=google), ADA, "google",
                     FocusBlockRequest(challengeId=CHALLENGE), NOW)
    with pytest.raises(NotFound, match=r"^challenge not found$"):
        focus.create(context(_google_repository(), google=google, challenges=_Challenges(None)), ADA, "google",
                     FocusBlockRequest(challengeId=CHALLENGE), NOW)
    for unconfigured in (None, Provider(configured=False)):
        with pytest.raises(ServiceUnavailable, match=r"^Google Calendar is not configured on this deployment"):
            focus.create(context(_google_repository(), google=unconfigured, challenges=_challenge()), ADA, "google",
                         FocusBlockRequest(challengeId=CHALLENGE), NOW)
    assert google.calls == []


def test_given_a_long_title_then_the_summary_is_cut_at_500() -> None:
    body = calendar.focus_event(CHALLENGE, "x" * 600, NOW, 30, "Mars/Olympus")
    assert body["summary"] == "Focus: " + "x" * 493
    assert body["start"]["timeZone"] == "UTC"
    assert calendar.focus_event_id(CHALLENGE).startswith("deepiri") and len(calendar.focus_event_id(CHALLENGE)) == 39


# ---------------------------------------------------------------- reading calendars
def _page(*events: dict[str, Any], cursor: str | None = "sync:n") -> EventPage:
    return EventPage(events=list(events), cursor=cursor)


def _event(event_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": event_id, "updated": "2026-11-20T10:00:00Z", "summary": event_id,
            "start": {"dateTime": "2026-12-01T09:00:00"}, **fields}


def test_given_chosen_calendars_then_each_is_read_with_its_own_cursor_in_the_users_zone() -> None:
    sources = IntegrationSources(calendars=["work@example.com", "home@example.com"])
    stored = connection("google", account="ada@example.com", sources=sources,
                        cursors={"work@example.com": "sync:w", "home@example.com": "page:h"})
    google = Provider(events=[_page(_event("a"), cursor="sync:w2"), _page(cursor=None)])
    ctx = context(Repository(stored), google=google, profiles=Profiles("Asia/Tokyo"))

    fetched = calendar_sync.fetch(ctx, stored, "access", NOW)

    assert google.calls == [("events", "access", "work@example.com", "sync:w", NOW),
                            ("events", "access", "home@example.com", "page:h", NOW)]
    assert fetched.cursor == {"cursors": {"work@example.com": "sync:w2"}}  # no cursor: none stored
    assert fetched.notModified is False  # a page cursor is not an incremental read
    (item,) = fetched.items
    assert item is not None and (item.externalRef, item.repository) == ("work@example.com/a", "work@example.com")
    assert item.dueAt == datetime(2026, 12, 1, 0, 0, tzinfo=UTC)  # 09:00 in Tokyo


def test_given_incremental_reads_then_the_run_is_unchanged_only_when_no_event_is_an_item() -> None:
    stored = connection("google", account="ada@example.com", cursors={"ada@example.com": "sync:t"})
    google = Provider(events=[_page({"id": "x", "status": "cancelled"})])
    fetched = calendar_sync.fetch(context(Repository(stored), google=google), stored, "a", NOW)
    assert (fetched.items, fetched.notModified) == ([None], True)
    google = Provider(events=[_page(_event("a"))])
    assert calendar_sync.fetch(context(Repository(stored), google=google), stored, "a", NOW).notModified is False


def test_given_a_first_read_without_cursor_then_it_is_not_unchanged_and_the_primary_is_named_by_account() -> None:
    stored = connection("google", account="ada@example.com")
    google = Provider(events=[_page()])
    fetched = calendar_sync.fetch(context(Repository(stored), google=google), stored, "a", NOW)
    assert google.calls[0][2:4] == ("ada@example.com", None)
    assert fetched.notModified is False and fetched.cursor == {"cursors": {"ada@example.com": "sync:n"}}


def test_given_a_transient_failure_then_the_calendar_read_is_retried_and_410_read_in_full() -> None:
    stored = connection("google", account="ada@example.com", cursors={"ada@example.com": "sync:old"})
    google = Provider(events=[Unavailable("502"), SyncTokenGone("410"), Unavailable("502"), _page(cursor="sync:new")])
    fetched = calendar_sync.fetch(context(Repository(stored), google=google), stored, "a", NOW)
    assert google.calls == [("events", "a", "ada@example.com", cursor, NOW)
                            for cursor in ("sync:old", "sync:old", None, None)]
    assert fetched.cursor == {"cursors": {"ada@example.com": "sync:new"}}


def test_given_an_expired_sync_token_and_an_empty_full_read_then_the_run_is_still_not_unchanged() -> None:
    stored = connection("google", account="ada@example.com", cursors={"ada@example.com": "sync:old"})
    google = Provider(events=[SyncTokenGone("410"), _page(cursor="sync:new")])
    fetched = calendar_sync.fetch(context(Repository(stored), google=google), stored, "a", NOW)
    assert (fetched.items, fetched.notModified) == ([], False)
    assert fetched.cursor == {"cursors": {"ada@example.com": "sync:new"}}


def test_given_a_cancelled_event_imported_before_then_its_update_keeps_the_cancelled_tag() -> None:
    repository = _google_repository()
    repository.records[("ada", "google", "ada@example.com/a")] = ("open", None)
    stored = repository.connection("ada", "google")
    assert stored is not None
    google = Provider(events=[_page(_event("a", status="cancelled"))])
    fetched = calendar_sync.fetch(context(repository, google=google), stored, "a", NOW)
    (item,) = fetched.items
    assert item is not None and (item.status, item.tags) == ("done", ["calendar", "cancelled"])
    assert repository.closed == [("ada", "google", "ada@example.com/a")]


def test_given_no_profiles_then_the_users_zone_is_utc() -> None:
    assert calendar_sync.user_timezone(context(Repository()), "ada") == "UTC"
    assert calendar_sync.user_timezone(context(Repository(), profiles=Profiles("Europe/Paris")), "ada") == \
        "Europe/Paris"


# ---------------------------------------------------------------- mapping details
def test_given_an_event_then_its_fields_map_exactly() -> None:
    raw = {"id": "e1", "updated": "2026-11-20T10:00:00.000Z", "summary": " ✓  Review\tthe\u200b draft ",
           "description": "Line one\nline two\x00", "start": {"dateTime": "2026-12-01T09:00:00Z"},
           "htmlLink": 42}
    item = calendar.google_event(raw, "work@example.com", "UTC")
    assert item is not None
    assert (item.title, item.description, item.url) == ("Review the draft", "Line one\nline two", None)
    assert (item.updatedAt, item.assignees, item.pullRequest) == (datetime(2026, 11, 20, 10, tzinfo=UTC), [], False)
    assert item.status == "todo"
    bare = calendar.google_event({"id": "e2", "updated": "2026-11-20T10:00:00Z", "htmlLink": "https://cal.test/e2",
                                  "start": {"date": "2026-12-01"}, "end": {"date": "2026-12-03"}}, "c", "UTC")
    assert bare is not None and (bare.title, bare.description, bare.url) == ("(no title)", None, "https://cal.test/e2")
    assert bare.dueAt == datetime(2026, 12, 2, 23, 59, 59, tzinfo=UTC)  # the end of its last day


def test_given_odd_event_json_then_it_is_no_item_or_its_parts_fall_back() -> None:
    assert calendar.google_event({"id": "", "updated": "2026-11-20T10:00:00Z"}, "c", "UTC") is None
    assert calendar.google_event({"id": "e", "updated": 5}, "c", "UTC") is None
    assert calendar.google_event({"id": "e", "updated": "not a time"}, "c", "UTC") is None
    assert calendar.google_event({"id": "e", "updated": "2026-11-20T10:00:00Z",
                                  "start": {"dateTime": "never"}}, "c", "UTC") is None
    long = calendar.google_event({"id": "e", "updated": "2026-11-20T10:00:00Z", "summary": "y" * 600,
                                  "description": "d" * 30_000}, "c", "UTC")
    assert long is not None and len(long.title) == 500 and len(long.description or "") == 20_000
    assert long.dueAt is None


def test_given_marks_then_only_the_private_true_property_counts() -> None:
    assert calendar.is_marked_done({"extendedProperties": {"private": {"deepiriDone": "true"}}})
    assert not calendar.is_marked_done({"extendedProperties": {"private": {"deepiriDone": "false"}}})
    assert not calendar.is_marked_done({"extendedProperties": {"shared": {"deepiriDone": "true"}}})
    assert not calendar.is_marked_done({"extendedProperties": {"private": "deepiriDone"}})
    assert not calendar.is_marked_done({})


def test_given_a_mark_patch_then_it_is_the_summary_and_the_private_properties_only() -> None:
    patch = calendar.mark_patch({"summary": None}, datetime(2026, 11, 30, 11, 0, tzinfo=UTC))
    assert patch == {"summary": "✓ ", "extendedProperties": {"private": {
        "deepiriDone": "true", "deepiriCompletedAt": patch["extendedProperties"]["private"]["deepiriCompletedAt"]}}}
    assert patch["extendedProperties"]["private"]["deepiriCompletedAt"].startswith("2026-11-30T11:00:00")


def test_given_refs_then_the_last_slash_separates_calendar_and_event() -> None:
    assert calendar.external_ref("a/b@example.com", "e1") == "a/b@example.com/e1"
    assert calendar.split_ref("a/b@example.com/e1") == ("a/b@example.com", "e1")
    assert calendar.split_ref("/e1") is None and calendar.split_ref("c/") is None and calendar.split_ref("e") is None


def test_given_zone_names_then_unknown_or_missing_ones_are_utc() -> None:
    assert calendar.zone("Europe/Paris").key == "Europe/Paris"
    assert calendar.zone(None).key == calendar.zone("").key == calendar.zone("../etc").key == "UTC"
    assert calendar.zone("Not/AZone").key == "UTC"


def test_given_any_event_then_its_due_instant_is_expressed_in_utc() -> None:
    timed = calendar.due_at({"dateTime": "2026-12-04T10:00:00+09:00"}, None, "Asia/Tokyo")
    all_day = calendar.due_at({"date": "2026-12-04"}, None, "Asia/Tokyo")
    assert timed is not None and all_day is not None
    assert timed.tzinfo is UTC and all_day.tzinfo is UTC  # not merely a zero offset: UTC itself
    assert (timed.hour, all_day.isoformat()) == (1, "2026-12-04T14:59:59+00:00")


def test_given_an_all_day_event_ending_before_it_starts_then_it_is_due_on_its_first_day() -> None:
    assert calendar.due_at({"date": "2026-12-04"}, {"date": "2026-12-01"}, "UTC") == datetime(
        2026, 12, 4, 23, 59, 59, tzinfo=UTC)
    assert calendar.due_at({"date": "2026-12-04"}, {"dateTime": "2026-12-09T10:00:00Z"}, "UTC") == datetime(
        2026, 12, 4, 23, 59, 59, tzinfo=UTC)
    assert calendar.due_at({"dateTime": 5, "date": "2026-12-04"}, None, "UTC") == datetime(
        2026, 12, 4, 23, 59, 59, tzinfo=UTC)
    assert calendar.due_at({"dateTime": "2026-12-04T10:00:00", "timeZone": ""}, None, "Europe/Paris") == datetime(
        2026, 12, 4, 9, 0, tzinfo=UTC)

"""Keeping events (archive, per-user log, projection, rebuild, compaction), the caller's reports and the
weekly insights job, over in-memory stores (no network): the orchestration the handlers call."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from deepiri_analytics.handlers.consumers import CONSUMES
from deepiri_analytics.logic import archive, forecast, ingest, reading, weekly
from deepiri_analytics.models import feed
from deepiri_analytics.models.rows import DayRow, OpenTask
from deepiri_common.events import DomainEvent, ReceivedEvent, parse_bus_event
from deepiri_common.ids import new_ulid
from deepiri_common.pagination import encode_cursor
from deepiri_common.problems import BadRequest, NotFound, ValidationFailed
from tests.support import flows
from tests.unit.analytics.fakes import FakeArchive, FakeReadModels

ADA, BOB = new_ulid(), new_ulid()
TASK, OTHER = new_ulid(), new_ulid()


def _event(kind: str, data: dict[str, Any], at: str, actor: str = ADA) -> tuple[ReceivedEvent, str]:
    event = DomainEvent.new("tasks", kind, data, actor=actor)
    event = event.model_copy(update={"detail": event.detail.model_copy(update={"occurredAt": at})})
    body = json.dumps(flows.bus_body(event))
    return parse_bus_event(json.loads(body)), body


def _created(task: str, user: str, at: str, category: str = "code", due: str | None = None) -> tuple[
        ReceivedEvent, str]:
    return _event("TaskCreated", {"taskId": task, "userId": user, "ownerId": user, "projectId": None, "title": "t",
                                  "status": "todo", "priority": "medium", "difficulty": "easy", "category": category,
                                  "assigneeIds": [], "dueAt": due, "source": "manual"}, at, actor=user)


def _completed(task: str, user: str, at: str) -> tuple[ReceivedEvent, str]:
    return _event("TaskCompleted", {"taskId": task, "userId": user, "actorId": user, "projectId": None,
                                    "category": "code", "difficulty": "easy", "priority": "medium",
                                    "efficiency": None, "onTime": True, "estimateMinutes": 30, "actualMinutes": 40,
                                    "firstCompletion": True, "completedAt": at}, at, actor=user)


def _stream() -> list[tuple[ReceivedEvent, str]]:
    return [
        _event("UserRegistered", {"userId": ADA, "email": "a@x.io", "displayName": "A", "timezone": "Asia/Tokyo",
                                  "dayStartHour": 0}, "2026-03-01T00:00:00.000Z"),
        _created(TASK, ADA, "2026-03-01T20:00:00.000Z", due="2026-03-02T09:00:00.000Z"),  # 05:00 on the 2nd, Tokyo
        _created(OTHER, ADA, "2026-03-02T01:00:00.000Z", category="study"),
        _event("TaskUpdated", {"taskId": OTHER, "changed": ["estimateMinutes"], "values": {"estimateMinutes": 25},
                               "ownerId": ADA, "projectId": None, "assigneeIds": [], "userId": ADA},
               "2026-03-02T02:00:00.000Z"),
        _completed(TASK, ADA, "2026-03-02T03:00:00.000Z"),
        _event("ChatPosted", {"userId": ADA}, "2026-03-02T03:30:00.000Z"),  # archived and logged, not projected
        _created(new_ulid(), BOB, "2026-03-02T04:00:00.000Z"),
        _event("XpAwarded", {"userId": ADA, "amount": 15, "totalXp": 15, "reason": "task"},
               "2026-03-02T03:00:01.000Z", actor="engagement"),
    ]


def _live(events: list[tuple[ReceivedEvent, str]]) -> tuple[FakeReadModels, FakeArchive]:
    rows, store = FakeReadModels(), FakeArchive()
    for event, body in events:
        ingest.keep(store, rows, event, body)
        model = CONSUMES.get(event.detail_type)
        if model is not None:
            ingest.project(rows, event, model.model_validate(event.detail.data))
    return rows, store


def test_given_an_event_kept_then_it_is_archived_under_its_day_and_type_and_logged_for_its_owners() -> None:
    rows, store = FakeReadModels(), FakeArchive()
    event, body = _event("FriendRequested", {"userId": BOB}, "2026-03-02T10:00:00.000Z", actor=ADA)

    key = ingest.keep(store, rows, event, body)

    assert key == f"events/dt=2026-03-02/type=FriendRequested/{event.detail.id}.json"
    line = json.loads(store.read(key))
    assert (line["event_id"], line["user_id"], line["body"]) == (event.detail.id, BOB, body)
    log_key = f"LOG#2026-03-02T10:00:00.000Z#{event.detail.id}"
    assert set(rows.items) == {(f"USER#{BOB}", log_key), (f"USER#{ADA}", log_key)}  # the subject and the actor
    assert rows.items[(f"USER#{ADA}", log_key)]["logged"].body == body
    # A service as the actor is nobody's export; the subject alone keeps it
    xp, _ = _event("XpAwarded", {"userId": ADA}, "2026-03-02T10:00:00.000Z", actor="engagement")
    assert archive.owners(xp) == [ADA]
    assert archive.owners(_event("ProfileViewed", {}, "2026-03-02T10:00:00.000Z", actor=ADA)[0]) == [ADA]


def test_given_a_user_settings_then_their_events_land_on_their_local_day_once() -> None:
    stream = _stream()
    rows, _ = _live(stream)
    event, _ = stream[1]

    assert ingest.project(rows, event, feed.TaskCreatedData.model_validate(event.detail.data)) is False  # same id
    assert rows.days(f"USER#{ADA}", date(2026, 3, 1), date(2026, 3, 3)) == [
        DayRow("2026-03-02", {"created": 2, "created@code": 1, "created@study": 1, "completed": 1,
                                      "completed@code": 1, "onTime": 1, "estimated": 1, "estimateMinutes": 30,
                                      "actualMinutes": 40, "xp": 15})]
    assert [(t.task_id, t.category, t.estimateMinutes) for t in rows.open_tasks(ADA)] == [(OTHER, "study", 25)]


def test_given_a_deleted_user_then_a_tombstone_names_them_and_compaction_removes_what_they_did() -> None:
    _, store = _live(_stream())
    ingest.forget(store, feed.UserDeletedData(userId=ADA), "2026-03-03T00:00:00.000Z")
    assert json.loads(store.read(f"deletions/{ADA}.json")) == {"userId": ADA, "deletedAt": "2026-03-03T00:00:00.000Z"}

    done = ingest.compact(store)

    assert (done.users, done.deleted) == (1, 7)  # every event about ada or by her; bob's stays
    assert [json.loads(store.read(k))["user_id"] for k in store.keys("events/")] == [BOB]
    assert list(store.keys("deletions/")) == []
    assert ingest.compact(store) == ingest.Compacted(users=0, deleted=0)


def test_given_an_event_by_a_deleted_user_about_someone_else_then_compaction_removes_it_too() -> None:
    store = FakeArchive()
    event, body = _event("FriendRequested", {"userId": BOB}, "2026-03-02T10:00:00.000Z", actor=ADA)
    ingest.keep(store, FakeReadModels(), event, body)
    ingest.keep(store, FakeReadModels(), *_created(TASK, BOB, "2026-03-02T11:00:00.000Z"))
    ingest.forget(store, feed.UserDeletedData(userId=ADA), "2026-03-03T00:00:00.000Z")

    assert ingest.compact(store) == ingest.Compacted(users=1, deleted=1)
    assert [json.loads(store.read(k))["detail_type"] for k in store.keys("events/")] == ["TaskCreated"]


def test_given_a_shuffled_duplicated_archive_then_the_rebuild_equals_the_live_models() -> None:
    stream = _stream()
    live, store = _live(stream)
    for event, body in stream[3:]:  # delivered twice: the same objects again, and a copy under another key
        store.put(archive.archive_key(event) + ".copy", archive.archive_line(event, body) + "\n")
    bad, bad_body = _event("TaskCreated", {"taskId": "x"}, "2026-03-02T05:00:00.000Z")  # dead-lettered live
    store.put(archive.archive_key(bad), archive.archive_line(bad, bad_body))
    rebuilt = FakeReadModels()
    rebuilt.items[("USER#stale", "DAY#2020-01-01")] = {"created": 9}

    done = ingest.rebuild(rebuilt, store, CONSUMES)

    assert done == ingest.Rebuilt(events=len(stream) + 1, applied=len(stream) - 1, skipped=1)
    bad_log = (f"USER#{ADA}", f"LOG#2026-03-02T05:00:00.000Z#{bad.detail.id}")
    assert {k: v for k, v in rebuilt.items.items() if k != bad_log} == live.items


def test_given_settings_archived_after_activity_then_the_rebuild_applies_settings_first() -> None:
    stream = _stream()
    store = FakeArchive()
    for event, body in [stream[1], stream[0]]:
        store.put(archive.archive_key(event), archive.archive_line(event, body))
    assert [e.detail_type for e, _ in ingest.archived_events(store)] == ["UserRegistered", "TaskCreated"]
    rebuilt = FakeReadModels()
    ingest.rebuild(rebuilt, store, CONSUMES)
    assert [d.day for d in rebuilt.days(f"USER#{ADA}", date(2026, 3, 1), date(2026, 3, 3))] == ["2026-03-02"]


@pytest.mark.parametrize("kind", ["UserRegistered", "UserSettingsChanged"])
def test_given_settings_that_happened_after_activity_then_the_rebuild_still_reads_them_first(kind: str) -> None:
    settings = _event(kind, {"userId": ADA, "email": "a@x.io", "displayName": "A", "timezone": "Asia/Tokyo",
                             "dayStartHour": 0} if kind == "UserRegistered" else
                      {"userId": ADA, "timezone": "Asia/Tokyo", "dayStartHour": 0}, "2026-03-01T21:00:00.000Z")
    store = FakeArchive()
    for event, body in [_created(TASK, ADA, "2026-03-01T20:00:00.000Z"), settings]:
        store.put(archive.archive_key(event), archive.archive_line(event, body))

    assert [e.detail_type for e, _ in ingest.archived_events(store)] == [kind, "TaskCreated"]


NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # 21:00 in Tokyo: ada's day is the 2nd


def test_given_ada_then_her_summary_series_heatmap_and_insights_read_her_local_days() -> None:
    rows, _ = _live(_stream())

    got = reading.summary(rows, ADA, None, None, NOW)
    assert (got.from_, got.to, got.created, got.completed, got.xp) == ("2026-02-01", "2026-03-02", 2, 1, 15)
    series = reading.timeseries(rows, ADA, metric="created", bucket="day", start=date(2026, 3, 1), end=None, now=NOW)
    assert [(p.start, p.value) for p in series.points] == [("2026-03-01", 0), ("2026-03-02", 2)]
    assert reading.heatmap(rows, ADA).completions[0][12] == 1  # Monday 12:00 in Tokyo
    found = reading.user_insights(rows, ADA, NOW)
    assert (found.userId, found.asOf, found.windowDays, found.items) == (ADA, "2026-03-02", 28, [])
    ahead = reading.user_forecast(rows, ADA, "completed", 2, NOW)
    assert [p.day for p in ahead.points] == ["2026-03-02", "2026-03-03"] and ahead.historyDays == 56
    # 56 days up to yesterday, all empty (today's completion is not over): zero, with no band
    assert (ahead.points[0].value, ahead.points[0].upper) == (0.0, 0.0)
    with pytest.raises(ValidationFailed):
        reading.summary(rows, ADA, date(2026, 3, 3), date(2026, 3, 2), NOW)


def test_given_a_project_then_only_a_member_reads_it() -> None:
    rows = FakeReadModels()
    project = new_ulid()
    created, _ = _event("ProjectCreated", {"projectId": project, "name": "P", "ownerId": ADA},
                        "2026-03-01T00:00:00.000Z")
    ingest.project(rows, created, feed.ProjectCreatedData.model_validate(created.detail.data))
    got = reading.project_summary(rows, ADA, project, start=None, end=None, now=NOW)
    assert (got.projectId, got.from_, got.to) == (project, "2026-02-01", "2026-03-02")
    with pytest.raises(NotFound):
        reading.project_summary(rows, BOB, project, start=None, end=None, now=NOW)


def test_given_activity_today_then_active_users_count_each_period() -> None:
    rows, _ = _live(_stream())
    got = reading.active_users(rows, NOW)
    assert (got.day, got.dau, got.wau, got.mau) == ("2026-03-02", 2, 2, 2)


def test_given_ada_then_her_export_holds_her_day_rows_and_her_events_only() -> None:
    stream = _stream()
    rows, _ = _live(stream)

    got = reading.export(rows, ADA, NOW)

    assert got.userId == ADA and [d.day for d in got.days] == ["2026-03-02"]
    mine = sorted((e for e, _ in stream if ADA in archive.owners(e)), key=lambda e: e.detail.occurredAt)
    assert [e.eventId for e in got.events] == [e.detail.id for e in mine] and got.nextCursor is None
    assert got.events[0].event["detail"]["data"]["timezone"] == "Asia/Tokyo"
    text = reading.export_csv(got)
    days, events = text.split("\n\n")
    assert list(csv.reader(io.StringIO(days)))[1][:3] == ["2026-03-02", "2", "1"]
    table = list(csv.reader(io.StringIO(events)))
    assert table[0] == ["event_id", "detail_type", "occurred_at", "event"]
    assert [(r[0], r[1], r[2]) for r in table[1:]] == [(e.eventId, e.detailType, e.occurredAt) for e in got.events]
    assert json.loads(table[1][3]) == got.events[0].event


def test_given_more_events_than_a_page_then_the_cursor_continues_and_refuses_another_users(
        monkeypatch: pytest.MonkeyPatch) -> None:
    rows, _ = _live(_stream())
    monkeypatch.setattr(reading, "EXPORT_EVENTS", 4)
    first = reading.export(rows, ADA, NOW)
    assert len(first.events) == 4 and first.nextCursor is not None and first.days
    second = reading.export(rows, ADA, NOW, first.nextCursor)
    assert second.days == [] and second.nextCursor is None
    assert [e.eventId for e in first.events + second.events] == [e.eventId for e in reading.export(
        rows, ADA, NOW).events] + [e.eventId for e in second.events]
    for key in ({"pk": {"S": f"USER#{BOB}"}, "sk": {"S": "LOG#2026"}},
                {"pk": {"S": f"USER#{ADA}"}, "sk": {"S": "DAY#1"}},
                {"pk": {"S": f"USER#{ADA}"}, "sk": "LOG#2026"},
                {"pk": {"S": f"USER#{ADA}"}, "sk": {"S": "LOG#2026"}, "x": {"S": "1"}}):
        with pytest.raises(BadRequest):
            reading.export(rows, ADA, NOW, encode_cursor(key))


def test_given_last_weeks_active_users_when_the_job_runs_twice_then_each_gets_insights_once() -> None:
    rows, _ = _live(_stream())
    for day in range(3, 9):  # ada completes five more tasks over the week: enough to say something
        for n in range(2):
            task = new_ulid()
            ingest.project(rows, *_projected(_created(task, ADA, f"2026-03-0{day}T01:0{n}:00.000Z")))
            ingest.project(rows, *_projected(_completed(task, ADA, f"2026-03-0{day}T02:0{n}:00.000Z")))
    monday = datetime(2026, 3, 9, 6, 0, tzinfo=UTC)
    assert weekly.last_week(monday) == "WEEK#2026-W10"

    assert weekly.run(rows, monday) == {"users": 2, "published": 1}  # bob has nothing to be told
    assert weekly.run(rows, monday) == {"users": 2, "published": 0}
    (event,) = rows.published
    assert (event.detail_type, event.detail.data["userId"], event.detail.data["asOf"]) == (
        "InsightGenerated", ADA, "2026-03-09")
    kinds = [i["kind"] for i in event.detail.data["insights"]]
    assert "peak_hours" in kinds and "category_balance" in kinds
    kept = json.loads(rows.items[(f"USER#{ADA}", "INSIGHTS")]["insights"])
    assert [i["kind"] for i in kept["items"]] == kinds


def _projected(pair: tuple[ReceivedEvent, str]) -> tuple[ReceivedEvent, Any]:
    event = pair[0]
    return event, CONSUMES[event.detail_type].model_validate(event.detail.data)


def test_given_an_event_then_its_archive_line_is_exactly_the_glue_columns_and_the_body_as_delivered() -> None:
    event, _ = _event("FriendRequested", {"userId": BOB, "note": "café"}, "2026-03-02T10:00:00.000Z", actor=ADA)
    body = json.dumps(flows.bus_body(event), ensure_ascii=False)  # as delivered: UTF-8, not escaped

    line = archive.archive_line(event, body)

    assert line == ('{"event_id":"' + event.detail.id + '","detail_type":"FriendRequested","source":"deepiri.tasks",'
                    '"occurred_at":"2026-03-02T10:00:00.000Z","user_id":"' + BOB + '","body":'
                    + json.dumps(body, ensure_ascii=False) + "}\n")
    assert archive.tombstone_key(ADA) == f"deletions/{ADA}.json"
    assert archive.log_key(event) == f"LOG#2026-03-02T10:00:00.000Z#{event.detail.id}"
    nobody, _ = _event("ProfileViewed", {"userId": ""}, "2026-03-02T10:00:00.000Z", actor=ADA)
    assert archive.subject(nobody) == ADA  # an empty userId is nobody: the actor is the subject
    assert archive.subject(_event("ProfileViewed", {"userId": 7}, "2026-03-02T10:00:00.000Z", actor=ADA)[0]) == ADA


def _rows_with(days: dict[str, dict[str, int]], user: str = ADA) -> FakeReadModels:
    rows = FakeReadModels()
    for day, counts in days.items():
        rows.items[(f"USER#{user}", f"DAY#{day}")] = dict(counts)
    return rows


def test_given_explicit_windows_then_series_by_week_and_project_days_follow_them() -> None:
    rows = _rows_with({"2026-02-23": {"created": 1}, "2026-03-01": {"created": 2}, "2026-03-02": {"created": 4}})
    weeks = reading.timeseries(rows, ADA, metric="created", bucket="week", start=date(2026, 2, 24),
                               end=date(2026, 3, 2), now=NOW)
    assert (weeks.metric, weeks.bucket) == ("created", "week")
    assert [(p.start, p.value) for p in weeks.points] == [("2026-02-23", 2), ("2026-03-02", 4)]
    project = new_ulid()
    rows.items[(f"PROJECT#{project}", f"MEMBER#{ADA}")] = {"member": True}
    rows.items[(f"PROJECT#{project}", "DAY#2026-02-27")] = {"completed": 3}
    got = reading.project_summary(rows, ADA, project, start=date(2026, 2, 27), end=date(2026, 2, 28), now=NOW)
    assert (got.from_, got.to, got.completed, got.throughputPerDay) == ("2026-02-27", "2026-02-28", 3, 1.5)


def test_given_days_at_the_edges_then_insights_read_28_and_the_forecast_56_days_up_to_yesterday() -> None:
    # Tokyo's day at NOW is 2026-03-02: the insight window is 02-03..03-02, the forecast's 01-05..03-01
    rows = _rows_with({"2026-02-02": {"overdue": 5}, "2026-02-03": {"overdue": 1, "completed": 1}})
    rows.items[(f"USER#{ADA}", "PROFILE")] = {"order": "0", "timezone": "Asia/Tokyo", "dayStartHour": 0}
    (found,) = reading.user_insights(rows, ADA, NOW).items
    assert found.kind == "overdue" and found.figures["overdue"] == 1
    history = {f"2026-01-{d:02d}": {"completed": 7} for d in range(5, 32)}
    history |= {f"2026-02-{d:02d}": {"completed": 7} for d in range(1, 29)} | {"2026-03-01": {"completed": 7}}
    history |= {"2026-01-04": {"completed": 700}, "2026-03-02": {"completed": 700}}  # outside: left out
    rows = _rows_with(history)
    rows.items[(f"USER#{ADA}", "PROFILE")] = {"order": "0", "timezone": "Asia/Tokyo", "dayStartHour": 0}
    ahead = reading.user_forecast(rows, ADA, "completed", 3, NOW)
    assert ahead.method == "Holt-Winters (additive, weekly season, damped trend)" and ahead.metric == "completed"
    assert [(p.day, p.value, p.lower, p.upper) for p in ahead.points] == [
        ("2026-03-02", 7.0, 7.0, 7.0), ("2026-03-03", 7.0, 7.0, 7.0), ("2026-03-04", 7.0, 7.0, 7.0)]


def test_given_logged_events_around_the_years_edge_then_the_export_keeps_those_of_the_year() -> None:
    rows = FakeReadModels()
    for at in ("2025-02-28T23:59:59.000Z", "2025-03-01T00:00:00.000Z", "2026-03-02T11:00:00.000Z"):
        event, body = _event("ProfileViewed", {"userId": ADA}, at)
        ingest.log(rows, event, body)
    # The year's first local day is 2025-03-02 (366 days to 2026-03-02); the log is read from the UTC day
    # before it, so that it holds that day in every timezone
    got = reading.export(rows, ADA, NOW)
    assert [e.occurredAt for e in got.events] == ["2025-03-01T00:00:00.000Z", "2026-03-02T11:00:00.000Z"]
    assert reading.export_csv(got).splitlines()[:3] == [
        "day,created,completed,onTime,late,overdue,focusMinutes,timers,estimated,estimateMinutes,actualMinutes,xp,"
        "challengesStarted,challengesCompleted", "", "event_id,detail_type,occurred_at,event"]


LATE_UTC = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)  # 03:00 on the 3rd in Tokyo, still the 2nd in UTC


def _tokyo(days: dict[str, dict[str, int]]) -> FakeReadModels:
    rows = _rows_with(days)
    rows.items[(f"USER#{ADA}", "PROFILE")] = {"order": "0", "timezone": "Asia/Tokyo", "dayStartHour": 0}
    rows.items[(f"USER#{ADA}", "STREAK")] = {"order": "0", "days": 4, "longest": 9}
    return rows


def test_given_a_user_ahead_of_utc_then_every_report_ends_on_their_day_not_after() -> None:
    rows = _tokyo({"2026-03-03": {"created": 1, "completed": 1}, "2026-03-04": {"created": 50, "overdue": 50}})
    got = reading.summary(rows, ADA, None, None, LATE_UTC)
    assert (got.to, got.created, got.streak.days, got.streak.longest) == ("2026-03-03", 1, 4, 9)
    series = reading.timeseries(rows, ADA, metric="created", bucket="day", start=date(2026, 3, 3), end=None,
                                now=LATE_UTC)
    assert [(p.start, p.value) for p in series.points] == [("2026-03-03", 1)]
    late = OpenTask("T", status="todo", dueAt="2026-03-02T17:00:00.000Z")
    rows.items[(f"USER#{ADA}", "OPEN#T")] = {"status": "todo", "dueAt": late.dueAt}
    found = reading.user_insights(rows, ADA, LATE_UTC)
    assert found.asOf == "2026-03-03"
    assert [(i.kind, i.figures.get("overdueNow")) for i in found.items] == [("overdue_risk", 1)]
    export = reading.export(rows, ADA, LATE_UTC)
    assert [d.day for d in export.days] == ["2026-03-03"]


def test_given_days_outside_a_projects_window_then_its_summary_leaves_them_out() -> None:
    rows, project = FakeReadModels(), new_ulid()
    rows.items[(f"PROJECT#{project}", f"MEMBER#{ADA}")] = {"member": True}
    for day, done in (("2026-02-26", 100), ("2026-02-27", 3), ("2026-03-01", 100)):
        rows.items[(f"PROJECT#{project}", f"DAY#{day}")] = {"completed": done}
    got = reading.project_summary(rows, ADA, project, start=date(2026, 2, 27), end=date(2026, 2, 28), now=NOW)
    assert got.completed == 3
    with pytest.raises(NotFound, match=r"^project not found$"):
        reading.project_summary(rows, BOB, project, start=None, end=None, now=NOW)
    with pytest.raises(BadRequest, match=r"^invalid cursor$"):
        reading.export(rows, ADA, NOW, encode_cursor({"pk": {"S": f"USER#{BOB}"}, "sk": {"S": "LOG#1"}}))


def test_given_yesterday_differs_then_the_forecast_reads_it_and_nothing_later() -> None:
    history = {f"2026-01-{d:02d}": {"completed": 3} for d in range(5, 32)}
    history |= {f"2026-02-{d:02d}": {"completed": 3} for d in range(1, 29)} | {"2026-03-01": {"completed": 9}}
    history |= {"2026-01-04": {"completed": 90}, "2026-03-02": {"completed": 90}}
    rows = _tokyo(history)
    ahead = reading.user_forecast(rows, ADA, "completed", 2, NOW)
    expected = forecast.holt_winters([3.0] * 55 + [9.0], 2)
    assert [(p.value, p.lower, p.upper) for p in ahead.points] == [(b.value, b.lower, b.upper) for b in expected]


def test_given_missing_counters_and_unicode_then_the_csv_has_zeros_and_the_event_verbatim() -> None:
    rows = _rows_with({"2026-03-02": {"xp": 5}})
    event, _ = _event("ProfileViewed", {"userId": ADA, "note": "café"}, "2026-03-02T10:00:00.000Z")
    ingest.log(rows, event, json.dumps(flows.bus_body(event), ensure_ascii=False))
    table = list(csv.reader(io.StringIO(reading.export_csv(reading.export(rows, ADA, NOW)))))
    assert table[1] == ["2026-03-02", *["0"] * 10, "5", "0", "0"]
    assert table[4][3] == json.dumps(flows.bus_body(event), separators=(",", ":"), ensure_ascii=False)


def test_given_settings_at_the_same_instant_then_the_larger_event_id_wins_whatever_the_order() -> None:
    rows = FakeReadModels()
    at = "2026-03-02T10:00:00.000Z"
    first, second = sorted((_event("UserSettingsChanged", {"userId": ADA, "timezone": zone, "dayStartHour": 0}, at)[0]
                            for zone in ("Asia/Tokyo", "Europe/Paris")), key=lambda e: e.detail.id)
    for event in (first, second):  # the smaller id first: the larger must still win
        ingest.project(rows, event, feed.DaySettingsData.model_validate(event.detail.data))
    assert rows.day_settings(ADA).timezone == second.detail.data["timezone"]


def test_given_malformed_events_early_in_the_archive_then_the_rebuild_skips_each_and_goes_on() -> None:
    stream = _stream()
    _, store = _live(stream)
    for n in range(2):
        bad, bad_body = _event("TaskCreated", {"taskId": f"x{n}"}, f"2026-03-01T00:00:0{n + 1}.000Z")
        store.put(archive.archive_key(bad), archive.archive_line(bad, bad_body))
    rebuilt = FakeReadModels()
    assert ingest.rebuild(rebuilt, store, CONSUMES) == ingest.Rebuilt(events=len(stream) + 2,
                                                                      applied=len(stream) - 1, skipped=2)


def test_given_two_users_with_something_to_say_then_the_job_counts_both_and_signs_as_analytics() -> None:
    rows = FakeReadModels()
    for user in (ADA, BOB):
        for day in range(2, 9):
            task = new_ulid()
            ingest.project(rows, *_projected(_created(task, user, f"2026-03-0{day}T01:00:00.000Z")))
            ingest.project(rows, *_projected(_completed(task, user, f"2026-03-0{day}T02:00:00.000Z")))
    assert weekly.run(rows, datetime(2026, 3, 9, 6, 0, tzinfo=UTC)) == {"users": 2, "published": 2}
    assert {e.detail.actor for e in rows.published} == {"analytics"}
    assert rows.items[(f"USER#{BOB}", "INSIGHTS")]["asOf"] == "2026-03-09"


def test_given_a_user_ahead_of_utc_with_a_streak_then_insights_and_forecast_use_their_own_day_and_streak() -> None:
    rows = _tokyo({"2026-03-02": {"completed": 1}})  # done yesterday in Tokyo, nothing yet on the 3rd
    (risk,) = reading.user_insights(rows, ADA, LATE_UTC).items
    assert (risk.kind, risk.figures) == ("streak_at_risk", {"days": 4, "completedToday": 0})
    assert [p.day for p in reading.user_forecast(rows, ADA, "completed", 1, LATE_UTC).points] == ["2026-03-03"]


class BoundsRecorded(FakeReadModels):
    """Read models that keep the bounds of every day-row Query (a Query without its upper bound reads more)."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[tuple[date, date]] = []

    def days(self, owner: str, first: date, last: date) -> list[DayRow]:
        self.asked.append((first, last))
        return super().days(owner, first, last)


def test_given_a_window_that_ends_before_today_then_summary_and_series_read_and_report_only_it() -> None:
    rows = BoundsRecorded()
    for day, created in {"2026-02-20": 1, "2026-02-21": 2, "2026-02-22": 4, "2026-03-01": 8}.items():
        rows.items[(f"USER#{ADA}", f"DAY#{day}")] = {"created": created}

    got = reading.summary(rows, ADA, date(2026, 2, 21), date(2026, 2, 22), NOW)
    series = reading.timeseries(rows, ADA, metric="created", bucket="day", start=date(2026, 2, 21),
                                end=date(2026, 2, 22), now=NOW)

    assert (got.from_, got.to, got.created) == ("2026-02-21", "2026-02-22", 6)
    assert [(p.start, p.value) for p in series.points] == [("2026-02-21", 2), ("2026-02-22", 4)]
    assert rows.asked == [(date(2026, 2, 21), date(2026, 2, 22))] * 2


def test_given_a_forecast_then_it_reads_the_56_days_up_to_yesterday_and_no_later() -> None:
    rows = BoundsRecorded()

    reading.user_forecast(rows, ADA, "completed", 2, NOW)  # ada's day is the 2nd of March

    assert rows.asked == [(date(2026, 1, 5), date(2026, 3, 1))]


def test_given_an_export_then_its_events_are_read_a_thousand_at_a_time_from_the_day_before_the_year() -> None:
    asked: list[tuple[str, str, int]] = []
    rows = FakeReadModels()
    logged = rows.logged
    rows.logged = lambda user, first, last, limit, start: (  # type: ignore[method-assign]
        asked.append((first, last, limit)) or logged(user, first, last, limit, start))

    reading.export(rows, ADA, NOW)

    assert asked == [("LOG#2025-03-01", "LOG#~", 1000)]  # the year is 2025-03-03 to 2026-03-02


def test_given_an_event_that_names_no_user_then_nobody_s_day_settings_are_read() -> None:
    rows, asked = FakeReadModels(), []
    settings_of = rows.day_settings
    rows.day_settings = lambda user: asked.append(user) or settings_of(user)  # type: ignore[method-assign]
    event, _ = _event("ProjectCreated", {"projectId": "P", "ownerId": ADA}, "2026-03-02T00:00:00.000Z")

    assert ingest.project(rows, event, feed.ProjectCreatedData(projectId="P", ownerId=ADA)) is True
    assert asked == []


def test_given_a_user_with_nothing_to_say_listed_first_then_the_next_user_still_gets_insights() -> None:
    quiet, talker = "01H0000000000000000000000Q", "01JZZZZZZZZZZZZZZZZZZZZZZZ"  # the quiet one sorts first
    rows = FakeReadModels()
    ingest.project(rows, *_projected(_created(new_ulid(), quiet, "2026-03-03T01:00:00.000Z")))
    for day in range(2, 9):
        task = new_ulid()
        ingest.project(rows, *_projected(_created(task, talker, f"2026-03-0{day}T01:00:00.000Z")))
        ingest.project(rows, *_projected(_completed(task, talker, f"2026-03-0{day}T02:00:00.000Z")))

    assert weekly.run(rows, datetime(2026, 3, 9, 6, 0, tzinfo=UTC)) == {"users": 2, "published": 1}
    assert [e.detail.data["userId"] for e in rows.published] == [talker]

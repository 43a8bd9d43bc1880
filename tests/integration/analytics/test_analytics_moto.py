"""The analytics service in-process against moto: every event archived once on S3, the read models built
from a duplicated, shuffled stream, the reports each user sees, and a rebuild from the archive alone
that equals the live read models."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import boto3
import pytest

from deepiri_analytics import wiring
from deepiri_analytics.dal.readmodels import ReadModels
from deepiri_analytics.handlers import api, consumers, jobs
from deepiri_analytics.logic import reading
from deepiri_analytics.models.rows import OpenTask
from deepiri_common.events import DomainEvent
from deepiri_common.ids import new_ulid
from deepiri_common.outbox import outbox_events
from tests.support import flows, template
from tests.support.apigw import rest_event
from tests.support.lambda_context import FakeLambdaContext

PROJECT = new_ulid(int(datetime(2026, 3, 1, 9, 0, tzinfo=UTC).timestamp() * 1000))
TASK = new_ulid(int(datetime(2026, 3, 1, 9, 30, tzinfo=UTC).timestamp() * 1000))
OPEN_TASK = new_ulid(int(datetime(2026, 3, 1, 23, 30, tzinfo=UTC).timestamp() * 1000))


@pytest.fixture
def analytics(aws: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    with template.deployed(monkeypatch, wiring.reset, EVENT_BUS_NAME="EventBus", ANALYTICS_TABLE="AnalyticsTable",
                           ARCHIVE_BUCKET="AnalyticsArchiveBucket",
                           DEAD_LETTER_QUEUE_URL="AnalyticsEvents.DeadLetterQueue",
                           IDEMPOTENCY_TABLE="IdempotencyTable") as created:
        yield created


def _event(service: str, kind: str, data: dict[str, Any], at: str, actor: str = "ada") -> DomainEvent:
    event = DomainEvent.new(service, kind, data, actor=actor)
    return event.model_copy(update={"detail": event.detail.model_copy(update={"occurredAt": at})})


def _stream() -> list[DomainEvent]:
    """Ada (Paris) plans, times and finishes work in a project; Bob creates a task; a chat message is archived only."""
    return [
        _event("users", "UserRegistered", {"userId": "ada", "email": "a@x.io", "displayName": "Ada",
                                           "timezone": "Europe/Paris", "dayStartHour": 0}, "2026-03-01T08:00:00.000Z"),
        _event("tasks", "ProjectCreated", {"projectId": PROJECT, "name": "P", "ownerId": "ada"},
               "2026-03-01T09:00:00.000Z"),
        _event("tasks", "TaskCreated", {"taskId": TASK, "userId": "ada", "ownerId": "ada", "projectId": PROJECT,
                                        "title": "t", "status": "todo", "priority": "medium", "difficulty": "easy",
                                        "category": "code", "assigneeIds": [], "dueAt": None, "source": "manual",
                                        "estimateMinutes": 30},
               "2026-03-01T09:30:00.000Z"),
        _event("tasks", "TaskCreated", {"taskId": OPEN_TASK, "userId": "ada", "ownerId": "ada", "projectId": None,
                                        "title": "u", "status": "todo", "priority": "medium", "difficulty": "easy",
                                        "category": "code", "assigneeIds": [], "dueAt": None, "source": "manual",
                                        "estimateMinutes": 25},  # then 40: the later TaskUpdated wins
               "2026-03-01T23:30:00.000Z"),  # 00:30 on the 2nd in Paris
        _event("tasks", "TaskUpdated", {"taskId": OPEN_TASK, "changed": ["estimateMinutes", "category"],
                                        "values": {"estimateMinutes": 40, "category": "study"}, "ownerId": "ada",
                                        "projectId": None, "assigneeIds": [], "userId": "ada"},
               "2026-03-02T08:00:00.000Z"),
        _event("tasks", "TaskUpdated", {"taskId": TASK, "changed": ["dueAt"],
                                        "values": {"dueAt": "2026-03-09T00:00:00Z"}, "ownerId": "ada",
                                        "projectId": PROJECT, "assigneeIds": [], "userId": "ada"},
               "2026-03-02T08:30:00.000Z"),  # before the completion: the completion closes the task all the same
        _event("challenges", "ChallengeStarted", {"challengeId": "C1", "userId": "ada", "taskId": TASK,
                                                  "type": "focus_sprint", "startedAt": "2026-03-02T08:45:00.000Z",
                                                  "expiresAt": "2026-03-02T10:45:00.000Z"}, "2026-03-02T08:45:00.000Z"),
        _event("challenges", "ChallengeCompleted", {"challengeId": "C1", "userId": "ada", "pointsReward": 10,
                                                    "bonusMultiplier": 1, "taskId": TASK, "difficulty": "easy",
                                                    "completedAt": "2026-03-02T09:31:00.000Z", "type": "focus_sprint",
                                                    "score": 100}, "2026-03-02T09:31:00.000Z"),
        _event("tasks", "TimerStopped", {"taskId": TASK, "userId": "ada", "minutes": 25,
                                         "startedAt": "2026-03-02T09:00:00.000Z",
                                         "stoppedAt": "2026-03-02T09:25:00.000Z"}, "2026-03-02T09:25:00.000Z"),
        _event("tasks", "TaskCompleted", {"taskId": TASK, "userId": "ada", "actorId": "ada", "projectId": PROJECT,
                                          "category": "code", "difficulty": "easy", "priority": "medium",
                                          "efficiency": 100.0, "onTime": True, "estimateMinutes": 30,
                                          "actualMinutes": 25, "firstCompletion": True,
                                          "completedAt": "2026-03-02T09:30:00.000Z"}, "2026-03-02T09:30:01.000Z"),
        _event("engagement", "XpAwarded", {"userId": "ada", "amount": 20, "totalXp": 20, "reason": "task"},
               "2026-03-02T09:30:02.000Z"),
        _event("tasks", "TaskCreated", {"taskId": new_ulid(), "userId": "bob", "ownerId": "bob", "projectId": None,
                                        "title": "b", "status": "todo", "priority": "medium", "difficulty": "easy",
                                        "category": "code", "assigneeIds": [], "dueAt": None, "source": "manual"},
               "2026-03-02T10:00:00.000Z", actor="bob"),
        _event("realtime", "PresenceUpdated", {"userId": "ada", "status": "online"}, "2026-03-02T10:01:00.000Z"),
    ]


def _deliver(events: list[DomainEvent]) -> None:
    for start in range(0, len(events), 10):
        batch = flows.sqs_of_events(*events[start:start + 10])
        assert consumers.handler(batch, FakeLambdaContext()) == {"batchItemFailures": []}


def _get(path: str, user: str, query: dict[str, str] | None = None, resource: str | None = None,
         params: dict[str, str] | None = None, roles: str = "user") -> tuple[int, Any, str]:
    event = rest_event("GET", path, authorizer={"userId": user, "roles": roles}, query=query, resource=resource,
                       path_params=params)
    response = api.handler(event, FakeLambdaContext())
    body = response["body"]
    headers = {**{k: v[0] for k, v in (response.get("multiValueHeaders") or {}).items()},
               **(response.get("headers") or {})}
    kind = headers.get("Content-Type", "")
    return response["statusCode"], (json.loads(body) if body and "json" in kind else body), kind


def _rows() -> list[dict[str, Any]]:
    return sorted((dict(row) for row in wiring.read_models().rows()), key=lambda r: (r["pk"], r["sk"]))


def test_given_a_duplicated_shuffled_stream_then_each_event_is_archived_once_unchanged(analytics) -> None:
    stream = _stream()
    _deliver(stream[:1])  # a user registers before acting
    rest = stream[1:] * 2
    random.Random(7).shuffle(rest)
    _deliver(rest)

    s3 = boto3.client("s3", region_name=template.REGION)
    bucket = analytics["AnalyticsArchiveBucket"]
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"])
    assert len(keys) == len(stream)
    completed = next(e for e in stream if e.detail_type == "TaskCompleted")
    key = f"events/dt=2026-03-02/type=TaskCompleted/{completed.id}.json"
    assert key in keys
    line = json.loads(s3.get_object(Bucket=bucket, Key=key)["Body"].read())
    assert (line["event_id"], line["detail_type"], line["user_id"], line["source"]) == (
        completed.id, "TaskCompleted", "ada", "deepiri.tasks")
    assert json.loads(line["body"]) == flows.bus_body(completed, json.loads(line["body"])["id"])


def test_given_ada_and_bob_then_each_sees_exact_figures_of_their_own_only(analytics) -> None:
    stream = _stream()
    _deliver(stream[:1])
    _deliver(list(reversed(stream[1:])) + stream[1:])  # out of order, and every event twice

    status, summary, _ = _get("/api/analytics/me/summary", "ada", {"from": "2026-03-01", "to": "2026-03-07"})
    assert status == 200
    assert {k: summary[k] for k in ("created", "completed", "onTime", "late", "onTimeRate", "focusMinutes",
                                    "estimateMinutes", "actualMinutes", "efficiency", "xp", "activeDays",
                                    "challengesStarted", "challengesCompleted")} == {
        "created": 2, "completed": 1, "onTime": 1, "late": 0, "onTimeRate": 1.0, "focusMinutes": 25,
        "estimateMinutes": 30, "actualMinutes": 25, "efficiency": 100.0, "xp": 20, "activeDays": 1,
        "challengesStarted": 1, "challengesCompleted": 1}
    # The completed task's row is gone; the open one has its category and estimate from the later TaskUpdated
    assert wiring.read_models().open_tasks("ada") == [OpenTask(OPEN_TASK, status="todo", category="study",
                                                               estimateMinutes=40)]

    status, series, _ = _get("/api/analytics/me/timeseries", "ada",
                             {"metric": "created", "bucket": "day", "from": "2026-03-01", "to": "2026-03-03"})
    assert status == 200 and [(p["start"], p["value"]) for p in series["points"]] == [
        ("2026-03-01", 1), ("2026-03-02", 1), ("2026-03-03", 0)]  # 23:30Z on the 1st is the 2nd in Paris

    status, heat, _ = _get("/api/analytics/me/heatmap", "ada")
    assert status == 200 and heat["completions"][0][10] == 1 and heat["focusMinutes"][0][10] == 25
    assert sum(map(sum, heat["completions"])) == 1

    bob = _get("/api/analytics/me/summary", "bob", {"from": "2026-03-01", "to": "2026-03-07"})[1]
    assert (bob["created"], bob["completed"], bob["xp"]) == (1, 0, 0)

    resource = "/api/analytics/projects/{id}/summary"
    path = f"/api/analytics/projects/{PROJECT}/summary"
    window = {"from": "2026-03-01", "to": "2026-03-02"}
    status, project, _ = _get(path, "ada", window, resource, {"id": PROJECT})
    assert status == 200 and (project["created"], project["completed"], project["meanCycleHours"]) == (1, 1, 24.0)
    assert _get(path, "bob", window, resource, {"id": PROJECT})[0] == 404

    status, export, _ = _get("/api/analytics/me/export", "bob", {"format": "json"})
    assert status == 200 and export["userId"] == "bob"
    assert [d["counts"] for d in export["days"]] == [{"created": 1, "created@code": 1}]
    bobs = [e for e in stream if e.detail.actor == "bob"]
    assert [(e["eventId"], e["event"]["detail"]["data"]) for e in export["events"]] == [
        (e.id, e.detail.data) for e in bobs] and export["nextCursor"] is None
    status, text, kind = _get("/api/analytics/me/export", "ada", {"format": "csv"})
    assert status == 200 and kind.startswith("text/csv")
    days, events = text.split("\n\n")
    assert days.splitlines()[0].startswith("day,created,completed") and len(days.splitlines()) == 3
    adas = sorted((e for e in stream if e.detail.actor == "ada"), key=lambda e: e.detail.occurredAt)
    assert [line.split(",")[:2] for line in events.splitlines()[1:]] == [[e.id, e.detail_type] for e in adas]


def test_given_live_read_models_then_a_rebuild_from_the_archive_alone_equals_them(analytics) -> None:
    stream = _stream()
    _deliver(stream[:1])
    shuffled = stream[1:] * 2
    random.Random(3).shuffle(shuffled)
    _deliver(shuffled)
    live = _rows()
    assert any(row["sk"] == "HEATMAP" for row in live)

    answer = jobs.rebuild({}, FakeLambdaContext())

    assert answer == {"events": len(stream), "applied": len(stream) - 1, "skipped": 0}  # presence: archive only
    assert _rows() == live


def test_given_a_deleted_user_then_their_read_models_go_and_a_tombstone_marks_their_events(analytics) -> None:
    stream = _stream()
    _deliver(stream)
    _deliver([_event("users", "UserDeleted", {"userId": "ada"}, "2026-03-03T00:00:00.000Z")])

    assert [r for r in _rows() if r["pk"] == "USER#ada"] == []
    assert any(r["pk"] == "USER#bob" for r in _rows())
    s3 = boto3.client("s3", region_name=template.REGION)
    bucket = analytics["AnalyticsArchiveBucket"]
    body = s3.get_object(Bucket=bucket, Key="deletions/ada.json")["Body"].read()
    assert json.loads(body)["userId"] == "ada"

    # When the compaction job runs, then every archived event about ada goes, bob's stay, and so does the
    # tombstone: a second run finds nothing to do
    assert jobs.compaction({}, FakeLambdaContext()) == {"users": 1, "deleted": len(stream)}
    left = [json.loads(s3.get_object(Bucket=bucket, Key=o["Key"])["Body"].read())["user_id"]
            for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert left == ["bob"]
    assert jobs.compaction({}, FakeLambdaContext()) == {"users": 0, "deleted": 0}


def test_given_a_non_admin_then_admin_views_are_403_and_an_admin_sees_active_users(analytics) -> None:
    assert _get("/api/analytics/admin/active-users", "ada")[0] == 403
    assert _get("/api/analytics/admin/cohorts", "ada")[0] == 403
    status, body, _ = _get("/api/analytics/admin/active-users", "root", roles="user,admin")
    assert status == 200 and body["dau"] == 0


def test_given_ada_active_last_week_when_the_weekly_job_runs_twice_then_one_insight_event_is_published(
        analytics, monkeypatch: pytest.MonkeyPatch) -> None:
    _deliver(_stream())
    now = datetime(2026, 3, 9, 6, 0, tzinfo=UTC)  # the Monday after ada's week
    monkeypatch.setattr(api, "utc_now", lambda: now)

    status, found, _ = _get("/api/analytics/me/insights", "ada")
    assert status == 200 and found["asOf"] == "2026-03-09" and found["windowDays"] == 28
    assert [i["kind"] for i in found["items"]] == []  # one completion is too little to say anything

    first = jobs.weekly_insights({"at": "2026-03-09T06:00:00Z"}, FakeLambdaContext())
    assert first == {"users": 2, "published": 0}  # nothing worth saying yet: nothing published

    more = [_event("tasks", "TaskOverdue", {"taskId": TASK, "userId": "ada", "dueAt": "2026-03-05T09:00:00.000Z",
                                            "title": "t"}, "2026-03-05T09:00:00.000Z")]
    _deliver(more)
    assert jobs.weekly_insights({"at": "2026-03-09T06:00:00Z"}, FakeLambdaContext()) == {"users": 2, "published": 1}
    assert jobs.weekly_insights({"at": "2026-03-09T06:00:00Z"}, FakeLambdaContext()) == {"users": 2, "published": 0}
    published = outbox_events(flows.stream_event(analytics["AnalyticsTable"])["Records"])
    assert [(e.detail_type, e.detail.data["userId"], [i["kind"] for i in e.detail.data["insights"]])
            for e in published] == [("InsightGenerated", "ada", ["overdue"])]

    status, ahead, _ = _get("/api/analytics/me/forecast", "ada", {"metric": "focusMinutes", "days": "3"})
    assert status == 200 and [p["day"] for p in ahead["points"]] == ["2026-03-09", "2026-03-10", "2026-03-11"]
    assert all(p["lower"] <= p["value"] <= p["upper"] for p in ahead["points"])
    assert _get("/api/analytics/me/forecast", "ada", {"days": "15"})[0] == 422


def _scanned_by_summary(days_of_history: int) -> int:
    """Items DynamoDB read to answer a 30-day summary for a user with ``days_of_history`` days of rows."""
    table = template.physical_name("AnalyticsTable")
    client = boto3.client("dynamodb", region_name=template.REGION)
    user, last = f"u{days_of_history}", date(2026, 3, 31)
    for n in range(days_of_history):
        client.put_item(TableName=table, Item={"pk": {"S": f"USER#{user}"}, "sk": {"S": f"DAY#{last - timedelta(n)}"},
                                               "completed": {"N": "1"}})
    scanned: list[int] = []
    client.meta.events.register("after-call.dynamodb.Query",
                                lambda parsed, **_: scanned.append(int(parsed.get("ScannedCount", 0))))
    summary = reading.summary(ReadModels(table, client), user, date(2026, 3, 2), last,
                              datetime(2026, 3, 31, 12, tzinfo=UTC))
    assert summary.completed == 30
    return sum(scanned)


def test_given_thirty_days_or_two_years_of_history_then_a_thirty_day_summary_reads_the_same_thirty_rows(
        analytics) -> None:
    assert _scanned_by_summary(30) == _scanned_by_summary(730) == 30

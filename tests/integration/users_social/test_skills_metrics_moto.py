"""Skill XP from TaskCompleted and the user time series, in-process against moto."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from deepiri_common.clock import to_iso
from deepiri_common.events import DomainEvent
from deepiri_users import wiring
from deepiri_users.handlers import metrics, skills, skills_consumer
from tests.support import flows, template
from tests.support.apigw import rest_event
from tests.support.lambda_context import FakeLambdaContext


@pytest.fixture
def users(aws, monkeypatch) -> dict[str, str]:
    with template.deployed(monkeypatch, wiring.reset, EVENT_BUS_NAME="EventBus", USERS_TABLE="UsersTable",
                           DEAD_LETTER_QUEUE_URL="UsersEvents.DeadLetterQueue",
                           IDEMPOTENCY_TABLE="IdempotencyTable") as created:
        yield created


def _task_completed(user: str = "alice", **overrides: Any) -> DomainEvent:
    data = {"taskId": "t1", "userId": user, "category": "code", "difficulty": "epic", "priority": "high",
            "efficiency": 0.9, "onTime": True, "firstCompletion": True, **overrides}
    return DomainEvent.new("tasks", "TaskCompleted", data, actor=user)


def _skills(user: str) -> dict[str, Any]:
    event = rest_event("GET", "/api/users/me/skills", authorizer={"userId": user, "roles": "user"})
    response = skills.handler(event, FakeLambdaContext())
    assert response["statusCode"] == 200
    return json.loads(response["body"])


def _xp(tree: dict[str, Any]) -> dict[str, int]:
    return {s["skill"]: s["xp"] for s in tree["skills"] if s["xp"]}


def test_given_a_task_completed_twice_and_again_after_idempotency_expired_then_xp_counted_once(
    users, monkeypatch,
) -> None:
    event = _task_completed()
    # When the same event arrives twice in a batch, and once more in a later batch
    assert skills_consumer.handler(flows.sqs_of_events(event, event), FakeLambdaContext()) == {"batchItemFailures": []}
    assert skills_consumer.handler(flows.sqs_of_events(event), FakeLambdaContext()) == {"batchItemFailures": []}
    # And once more when the idempotency records are gone (a fresh idempotency table)
    fresh = "deepiri-test-idempotency-fresh"
    boto3.client("dynamodb", region_name=template.REGION).create_table(
        TableName=fresh, BillingMode="PAY_PER_REQUEST", AttributeDefinitions=[{"AttributeName": "id",
        "AttributeType": "S"}], KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    monkeypatch.setattr(skills_consumer, "handler", skills_consumer.make_event_consumer(
        skills_consumer.credit_skills, consumes=skills_consumer.CONSUMES, idempotency_table=fresh,
        service="users-skills"))
    assert skills_consumer.handler(flows.sqs_of_events(event), FakeLambdaContext()) == {"batchItemFailures": []}
    # Then the epic on-time code task (220 xp) was split once over coding, debugging, codeReview
    tree = _skills("alice")
    assert _xp(tree) == {"coding": 74, "debugging": 73, "codeReview": 73}
    assert tree["totalXp"] == 220 and tree["skillPoints"] == 0 and len(tree["skills"]) == 22


def test_given_a_re_completion_or_another_event_type_then_no_xp(users) -> None:
    events = (_task_completed(firstCompletion=False),
              DomainEvent.new("tasks", "TaskCreated", {"taskId": "t", "userId": "alice"}, actor="alice"))
    assert skills_consumer.handler(flows.sqs_of_events(*events), FakeLambdaContext()) == {"batchItemFailures": []}
    assert _skills("alice")["totalXp"] == 0


def test_given_enough_tasks_to_level_then_levels_and_points_show(users) -> None:
    batch = [_task_completed(category="writing", difficulty="epic", onTime=False) for _ in range(10)]
    assert skills_consumer.handler(flows.sqs_of_events(*batch), FakeLambdaContext()) == {"batchItemFailures": []}
    tree = {s["skill"]: s for s in _skills("alice")["skills"]}
    assert tree["writing"]["xp"] == 1000 and tree["writing"]["level"] == 2
    assert tree["writing"]["xpToNextLevel"] == 1000 and tree["communication"]["level"] == 2
    assert _skills("alice")["skillPoints"] == 2


def test_given_a_malformed_task_event_then_it_is_dead_lettered_at_once_with_its_reason(users) -> None:
    good, bad = _task_completed(), _task_completed(category="juggling")
    result = skills_consumer.handler(flows.sqs_of_events(good, bad), FakeLambdaContext())
    # Then nothing is left to retry: the bad record sits in the users DLQ, saying why
    assert result == {"batchItemFailures": []}
    assert _skills("alice")["totalXp"] == 220
    sqs = boto3.client("sqs", region_name=template.REGION)
    (message,) = sqs.receive_message(QueueUrl=users["UsersEvents.DeadLetterQueue"],
                                     MessageAttributeNames=["All"])["Messages"]
    reason = message["MessageAttributes"]["deadLetterReason"]["StringValue"]
    assert reason.startswith("TaskCompleted rejected by TaskCompletedData: data.category: Input should be")
    assert json.loads(message["Body"])["detail"]["id"] == bad.id


def test_given_a_task_without_a_due_date_completed_then_skill_xp_is_credited_without_the_bonus(users) -> None:
    # Given TaskCompleted as the tasks service publishes it for a task with no due date
    event = _task_completed(onTime=None, difficulty="epic", category="code")
    # When consumed, then it is handled (not dead-lettered) and the epic's 200 xp are split, no on-time bonus
    assert skills_consumer.handler(flows.sqs_of_events(event), FakeLambdaContext()) == {"batchItemFailures": []}
    assert _xp(_skills("alice")) == {"coding": 67, "debugging": 67, "codeReview": 66}


# ---- metrics ----------------------------------------------------------------------------------------


def _metrics(method: str, user: str, body: Any = None, query: dict[str, str] | None = None) -> tuple[int, Any]:
    event = rest_event(method, "/api/users/me/metrics", body=body, query=query,
                       authorizer={"userId": user, "roles": "user"})
    response = metrics.handler(event, FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"])


def test_given_samples_when_aggregated_by_hour_and_day_then_count_sum_avg_min_max(users) -> None:
    base = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(days=2)
    for minutes, value in ((5, 2), (20, 4), (70, 5)):
        status, body = _metrics("POST", "alice", {"metric": "mood", "value": value,
                                                  "at": to_iso(base + timedelta(minutes=minutes))})
        assert status == 201 and body["metric"] == "mood"
    _metrics("POST", "bob", {"metric": "mood", "value": 1, "at": to_iso(base + timedelta(minutes=6))})
    query = {"metric": "mood", "from": to_iso(base), "to": to_iso(base + timedelta(hours=3)), "bucket": "hour"}
    status, series = _metrics("GET", "alice", query=query)
    assert status == 200
    assert [(b["start"], b["count"], b["sum"], b["avg"], b["min"], b["max"]) for b in series["buckets"]] == [
        (to_iso(base), 2, 6, 3, 2, 4), (to_iso(base + timedelta(hours=1)), 1, 5, 5, 5, 5)]
    _, daily = _metrics("GET", "alice", query={**query, "bucket": "day", "tz": "Europe/Paris"})
    assert sum(b["count"] for b in daily["buckets"]) == 3 and daily["timezone"] == "Europe/Paris"


def test_given_no_at_when_posted_then_recorded_now_and_expires_with_retention(users) -> None:
    status, body = _metrics("POST", "alice", {"metric": "waterGlasses", "value": 3})
    assert status == 201
    item = boto3.resource("dynamodb", region_name=template.REGION).Table(users["UsersTable"]).get_item(
        Key={"pk": "METRIC#alice#waterGlasses", "sk": f"{body['at']}#{body['id']}"})["Item"]
    posted = datetime.fromisoformat(body["at"].replace("Z", "+00:00"))
    assert int(item["expiresAt"]) == int((posted + timedelta(days=400)).timestamp())
    _, series = _metrics("GET", "alice", query={"metric": "waterGlasses"})
    assert series["buckets"][0]["count"] == 1


@pytest.mark.parametrize(("body", "field"), [
    ({"metric": "mood", "value": 6}, "body.value"),
    ({"metric": "happiness", "value": 3}, "body.metric"),
    ({"metric": "mood", "value": 3, "extra": 1}, "body.extra"),
    ({"metric": "mood", "value": 3, "at": "2999-01-01T00:00:00Z"}, "body.at"),
    ({"metric": "mood", "value": 3, "at": "2001-01-01T00:00:00Z"}, "body.at"),
])
def test_given_a_bad_sample_when_posted_then_422_naming_the_field(users, body, field) -> None:
    status, problem = _metrics("POST", "alice", body)
    assert status == 422 and field in [e["field"] for e in problem["errors"]]


@pytest.mark.parametrize(("query", "field"), [
    ({"metric": "mood", "tz": "Mars/Olympus"}, "query.tz"),
    ({"metric": "mood", "from": "2024-01-01T00:00:00Z", "to": "2025-06-01T00:00:00Z"}, "query.from"),
    ({"metric": "mood", "from": "yesterday"}, "query.from"),
    ({"metric": "mood", "bucket": "week"}, "query.bucket"),
    ({}, "query.metric"),
])
def test_given_a_bad_series_query_then_422_naming_the_parameter(users, query, field) -> None:
    status, problem = _metrics("GET", "alice", query=query or None)
    assert status == 422 and field in [e["field"] for e in problem["errors"]]

"""The AI service in-process against moto: classify and parse through the routes, the caller's timezone
from the users service's settings events, limits answered as problems, a deleted user forgotten."""

from __future__ import annotations

import json
from typing import Any

from deepiri_ai.handlers import api, consumers
from deepiri_common.events import DomainEvent
from tests.support import flows
from tests.support.apigw import rest_event
from tests.support.lambda_context import FakeLambdaContext


def _post(path: str, body: Any, user: str = "alice") -> tuple[int, dict[str, Any]]:
    event = rest_event("POST", path, authorizer={"userId": user, "roles": "user"}, body=body)
    response = api.handler(event, FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"])


def _settings(user: str, timezone: str, kind: str = "UserSettingsChanged", second: int = 0) -> DomainEvent:
    """A settings event as if it happened at a given second (later settings win, whatever the delivery order)."""
    event = DomainEvent.new("users", kind, {"userId": user, "timezone": timezone, "dayStartHour": 6}, actor=user)
    detail = event.detail.model_copy(update={"occurredAt": f"2026-11-30T10:00:{second:02d}.000Z"})
    return event.model_copy(update={"detail": detail})


def _consume(*events: DomainEvent) -> None:
    assert consumers.handler(flows.sqs_of_events(*events), FakeLambdaContext()) == {"batchItemFailures": []}


def test_given_a_task_title_then_classify_answers_category_difficulty_estimate_and_alternatives(ai) -> None:
    status, body = _post("/api/agent/classify", {"title": "Write essay on capital",
                                                 "description": "2,000 words on Marx and Piketty"})

    assert status == 200
    assert body["category"] == "writing"
    assert body["difficulty"] in {"trivial", "easy", "medium", "hard", "epic"}
    assert body["estimateMinutes"] >= 5 and 0 < body["confidence"] <= 1
    assert len(body["alternatives"]) == 3 and "writing" not in {alt["category"] for alt in body["alternatives"]}


def test_given_a_title_over_500_characters_then_422_names_the_field(ai) -> None:
    status, body = _post("/api/agent/classify", {"title": "x" * 501})
    assert status == 422
    assert [error["field"] for error in body["errors"]] == ["body.title"]


def test_given_a_description_over_5000_characters_then_422_names_the_field(ai) -> None:
    status, body = _post("/api/agent/classify", {"title": "fix bug", "description": "y" * 5_001})
    assert status == 422
    assert [error["field"] for error in body["errors"]] == ["body.description"]


def test_given_an_unknown_field_then_422(ai) -> None:
    assert _post("/api/agent/classify", {"title": "fix bug", "category": "admin"})[0] == 422


def test_given_a_user_whose_timezone_is_known_then_parse_places_the_due_time_in_it(ai) -> None:
    _consume(_settings("alice", "UTC", "UserRegistered", 1), _settings("alice", "Asia/Tokyo", second=2))

    status, draft = _post("/api/agent/parse", {"text": "call the bank tomorrow at 9am #admin"})

    assert status == 200
    assert draft["timezone"] == "Asia/Tokyo" and draft["tags"] == ["admin"]
    assert draft["title"] == "call the bank"
    assert draft["dueAt"].endswith(("T00:00:00Z", "T00:00:00.000Z"))  # 09:00 in Tokyo


def test_given_settings_events_out_of_order_then_the_latest_timezone_stays(ai) -> None:
    first, later = _settings("bob", "Europe/Paris", second=1), _settings("bob", "America/New_York", second=2)
    _consume(later, first)
    assert _post("/api/agent/parse", {"text": "gym tomorrow"}, user="bob")[1]["timezone"] == "America/New_York"


def test_given_a_user_never_heard_of_then_parse_reads_in_utc(ai) -> None:
    assert _post("/api/agent/parse", {"text": "gym tomorrow"}, user="carol")[1]["timezone"] == "UTC"


def test_given_a_deleted_user_then_their_timezone_is_forgotten(ai) -> None:
    _consume(_settings("dave", "Asia/Tokyo"))
    _consume(DomainEvent.new("users", "UserDeleted", {"userId": "dave"}, actor="dave"))
    assert _post("/api/agent/parse", {"text": "gym tomorrow"}, user="dave")[1]["timezone"] == "UTC"


def test_given_one_user_s_timezone_then_another_user_never_reads_it(ai) -> None:
    _consume(_settings("erin", "Asia/Tokyo"))
    assert _post("/api/agent/parse", {"text": "gym tomorrow"}, user="frank")[1]["timezone"] == "UTC"

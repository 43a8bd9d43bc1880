"""Gateway routes in-process against moto, with resources from template.yaml."""

from __future__ import annotations

import json

import boto3
import pytest

from deepiri_common.settings import reset_settings_cache
from deepiri_gateway import wiring as gateway_wiring
from deepiri_gateway.handlers import api
from tests.support import template
from tests.support.apigw import rest_event
from tests.support.lambda_context import FakeLambdaContext

DEPENDENCIES = ("IdempotencyTable", "RateLimitTable", "ConnectionsTable", "RealtimeEvents.Queue", "EventBus",
                "RealtimeEvents.DeadLetterQueue", "UsersEvents.DeadLetterQueue")


@pytest.fixture
def gateway(aws, monkeypatch):
    created = template.create(*DEPENDENCIES)
    monkeypatch.setenv("EVENT_BUS_NAME", created["EventBus"])
    monkeypatch.setenv("READY_TABLES", ",".join(created[t] for t in DEPENDENCIES if t.endswith("Table")))
    monkeypatch.setenv("READY_QUEUES", created["RealtimeEvents.Queue"])
    monkeypatch.setenv("READY_DEAD_LETTER_QUEUES",
                       f"{created['RealtimeEvents.DeadLetterQueue']},{created['UsersEvents.DeadLetterQueue']}")
    reset_settings_cache()
    gateway_wiring.reset()
    yield created
    reset_settings_cache()
    gateway_wiring.reset()


def _call(method: str, path: str) -> tuple[int, dict]:
    response = api.handler(rest_event(method, path), FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"])


def _names(created: dict[str, str]) -> list[str]:
    return [created[name] for name in DEPENDENCIES]


def test_given_all_dependencies_when_readiness_then_200_up_for_each_naming_none(gateway) -> None:
    status, body = _call("GET", "/health/ready")
    assert status == 200
    assert [d["status"] for d in body["dependencies"]] == ["up"] * 5
    assert [d["kind"] for d in body["dependencies"]] == ["table", "table", "table", "queue", "bus"]
    assert not any(name in json.dumps(body) for name in _names(gateway))


def test_given_a_deleted_table_when_anyone_asks_then_503_problem_saying_down_without_its_name(gateway) -> None:
    boto3.client("dynamodb", region_name=template.REGION).delete_table(TableName=gateway["RateLimitTable"])
    status, body = _call("GET", "/health/ready")
    assert status == 503
    assert body["detail"] == "1 of 5 dependencies are down"
    assert [d["status"] for d in body["dependencies"]] == ["up", "down", "up", "up", "up"]
    assert not any(name in json.dumps(body) for name in _names(gateway))


def test_given_a_deleted_table_when_an_admin_asks_then_503_problem_naming_it(gateway) -> None:
    boto3.client("dynamodb", region_name=template.REGION).delete_table(TableName=gateway["RateLimitTable"])
    status, body = _admin_readiness("user,admin")
    assert status == 503
    assert body["detail"] == f"unreachable: table {gateway['RateLimitTable']}"


def test_given_an_unknown_path_when_called_then_404_problem(gateway) -> None:
    status, body = _call("PATCH", "/api/unknown/thing")
    assert status == 404 and body["status"] == 404 and body["instance"] == "/api/unknown/thing"


def test_given_trace_or_an_unknown_method_routed_here_by_the_catch_all_then_404_problem(gateway) -> None:
    # On AWS the ANY catch-all brings them to this function (the emulator refuses them before, see README)
    for method, path in (("TRACE", "/health"), ("BREW", "/api/tasks"), ("TRACE", "/")):
        status, body = _call(method, path)
        assert (status, body["detail"]) == (404, f"no route for {method} {path}")


def test_given_the_docs_routes_when_called_then_the_committed_document_is_served(gateway) -> None:
    response = api.handler(rest_event("GET", "/docs/openapi.json"), FakeLambdaContext())
    assert response["statusCode"] == 200
    assert "/api/realtime/presence" in json.loads(response["body"])["paths"]


def _admin_readiness(roles: str) -> tuple[int, dict]:
    event = rest_event("GET", "/api/admin/readiness", authorizer={"userId": "ada", "roles": roles})
    response = api.handler(event, FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"])


def test_given_dead_letters_when_an_admin_asks_for_readiness_then_each_dlq_depth_is_shown(gateway) -> None:
    sqs = boto3.client("sqs", region_name=template.REGION)
    for n in range(2):
        sqs.send_message(QueueUrl=gateway["UsersEvents.DeadLetterQueue"], MessageBody=f"dead {n}")

    status, body = _admin_readiness("user,admin")

    assert status == 200 and body["status"] == "ready"
    assert gateway["RealtimeEvents.Queue"] in [c["name"] for c in body["checks"]]
    assert [(d["queue"], d["depth"]) for d in body["deadLetters"]] == [
        ("deepiri-test-realtime-events-dlq", 0), ("deepiri-test-users-events-dlq", 2)]


def test_given_a_plain_user_or_no_caller_then_dead_letter_depths_are_not_shown(gateway) -> None:
    status, body = _admin_readiness("user")
    assert status == 403 and body["detail"] == "requires the admin role"
    open_status, open_body = _call("GET", "/health/ready")
    assert open_status == 200 and "deadLetters" not in open_body and "checks" not in open_body

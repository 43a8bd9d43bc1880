"""The webhooks service in-process against moto, on the table, queues and secret of template.yaml, delivering
to a receiver on 127.0.0.1 (the stage's allowed test target): subscribe, fan out, sign, retry, dead-letter."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from deepiri_common.events import DomainEvent
from deepiri_webhooks import wiring
from deepiri_webhooks.dal import http
from deepiri_webhooks.handlers import api, consumers, deliveries
from deepiri_webhooks.logic.verifier import verify_signature
from tests.support import flows, template
from tests.support.apigw import rest_event
from tests.support.lambda_context import FakeLambdaContext
from tests.support.webhook_receiver import WebhookReceiver

ADA, BOB = "01JD00000000000000000000AD", "01JD00000000000000000000B0"


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver().start()
    yield server
    server.stop()


@pytest.fixture
def webhooks(aws, monkeypatch, receiver: WebhookReceiver) -> Iterator[dict[str, str]]:
    monkeypatch.setenv("WEBHOOK_ALLOWED_TARGETS", f"{receiver.host}:{receiver.port}")
    monkeypatch.setenv("WEBHOOK_RETRY_BASE_SECONDS", "1")
    monkeypatch.setenv("WEBHOOK_RETRY_MAX_DELAY_SECONDS", "1")
    monkeypatch.setenv("WEBHOOK_RETRY_WINDOW_SECONDS", "2")
    with template.deployed(monkeypatch, wiring.reset, EVENT_BUS_NAME="EventBus", WEBHOOKS_TABLE="WebhooksTable",
                           WEBHOOK_KEY_SECRET="WebhooksSecretKey", DELIVERY_QUEUE_URL="WebhooksDeliveryQueue",
                           DEAD_LETTER_QUEUE_URL="WebhooksEvents.DeadLetterQueue",
                           IDEMPOTENCY_TABLE="IdempotencyTable") as created:
        yield created


def _call(method: str, path: str, user: str = ADA, body: Any = None, query: dict[str, str] | None = None,
          scopes: str | None = None, resource: str | None = None) -> tuple[int, Any]:
    authorizer: dict[str, Any] = {"userId": user, "roles": "user"}
    if scopes is not None:
        authorizer["scopes"] = scopes
    event = rest_event(method, path, body=body, authorizer=authorizer, query=query, resource=resource)
    response = api.handler(event, FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"]) if response.get("body") else None


def _level_up(user: str = ADA) -> DomainEvent:
    return DomainEvent.new("engagement", "LevelUp", {"userId": user, "level": 4, "previousLevel": 3}, actor=user)


def _consume(*events: DomainEvent) -> None:
    assert consumers.handler(flows.sqs_of_events(*events), FakeLambdaContext()) == {"batchItemFailures": []}


def _deliver_queued(queue_url: str) -> list[dict[str, Any]]:
    """Run the delivery function once on what the queue holds now (delays ignored); the bodies it read."""
    sqs = boto3.client("sqs", region_name=template.REGION)
    bodies: list[dict[str, Any]] = []
    while messages := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    if bodies:
        assert deliveries.handler(flows.sqs_event(*bodies), FakeLambdaContext()) == {"batchItemFailures": []}
    return bodies


def test_given_a_subscription_then_an_event_reaches_the_receiver_signed_and_the_secret_is_sealed(
        webhooks, receiver) -> None:
    status, created = _call("POST", "/api/webhooks/subscriptions",
                            body={"url": receiver.url("/ok/a"), "eventTypes": ["LevelUp"]})
    assert status == 201 and created["secret"].startswith("whsec_")

    _consume(_level_up(), _level_up(BOB))
    assert len(_deliver_queued(webhooks["WebhooksDeliveryQueue"])) == 1

    [got] = receiver.received("/ok/a")
    assert verify_signature(created["secret"], got.body, got.headers["deepiri-signature"])
    assert json.loads(got.body)["data"] == {"userId": ADA, "level": 4, "previousLevel": 3}
    assert got.headers["deepiri-event"] == "LevelUp" and got.headers["content-type"] == "application/json"
    status, page = _call("GET", f"/api/webhooks/subscriptions/{created['id']}/deliveries")
    assert status == 200 and [(d["id"], d["status"], d["attempts"][0]["outcome"]) for d in page["items"]] == [
        (got.headers["deepiri-delivery"], "delivered", "204")]
    items = boto3.client("dynamodb", region_name=template.REGION).scan(TableName=webhooks["WebhooksTable"])["Items"]
    assert created["secret"] not in json.dumps(items)
    assert "secret" not in _call("GET", f"/api/webhooks/subscriptions/{created['id']}")[1]


def test_given_a_receiver_that_keeps_failing_then_the_delivery_is_retried_then_dead_lettered_and_listed(
        webhooks, receiver) -> None:
    _, created = _call("POST", "/api/webhooks/subscriptions",
                       body={"url": receiver.url("/down/b"), "eventTypes": ["LevelUp"]})
    _consume(_level_up())

    deadline = time.monotonic() + 15  # a 2 s retry window on this stage; SQS delays hold the retries back
    dead_letters = f"/api/webhooks/subscriptions/{created['id']}/dead-letters"
    while not _call("GET", dead_letters)[1]["items"] and time.monotonic() < deadline:
        _deliver_queued(webhooks["WebhooksDeliveryQueue"])
        time.sleep(0.25)

    status, dead = _call("GET", dead_letters)
    assert status == 200 and len(dead["items"]) == 1
    assert len(receiver.received("/down/b")) == len(dead["items"][0]["attempts"]) >= 2
    assert "retry window" in dead["items"][0]["deadReason"]


def test_given_subscriptions_then_list_get_rotate_delete_page_and_another_user_gets_404(webhooks, receiver) -> None:
    ids = [_call("POST", "/api/webhooks/subscriptions",
                 body={"url": receiver.url(f"/ok/{n}"), "eventTypes": ["TaskCompleted"]})[1]["id"] for n in range(3)]
    status, page = _call("GET", "/api/webhooks/subscriptions", query={"limit": "2"})
    assert status == 200 and [s["id"] for s in page["items"]] == ids[:2] and page["nextCursor"]
    assert [s["id"] for s in _call("GET", "/api/webhooks/subscriptions",
                                   query={"cursor": page["nextCursor"]})[1]["items"]] == ids[2:]
    assert _call("GET", "/api/webhooks/subscriptions", user=BOB, query={"cursor": page["nextCursor"]})[0] == 400

    for method, suffix in (("GET", ""), ("DELETE", ""), ("POST", "/rotate-secret"), ("GET", "/deliveries"),
                           ("GET", "/dead-letters")):
        assert _call(method, f"/api/webhooks/subscriptions/{ids[0]}{suffix}", user=BOB)[0] == 404
    status, rotated = _call("POST", f"/api/webhooks/subscriptions/{ids[0]}/rotate-secret")
    assert status == 200 and rotated["secret"].startswith("whsec_")
    assert _call("DELETE", f"/api/webhooks/subscriptions/{ids[0]}")[0] == 204
    assert _call("GET", f"/api/webhooks/subscriptions/{ids[0]}")[0] == 404


def test_given_a_private_or_plain_http_url_then_the_subscription_is_refused_with_422(webhooks) -> None:
    for url in ("https://10.0.0.1/hook", "https://169.254.169.254/latest/meta-data", "http://localhost:9/hook",
                "https://127.0.0.1/hook"):
        status, problem = _call("POST", "/api/webhooks/subscriptions", body={"url": url, "eventTypes": ["LevelUp"]})
        assert status == 422 and problem["errors"][0]["field"] == "body.url", url
    status, problem = _call("POST", "/api/webhooks/subscriptions",
                            body={"url": "https://hooks.example.com", "eventTypes": ["UserDeleted"]})
    assert status == 422


def test_given_an_oauth_client_then_it_needs_the_webhooks_manage_scope(webhooks, receiver) -> None:
    body = {"url": receiver.url("/ok/c"), "eventTypes": ["LevelUp"]}
    path = "/api/webhooks/subscriptions"

    assert _call("POST", path, body=body, scopes="tasks:read", resource=path)[0] == 403
    assert _call("POST", path, body=body, scopes="webhooks:manage", resource=path)[0] == 201


def test_given_hosts_then_the_resolver_answers_their_addresses_or_nothing() -> None:
    assert http.resolve("127.0.0.1", 80) == ["127.0.0.1"]
    assert http.resolve("no-such-host.invalid", 443) == []  # RFC 6761: .invalid never resolves


def test_given_a_message_that_is_not_a_delivery_request_then_it_goes_to_the_dead_letter_queue_with_its_reason(
        webhooks) -> None:
    answer = deliveries.handler(flows.sqs_event({"subscriptionId": "not-a-ulid"}), FakeLambdaContext())

    assert answer == {"batchItemFailures": []}
    sqs = boto3.client("sqs", region_name=template.REGION)
    [letter] = sqs.receive_message(QueueUrl=webhooks["WebhooksEvents.DeadLetterQueue"],
                                   MessageAttributeNames=["All"])["Messages"]
    reason = letter["MessageAttributes"]["deadLetterReason"]["StringValue"]
    assert reason.startswith("not a DeliveryRequest:") and "subscriptionId" in reason and "not-a-ulid" not in reason


def test_given_a_subscription_made_rotated_and_delivered_then_no_log_line_holds_its_secret(
        webhooks, receiver, log_output) -> None:
    _, created = _call("POST", "/api/webhooks/subscriptions",
                       body={"url": receiver.url("/ok/logs"), "eventTypes": ["LevelUp"]})
    _, rotated = _call("POST", f"/api/webhooks/subscriptions/{created['id']}/rotate-secret")
    _consume(_level_up())
    _deliver_queued(webhooks["WebhooksDeliveryQueue"])

    logged = log_output.getvalue()
    assert '"outcome":"delivered"' in logged.replace(" ", "")  # the delivery was logged...
    assert created["secret"] not in logged and rotated["secret"] not in logged  # ...and no secret

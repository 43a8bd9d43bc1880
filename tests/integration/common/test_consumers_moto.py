"""An SQS consumer of bus events against moto: real bus messages, the template's idempotency table."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from deepiri_common.consumers import make_event_consumer
from deepiri_common.events import DomainEvent, EventBridgePublisher, ReceivedEvent
from tests.support import template
from tests.support.lambda_context import FakeLambdaContext


class Recorder:
    """The domain callback: remembers what it handled; can be told to fail a number of times."""

    def __init__(self, failures: int = 0) -> None:
        self.handled: list[ReceivedEvent] = []
        self.failures = failures

    def __call__(self, event: ReceivedEvent) -> None:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("downstream unavailable")
        self.handled.append(event)


@pytest.fixture
def resources(aws: None) -> dict[str, str]:
    """The bus, the idempotency table and a queue the bus feeds through a rule for deepiri.* events."""
    created = template.create("EventBus", "RealtimeQueue", "IdempotencyTable")
    sqs = boto3.client("sqs", region_name=template.REGION)
    queue_arn = sqs.get_queue_attributes(QueueUrl=created["RealtimeQueue"], AttributeNames=["QueueArn"])
    events = boto3.client("events", region_name=template.REGION)
    pattern = '{"source": [{"prefix": "deepiri."}]}'
    events.put_rule(Name="all", EventBusName=created["EventBus"], EventPattern=pattern)
    events.put_targets(
        Rule="all", EventBusName=created["EventBus"],
        Targets=[{"Id": "q", "Arn": queue_arn["Attributes"]["QueueArn"]}],
    )
    return created


def _delivered(resources: dict[str, str], *events: DomainEvent) -> list[dict[str, Any]]:
    """Publish ``events`` to the bus and return the SQS records the queue delivers for them."""
    client = boto3.client("events", region_name=template.REGION)
    EventBridgePublisher(resources["EventBus"], client).publish(events)
    sqs = boto3.client("sqs", region_name=template.REGION)
    messages = sqs.receive_message(QueueUrl=resources["RealtimeQueue"], MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == len(events)
    return [_sqs_record(message["MessageId"], message["Body"]) for message in messages]


def _sqs_record(message_id: str, body: str) -> dict[str, Any]:
    return {
        "messageId": message_id, "receiptHandle": f"rh-{message_id}", "body": body,
        "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1767225600000"},
        "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
        "eventSourceARN": f"arn:aws:sqs:{template.REGION}:{template.ACCOUNT}:deepiri-test-realtime",
        "awsRegion": template.REGION,
    }


def _event(n: int = 0) -> DomainEvent:
    return DomainEvent.new("engagement", "XpAwarded", {"userId": "u1", "xp": n}, actor="system")


def _consumer(handle: Recorder, resources: dict[str, str], service: str = "realtime") -> Any:
    return make_event_consumer(handle, idempotency_table=resources["IdempotencyTable"], service=service)


def test_given_bus_events_on_the_queue_when_consumed_then_each_is_handled_with_its_envelope(
    resources: dict[str, str],
) -> None:
    published = [_event(1), _event(2)]
    handle = Recorder()

    records = _delivered(resources, *published)

    response = _consumer(handle, resources)({"Records": records}, FakeLambdaContext())

    assert response == {"batchItemFailures": []}
    assert sorted((e.detail for e in handle.handled), key=lambda d: d.id) == sorted(
        (e.detail for e in published), key=lambda d: d.id
    )
    assert all(e.detail_type == "XpAwarded" and e.source == "deepiri.engagement" for e in handle.handled)


def test_given_the_same_event_delivered_twice_when_consumed_then_it_is_handled_once(
    resources: dict[str, str],
) -> None:
    handle = Recorder()
    consumer = _consumer(handle, resources)
    (record,) = _delivered(resources, _event())
    redelivery = _sqs_record("another-message-id", record["body"])

    first = consumer({"Records": [record, redelivery]}, FakeLambdaContext())  # twice in one batch
    second = consumer({"Records": [redelivery]}, FakeLambdaContext())  # and once more, later

    assert first == second == {"batchItemFailures": []}
    assert len(handle.handled) == 1


def test_given_a_malformed_body_in_a_batch_then_only_that_record_fails_and_the_rest_are_handled(
    resources: dict[str, str],
) -> None:
    handle = Recorder()
    records = _delivered(resources, _event(1), _event(2))
    not_json = _sqs_record("not-json", "{oops")
    not_an_event = _sqs_record("not-an-event", json.dumps({"hello": "world"}))

    first = _consumer(handle, resources)({"Records": [records[0], not_json, records[1]]}, FakeLambdaContext())
    second = _consumer(handle, resources)({"Records": [not_an_event]}, FakeLambdaContext())

    assert first == {"batchItemFailures": [{"itemIdentifier": "not-json"}]}
    assert second == {"batchItemFailures": [{"itemIdentifier": "not-an-event"}]}
    assert len(handle.handled) == 2


def test_given_the_handler_fails_once_when_the_record_is_redelivered_then_it_is_handled_then(
    resources: dict[str, str],
) -> None:
    handle = Recorder(failures=1)
    consumer = _consumer(handle, resources)
    records = _delivered(resources, _event())

    first = consumer({"Records": records}, FakeLambdaContext())
    second = consumer({"Records": records}, FakeLambdaContext())  # SQS redelivers it later

    assert first == {"batchItemFailures": [{"itemIdentifier": records[0]["messageId"]}]}
    assert second == {"batchItemFailures": []}
    assert len(handle.handled) == 1


def test_given_two_services_consume_the_same_event_then_each_handles_it_once(
    resources: dict[str, str],
) -> None:
    realtime, notifications = Recorder(), Recorder()
    records = _delivered(resources, _event())

    for _ in range(2):
        _consumer(realtime, resources, "realtime")({"Records": records}, FakeLambdaContext())
        _consumer(notifications, resources, "notifications")({"Records": records}, FakeLambdaContext())

    assert len(realtime.handled) == len(notifications.handled) == 1


def test_given_a_table_name_function_then_it_is_resolved_at_the_first_invocation_only(
    resources: dict[str, str],
) -> None:
    lookups: list[str] = []

    def table() -> str:
        lookups.append(resources["IdempotencyTable"])
        return resources["IdempotencyTable"]

    consumer = make_event_consumer(Recorder(), idempotency_table=table, service="realtime")
    assert lookups == []  # nothing is resolved, and no client created, when the handler is built

    consumer({"Records": _delivered(resources, _event(1))}, FakeLambdaContext())
    consumer({"Records": _delivered(resources, _event(2))}, FakeLambdaContext())

    assert len(lookups) == 1

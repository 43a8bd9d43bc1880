"""An SQS consumer of bus events against moto: real bus messages, the template's idempotency table."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from pydantic import BaseModel, Field

from deepiri_common.consumers import PermanentFailure, SqsDeadLetters, make_event_consumer
from deepiri_common.events import DomainEvent, EventBridgePublisher, ReceivedEvent
from tests.support import template
from tests.support.lambda_context import FakeLambdaContext


class XpData(BaseModel):
    userId: str = Field(min_length=1)
    xp: int


class Recorder:
    """The domain callback: remembers what it handled; can be told to fail a number of times."""

    def __init__(self, failures: int = 0, error: Exception | None = None) -> None:
        self.handled: list[ReceivedEvent] = []
        self.data: list[XpData] = []
        self.failures = failures
        self.error = error or RuntimeError("downstream unavailable")

    def __call__(self, event: ReceivedEvent, data: XpData) -> None:
        if self.failures:
            self.failures -= 1
            raise self.error
        self.handled.append(event)
        self.data.append(data)


class DeadLetterBox:
    """An in-memory dead-letter queue: what was sent there, and why."""

    def __init__(self, broken: bool = False) -> None:
        self.sent: list[tuple[str, str, str | None]] = []
        self.broken = broken

    def send(self, record: Any, reason: str, event: ReceivedEvent | None) -> None:
        if self.broken:
            raise RuntimeError("dead-letter queue unreachable")
        self.sent.append((record.message_id, reason, event.detail_type if event else None))


@pytest.fixture
def resources(aws: None) -> dict[str, str]:
    """The bus, the idempotency table and a queue the bus feeds through a rule for deepiri.* events."""
    created = template.create("EventBus", "RealtimeEvents.Queue", "IdempotencyTable")
    sqs = boto3.client("sqs", region_name=template.REGION)
    queue_arn = sqs.get_queue_attributes(QueueUrl=created["RealtimeEvents.Queue"], AttributeNames=["QueueArn"])
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
    messages = sqs.receive_message(QueueUrl=resources["RealtimeEvents.Queue"], MaxNumberOfMessages=10)["Messages"]
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


def _consumer(handle: Recorder, resources: dict[str, str], service: str = "realtime",
              box: DeadLetterBox | None = None) -> Any:
    dead_letters = box or DeadLetterBox()
    return make_event_consumer(handle, consumes={"XpAwarded": XpData}, idempotency_table=resources["IdempotencyTable"],
                               service=service, dead_letters=lambda: dead_letters)


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


def test_given_a_body_that_is_no_bus_event_then_it_is_dead_lettered_at_once_and_the_rest_are_handled(
    resources: dict[str, str],
) -> None:
    handle, box = Recorder(), DeadLetterBox()
    records = _delivered(resources, _event(1), _event(2))
    not_json = _sqs_record("not-json", "{oops")
    not_an_event = _sqs_record("not-an-event", json.dumps({"hello": "world"}))

    response = _consumer(handle, resources, box=box)(
        {"Records": [records[0], not_json, not_an_event, records[1]]}, FakeLambdaContext())

    assert response == {"batchItemFailures": []}  # acknowledged: never retried
    assert [(m, e) for m, _, e in box.sent] == [("not-json", None), ("not-an-event", None)]
    assert "body is not JSON" in box.sent[0][1] and "detail-type: Field required" in box.sent[1][1]
    assert len(handle.handled) == 2


def test_given_data_the_consumers_model_rejects_then_it_is_dead_lettered_with_the_field_and_not_retried(
    resources: dict[str, str],
) -> None:
    handle, box = Recorder(), DeadLetterBox()
    bad = DomainEvent.new("engagement", "XpAwarded", {"userId": "", "xp": None}, actor="system")
    records = _delivered(resources, bad, _event(3))

    response = _consumer(handle, resources, box=box)({"Records": records}, FakeLambdaContext())

    assert response == {"batchItemFailures": []}
    ((message_id, reason, detail_type),) = box.sent
    assert detail_type == "XpAwarded" and message_id in {r["messageId"] for r in records}
    assert "data.userId: String should have at least 1 character" in reason
    assert "data.xp: Input should be a valid integer" in reason
    assert [d.xp for d in handle.data] == [3]


def test_given_an_event_type_the_consumer_does_not_declare_then_it_is_acknowledged_and_ignored(
    resources: dict[str, str],
) -> None:
    handle, box = Recorder(), DeadLetterBox()
    other = DomainEvent.new("engagement", "LevelUp", {"whatever": True}, actor="system")

    response = _consumer(handle, resources, box=box)({"Records": _delivered(resources, other)}, FakeLambdaContext())

    assert response == {"batchItemFailures": []}
    assert handle.handled == [] and box.sent == []


def test_given_the_handler_raises_a_permanent_failure_then_the_event_is_dead_lettered_and_not_retried(
    resources: dict[str, str],
) -> None:
    handle, box = Recorder(failures=1, error=PermanentFailure("the task is gone for good")), DeadLetterBox()
    records = _delivered(resources, _event())

    response = _consumer(handle, resources, box=box)({"Records": records}, FakeLambdaContext())

    assert response == {"batchItemFailures": []}
    assert [(reason, kind) for _, reason, kind in box.sent] == [("the task is gone for good", "XpAwarded")]


def test_given_the_dead_letter_queue_is_unreachable_then_the_bad_record_is_retried_instead_of_lost(
    resources: dict[str, str],
) -> None:
    not_json = _sqs_record("not-json", "{oops")

    response = _consumer(Recorder(), resources, box=DeadLetterBox(broken=True))({"Records": [not_json]},
                                                                                FakeLambdaContext())

    assert response == {"batchItemFailures": [{"itemIdentifier": "not-json"}]}


def test_given_an_sqs_dead_letter_queue_then_the_record_lands_there_with_its_reason_and_identity(
    resources: dict[str, str],
) -> None:
    sqs = boto3.client("sqs", region_name=template.REGION)
    dlq = sqs.create_queue(QueueName="deepiri-test-realtime-events-dlq")["QueueUrl"]
    bad = DomainEvent.new("engagement", "XpAwarded", {"userId": "u1"}, actor="system")
    records = _delivered(resources, bad)
    consumer = make_event_consumer(Recorder(), consumes={"XpAwarded": XpData},
                                   idempotency_table=resources["IdempotencyTable"], service="realtime",
                                   dead_letters=lambda: SqsDeadLetters(dlq, sqs))

    assert consumer({"Records": records}, FakeLambdaContext()) == {"batchItemFailures": []}

    (message,) = sqs.receive_message(QueueUrl=dlq, MessageAttributeNames=["All"])["Messages"]
    attributes = {name: value["StringValue"] for name, value in message["MessageAttributes"].items()}
    assert message["Body"] == records[0]["body"]
    assert attributes["eventType"] == "XpAwarded" and attributes["eventId"] == bad.id
    assert attributes["deadLetterReason"] == "XpAwarded rejected by XpData: data.xp: Field required"
    assert attributes["sourceQueueArn"].endswith(":deepiri-test-realtime")
    assert attributes["deadLetteredAt"].endswith("Z")


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

    consumer = make_event_consumer(Recorder(), consumes={"XpAwarded": XpData}, idempotency_table=table,
                                   service="realtime")
    assert lookups == []  # nothing is resolved, and no client created, when the handler is built

    consumer({"Records": _delivered(resources, _event(1))}, FakeLambdaContext())
    consumer({"Records": _delivered(resources, _event(2))}, FakeLambdaContext())

    assert len(lookups) == 1

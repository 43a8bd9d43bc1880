"""Outbox items, their stream records and the forwarder that publishes them."""

from __future__ import annotations

import io
import json
from collections.abc import Sequence
from typing import Any

from deepiri_common.clock import epoch_seconds, parse_iso
from deepiri_common.events import DomainEvent, InMemoryPublisher, PublishError
from deepiri_common.observability import logger
from deepiri_common.outbox import make_outbox_forwarder, outbox_events, outbox_put
from tests.support.lambda_context import FakeLambdaContext


def _event(n: int = 0) -> DomainEvent:
    return DomainEvent.new("tasks", "TaskCompleted", {"taskId": f"t{n}"}, actor="u1")


def _record(image: dict[str, Any], name: str = "INSERT", sequence: str = "100") -> dict[str, Any]:
    return {
        "eventID": f"e{sequence}", "eventName": name, "eventSource": "aws:dynamodb",
        "dynamodb": {"Keys": {"pk": image["pk"], "sk": image["sk"]}, "NewImage": image,
                     "SequenceNumber": sequence, "StreamViewType": "NEW_IMAGE"},
    }


def _outbox_record(event: DomainEvent, sequence: str = "100") -> dict[str, Any]:
    return _record(outbox_put("deepiri-test-tasks", event)["Put"]["Item"], sequence=sequence)


def _state_record(sequence: str = "99") -> dict[str, Any]:
    return _record({"pk": {"S": "TASK#t1"}, "sk": {"S": "TASK"}, "kind": {"S": "task"}}, sequence=sequence)


class FailingFor:
    """Publisher that refuses the given event ids and records the rest."""

    def __init__(self, *refused: str) -> None:
        self.refused = set(refused)
        self.published: list[DomainEvent] = []

    def publish(self, events: Sequence[DomainEvent]) -> None:
        if any(event.id in self.refused for event in events):
            raise PublishError([f"{event.id}: refused" for event in events])
        self.published.extend(events)


def test_given_an_event_when_outbox_put_then_it_is_a_conditional_put_of_an_outbox_item() -> None:
    event = _event()

    put = outbox_put("deepiri-test-tasks", event)["Put"]

    assert put["TableName"] == "deepiri-test-tasks"
    assert put["ConditionExpression"] == "attribute_not_exists(pk)"
    item = put["Item"]
    assert item["pk"] == {"S": f"OUTBOX#{event.id}"} and item["sk"] == {"S": "OUTBOX"}
    assert item["kind"] == {"S": "outbox"}
    assert item["source"] == {"S": "deepiri.tasks"} and item["detailType"] == {"S": "TaskCompleted"}
    assert json.loads(item["detail"]["S"])["id"] == event.id
    expected_expiry = epoch_seconds(parse_iso(event.detail.occurredAt)) + 2 * 24 * 3600
    assert item["expiresAt"] == {"N": str(expected_expiry)}


def test_given_stream_records_when_reading_the_outbox_then_only_outbox_inserts_become_events() -> None:
    first, second = _event(1), _event(2)
    records = [
        _state_record(),
        _outbox_record(first, "101"),
        _record(outbox_put("t", _event(3))["Put"]["Item"], name="REMOVE"),  # TTL clean-up
        {"eventName": "INSERT", "dynamodb": {"Keys": {"pk": {"S": "x"}}}},  # KEYS_ONLY image
        _outbox_record(second, "102"),
    ]

    assert outbox_events(records) == [first, second]


def test_given_a_batch_when_forwarding_then_each_outbox_event_is_published_and_no_failure_reported() -> None:
    publisher = InMemoryPublisher()
    created: list[InMemoryPublisher] = []

    def factory() -> InMemoryPublisher:
        created.append(publisher)
        return publisher

    forwarder = make_outbox_forwarder(factory)
    events = [_event(1), _event(2)]
    assert created == []  # nothing is built before the first invocation

    first = forwarder({"Records": [_state_record(), _outbox_record(events[0], "101")]}, FakeLambdaContext())
    second = forwarder({"Records": [_outbox_record(events[1], "102")]}, FakeLambdaContext())

    assert first == second == {"batchItemFailures": []}
    assert publisher.published == events
    assert len(created) == 1  # the publisher is made once per process


def test_given_the_bus_refuses_one_event_when_forwarding_then_only_its_sequence_number_is_reported() -> None:
    events = [_event(1), _event(2), _event(3)]
    publisher = FailingFor(events[1].id)
    forwarder = make_outbox_forwarder(lambda: publisher)

    records = [_outbox_record(event, str(101 + i)) for i, event in enumerate(events)]

    response = forwarder({"Records": records}, FakeLambdaContext())

    assert response == {"batchItemFailures": [{"itemIdentifier": "102"}]}
    assert publisher.published == [events[0], events[2]]


def test_given_only_state_changes_when_forwarding_then_nothing_is_published() -> None:
    publisher = InMemoryPublisher()
    update = _record(_state_record()["dynamodb"]["NewImage"], name="MODIFY", sequence="2")
    records = [_state_record("1"), update]
    response = make_outbox_forwarder(lambda: publisher)({"Records": records}, FakeLambdaContext())
    assert response == {"batchItemFailures": []}
    assert publisher.published == []


def test_given_the_bus_refuses_every_event_then_each_is_reported_for_retry_rather_than_the_batch_crashing() -> None:
    events = [_event(1), _event(2)]
    forwarder = make_outbox_forwarder(lambda: FailingFor(*(e.id for e in events)))

    response = forwarder({"Records": [_outbox_record(e, str(201 + i)) for i, e in enumerate(events)]},
                         FakeLambdaContext())

    assert response == {"batchItemFailures": [{"itemIdentifier": "201"}, {"itemIdentifier": "202"}]}


def test_given_a_record_without_a_dynamodb_image_then_it_carries_no_event() -> None:
    assert outbox_events([{"eventName": "INSERT"}, {"eventName": "REMOVE", "dynamodb": {}}]) == []


def test_given_one_warm_process_then_the_publisher_is_created_once() -> None:
    made: list[InMemoryPublisher] = []

    def factory() -> InMemoryPublisher:
        made.append(InMemoryPublisher())
        return made[-1]

    forwarder = make_outbox_forwarder(factory)
    forwarder({"Records": [_outbox_record(_event(1), "1")]}, FakeLambdaContext())
    forwarder({"Records": [_outbox_record(_event(2), "2")]}, FakeLambdaContext())

    assert len(made) == 1 and len(made[0].published) == 2


def test_given_debug_logging_when_forwarding_then_each_event_is_logged_with_its_id_and_type(
    log_output: io.StringIO,
) -> None:
    event = _event(1)
    previous = logger.log_level
    logger.setLevel("DEBUG")
    try:
        make_outbox_forwarder(InMemoryPublisher)({"Records": [_outbox_record(event, "1")]}, FakeLambdaContext())
    finally:
        logger.setLevel(previous)

    lines = [json.loads(line) for line in log_output.getvalue().splitlines()]
    forwarded = [r for r in lines if r.get("message") == "outbox event forwarded"]
    assert [(r["event_id"], r["detail_type"]) for r in forwarded] == [(event.id, "TaskCompleted")]


def test_given_the_bus_refuses_an_event_then_the_failure_is_logged_by_the_services_logger(
    log_output: io.StringIO,
) -> None:
    event = _event(1)

    make_outbox_forwarder(lambda: FailingFor(event.id))({"Records": [_outbox_record(event, "7")]}, FakeLambdaContext())

    lines = [json.loads(line) for line in log_output.getvalue().splitlines()]
    skipped = [r for r in lines if r.get("message") == "Record processing exception; skipping this record"]
    assert [r["level"] for r in skipped] == ["WARNING"]
    assert "PublishError" in skipped[0]["exception"]

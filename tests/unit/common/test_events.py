"""Domain-event envelope, publishers and parsing of delivered bus events."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from deepiri_common.events import (
    DomainEvent,
    EventBridgePublisher,
    EventEnvelope,
    InMemoryPublisher,
    PublishError,
    parse_bus_event,
)
from deepiri_common.ids import is_ulid


class TaskCompletedData(BaseModel):
    taskId: str
    xp: int


class RecordingEventsClient:
    """A stand-in for the boto3 events client: records calls, refuses the entries it is told to."""

    def __init__(self, refuse: frozenset[int] = frozenset()) -> None:
        self.calls: list[list[dict[str, Any]]] = []
        self.refuse = refuse  # indexes, across all calls, of entries to refuse
        self._seen = 0

    def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
        self.calls.append(Entries)
        results = []
        for _ in Entries:
            refused = self._seen in self.refuse
            failure = {"ErrorCode": "InternalFailure", "ErrorMessage": "boom"}
            results.append(failure if refused else {"EventId": "e"})
            self._seen += 1
        return {"FailedEntryCount": sum("ErrorCode" in r for r in results), "Entries": results}


def _event(n: int = 0) -> DomainEvent:
    return DomainEvent.new("tasks", "TaskCompleted", {"n": n}, actor="01USER")


def test_given_a_pydantic_payload_when_new_then_the_envelope_gets_an_id_time_and_camelcase_data() -> None:
    event = DomainEvent.new("tasks", "TaskCompleted", TaskCompletedData(taskId="t1", xp=10), actor="u1")

    assert event.source == "deepiri.tasks"
    assert event.detail_type == "TaskCompleted"
    assert is_ulid(event.detail.id) and event.id == event.detail.id
    assert event.detail.occurredAt.endswith("Z")
    assert event.detail.model_dump() == {
        "id": event.id, "occurredAt": event.detail.occurredAt, "actor": "u1", "version": 1,
        "data": {"taskId": "t1", "xp": 10},
    }


def test_given_two_new_events_then_their_ids_differ() -> None:
    assert _event().id != _event().id


@pytest.mark.parametrize("detail_type", ["taskCompleted", "Task", "Task_Completed", "TASKCOMPLETED", ""])
def test_given_a_detail_type_not_resource_pastverb_when_new_then_it_is_rejected(detail_type: str) -> None:
    with pytest.raises(ValidationError, match="detail_type"):
        DomainEvent.new("tasks", detail_type, {}, actor="u1")


@pytest.mark.parametrize("service", ["Tasks", "", "tasks.v2", "ta sks"])
def test_given_a_bad_service_name_when_new_then_the_source_is_rejected(service: str) -> None:
    with pytest.raises(ValidationError, match="source"):
        DomainEvent.new(service, "TaskCompleted", {}, actor="u1")


@pytest.mark.parametrize(
    ("field", "value"),
    [("id", "not-a-ulid"), ("version", 0), ("actor", ""), ("occurredAt", "2026-01-01T00:00:00")],
)
def test_given_an_invalid_envelope_field_then_validation_names_it(field: str, value: Any) -> None:
    fields = {
        "id": _event().id, "occurredAt": "2026-01-01T00:00:00Z", "actor": "system", "version": 1, "data": {}
    }
    with pytest.raises(ValidationError, match=field):
        EventEnvelope.model_validate({**fields, field: value})


def test_given_an_offset_time_then_the_envelope_stores_it_as_utc() -> None:
    envelope = EventEnvelope(
        id=_event().id, occurredAt="2026-03-01T10:00:00+02:00", actor="system", version=2, data={}
    )
    assert envelope.occurredAt == "2026-03-01T08:00:00.000Z"


def test_given_the_in_memory_publisher_when_publishing_then_events_are_kept_in_order_and_filterable() -> None:
    publisher = InMemoryPublisher()
    created = DomainEvent.new("tasks", "TaskCreated", {}, actor="u1")
    completed = _event()

    publisher.publish([created, completed])

    assert publisher.published == [created, completed]
    assert publisher.of_type("TaskCompleted") == [completed]
    assert publisher.of_type("TaskDeleted") == []


def test_given_23_events_when_publishing_to_eventbridge_then_put_events_gets_chunks_of_ten() -> None:
    client = RecordingEventsClient()
    events = [_event(n) for n in range(23)]

    EventBridgePublisher("deepiri-test", client).publish(events)

    assert [len(call) for call in client.calls] == [10, 10, 3]
    first = client.calls[0][0]
    assert first == {
        "EventBusName": "deepiri-test", "Source": "deepiri.tasks", "DetailType": "TaskCompleted",
        "Detail": events[0].detail.model_dump_json(),
    }
    assert json.loads(first["Detail"])["data"] == {"n": 0}


def test_given_eventbridge_refuses_entries_when_publishing_then_publish_error_names_each_of_them() -> None:
    client = RecordingEventsClient(refuse=frozenset({3, 12}))
    events = [_event(n) for n in range(15)]

    with pytest.raises(PublishError) as raised:
        EventBridgePublisher("deepiri-test", client).publish(events)

    assert len(client.calls) == 2  # every chunk was still attempted
    assert len(raised.value.failures) == 2
    assert events[3].id in raised.value.failures[0] and events[12].id in raised.value.failures[1]
    assert "InternalFailure" in str(raised.value)


def test_given_no_events_when_publishing_then_eventbridge_is_not_called() -> None:
    client = RecordingEventsClient()
    EventBridgePublisher("deepiri-test", client).publish([])
    assert client.calls == []


def test_given_a_bus_event_as_delivered_to_sqs_when_parsed_then_the_envelope_is_typed() -> None:
    published = _event(7)
    body = {
        "version": "0", "id": "6a7e8feb-b491-4cf7-a9f1-bf3703467718", "detail-type": "TaskCompleted",
        "source": "deepiri.tasks", "account": "123456789012", "time": "2026-01-01T00:00:00Z",
        "region": "us-east-1", "resources": [], "detail": json.loads(published.detail.model_dump_json()),
    }

    received = parse_bus_event(body)

    assert received.detail_type == "TaskCompleted" and received.source == "deepiri.tasks"
    assert received.detail == published.detail


def test_given_a_body_without_detail_when_parsed_then_it_is_rejected() -> None:
    with pytest.raises(ValidationError):
        parse_bus_event({"id": "1", "source": "deepiri.tasks", "detail-type": "TaskCompleted", "time": "t"})


def test_given_refused_entries_then_the_error_reads_type_id_code_and_message_for_each() -> None:
    client = RecordingEventsClient(refuse=frozenset({0, 1}))
    events = [_event(0), _event(1)]

    with pytest.raises(PublishError) as raised:
        EventBridgePublisher("deepiri-test", client).publish(events)

    assert raised.value.failures == [f"TaskCompleted {events[0].id}: InternalFailure boom",
                                     f"TaskCompleted {events[1].id}: InternalFailure boom"]
    assert str(raised.value) == f"2 event(s) not published: {'; '.join(raised.value.failures)}"


def test_given_a_refusal_without_a_message_then_the_error_has_only_the_code() -> None:
    class NoMessage(RecordingEventsClient):
        def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
            return {"FailedEntryCount": 1, "Entries": [{"ErrorCode": "ThrottlingException"}]}

    event = _event()
    with pytest.raises(PublishError) as raised:
        EventBridgePublisher("deepiri-test", NoMessage()).publish([event])

    assert raised.value.failures == [f"TaskCompleted {event.id}: ThrottlingException "]


def test_given_a_response_that_does_not_match_the_entries_then_it_is_an_error_not_a_silent_pass() -> None:
    class Short(RecordingEventsClient):
        def put_events(self, Entries: list[dict[str, Any]]) -> dict[str, Any]:
            return {"FailedEntryCount": 1, "Entries": [{"EventId": "e"}]}

    with pytest.raises(ValueError, match="zip"):
        EventBridgePublisher("deepiri-test", Short()).publish([_event(0), _event(1)])


class Aliased(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=False)

    from_: str = Field(alias="from")
    at: datetime


def test_given_a_model_with_aliases_and_times_then_the_data_uses_the_aliases_and_iso_text() -> None:
    event = DomainEvent.new("tasks", "TaskMoved", Aliased(from_="todo", at=datetime(2026, 3, 1, tzinfo=UTC)), "u")

    assert event.detail.data == {"from": "todo", "at": "2026-03-01T00:00:00Z"}

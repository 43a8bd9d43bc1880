"""What an SQS consumer of bus events does with each record, as its owner and an operator see it: the data
the domain callback receives, the reason and identity a dead letter carries (in the dead-letter queue and
in the log), events it ignores, and the transient failures it reports. The idempotency table and the
dead-letter queue are moto's, in process."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from moto import mock_aws
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from deepiri_common.consumers import (
    PermanentFailure,
    QueueRecord,
    SqsDeadLetters,
    SqsRecord,
    dead_letter_attributes,
    describe_validation_error,
    make_event_consumer,
)
from deepiri_common.events import DomainEvent, ReceivedEvent, parse_bus_event
from deepiri_common.settings import reset_settings_cache
from tests.support import template
from tests.support.flows import bus_body, sqs_event, sqs_of_events
from tests.support.lambda_context import FakeLambdaContext

QUEUE_ARN = f"arn:aws:sqs:{template.REGION}:{template.ACCOUNT}:q"


@pytest.fixture(scope="module")
def aws() -> Iterator[str]:
    """moto with the template's idempotency table, shared by this module's tests (each event has its own id,
    so their idempotency records never meet); yields the table's name."""
    with pytest.MonkeyPatch.context() as patch:
        template.fake_credentials(patch)
        with mock_aws():
            yield template.create("IdempotencyTable")["IdempotencyTable"]


class XpData(BaseModel):
    model_config = ConfigDict(extra="allow")
    userId: str


class Calls:
    """The domain callback: records what it was given, or raises what it is told to."""

    def __init__(self, raises: Exception | None = None) -> None:
        self.received: list[tuple[ReceivedEvent, Any]] = []
        self.raises = raises

    def __call__(self, event: ReceivedEvent, data: Any) -> None:
        if self.raises is not None:
            raise self.raises
        self.received.append((event, data))


class Box:
    """An in-memory dead-letter queue: (message id, reason, the event as given)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, ReceivedEvent | None]] = []

    def send(self, record: QueueRecord, reason: str, event: ReceivedEvent | None) -> None:
        self.sent.append((record.message_id, reason, event))


def _consumer(handle: Any, table: str, box: Box) -> Any:
    return make_event_consumer(handle, consumes={"XpAwarded": XpData}, idempotency_table=table,
                               service="realtime", dead_letters=lambda: box)


def _xp(data: dict[str, Any] | None = None) -> DomainEvent:
    return DomainEvent.new("engagement", "XpAwarded", {"userId": "u1", "xp": 5} if data is None else data,
                           actor="system")


def _logged(buffer: io.StringIO, message: str) -> list[dict[str, Any]]:
    records = [json.loads(line) for line in buffer.getvalue().splitlines()]
    return [r for r in records if r["message"] == message]


def _record(body: str = "{}", source_arn: str = QUEUE_ARN) -> SqsRecord:
    raw = sqs_event({})["Records"][0]
    return SqsRecord.of({**raw, "body": body, "eventSourceARN": source_arn})


def test_given_a_declared_event_then_the_callback_receives_its_data_parsed_by_the_declared_model(aws: str) -> None:
    calls, box = Calls(), Box()

    assert _consumer(calls, aws, box)(sqs_of_events(_xp()), FakeLambdaContext()) == {"batchItemFailures": []}

    [(event, data)] = calls.received
    assert event.detail_type == "XpAwarded"
    assert isinstance(data, XpData)
    assert (data.userId, data.model_extra) == ("u1", {"xp": 5})
    assert box.sent == []


def test_given_an_event_the_consumer_does_not_declare_then_it_is_acknowledged_ignored_and_logged(
    aws: str, log_output: io.StringIO
) -> None:
    other = DomainEvent.new("tasks", "TaskCreated", {"taskId": "t1"}, actor="u1")
    calls, box = Calls(), Box()

    assert _consumer(calls, aws, box)(sqs_of_events(other), FakeLambdaContext()) == {"batchItemFailures": []}

    assert calls.received == [] and box.sent == []
    [line] = _logged(log_output, "ignored")
    assert (line["level"], line["event"], line["eventId"]) == ("INFO", "TaskCreated", other.detail.id)


def test_given_data_the_model_refuses_then_the_event_is_dead_lettered_with_the_field_and_logged(
    aws: str, log_output: io.StringIO
) -> None:
    event, calls, box = _xp({"xp": 5}), Calls(), Box()

    assert _consumer(calls, aws, box)(sqs_of_events(event), FakeLambdaContext()) == {"batchItemFailures": []}

    assert calls.received == []
    [(message_id, reason, received)] = box.sent
    assert (message_id, reason) == ("m0", "XpAwarded rejected by XpData: data.userId: Field required")
    assert received is not None and received.detail.id == event.detail.id
    [line] = _logged(log_output, "event dead-lettered")
    assert line["level"] == "ERROR"
    assert {k: line[k] for k in ("reason", "messageId", "event", "eventId")} == {
        "reason": reason, "messageId": "m0", "event": "XpAwarded", "eventId": event.detail.id}


def test_given_a_callback_that_can_never_handle_the_event_then_its_reason_is_dead_lettered(aws: str) -> None:
    event, box = _xp(), Box()

    response = _consumer(Calls(PermanentFailure("project p1 was deleted")), aws, box)(
        sqs_of_events(event), FakeLambdaContext())

    assert response == {"batchItemFailures": []}
    [(_, reason, received)] = box.sent
    assert reason == "project p1 was deleted"
    assert received is not None and received.detail.id == event.detail.id


class Member(BaseModel):
    name: str
    size: int


def test_given_a_callback_whose_own_model_refuses_the_data_then_every_field_is_named_in_the_dead_letter(
    aws: str,
) -> None:
    def handle(event: ReceivedEvent, data: Any) -> None:
        Member.model_validate({"size": "large"})

    box = Box()
    _consumer(handle, aws, box)(sqs_of_events(_xp()), FakeLambdaContext())

    [(_, reason, received)] = box.sent
    assert reason == ("rejected: name: Field required; "
                      "size: Input should be a valid integer, unable to parse string as an integer")
    assert received is not None and received.detail_type == "XpAwarded"


def test_given_a_body_that_is_not_json_then_it_is_dead_lettered_without_an_event_and_logged(
    aws: str, log_output: io.StringIO
) -> None:
    batch = sqs_event({})
    batch["Records"][0]["body"] = "not json {"
    box = Box()

    assert _consumer(Calls(), aws, box)(batch, FakeLambdaContext()) == {"batchItemFailures": []}

    assert box.sent == [("m0", "not a bus event: body is not JSON", None)]
    [line] = _logged(log_output, "event dead-lettered")
    assert {k: line.get(k) for k in ("reason", "messageId", "event", "eventId")} == {
        "reason": "not a bus event: body is not JSON", "messageId": "m0", "event": None, "eventId": None}


def test_given_several_dead_letters_over_invocations_then_the_dead_letter_queue_is_made_once(aws: str) -> None:
    made: list[Box] = []

    def dead_letters() -> Box:
        made.append(Box())
        return made[-1]

    consume = make_event_consumer(Calls(), consumes={"XpAwarded": XpData}, idempotency_table=aws,
                                  service="realtime", dead_letters=dead_letters)
    assert made == []  # nothing is created before a record needs it
    bad = _xp({"xp": 1})
    consume(sqs_of_events(bad, _xp({"xp": 2})), FakeLambdaContext())
    consume(sqs_of_events(_xp({"xp": 3})), FakeLambdaContext())

    assert len(made) == 1
    assert [message for message, _, _ in made[0].sent] == ["m0", "m1", "m0"]


def test_given_a_transient_failure_then_it_is_reported_for_retry_and_logged_with_its_exception(
    aws: str, log_output: io.StringIO
) -> None:
    box = Box()

    response = _consumer(Calls(RuntimeError("downstream unavailable")), aws, box)(
        sqs_of_events(_xp()), FakeLambdaContext())

    assert response == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    assert box.sent == []
    [line] = _logged(log_output, "Record processing exception; skipping this record")
    assert line["level"] == "WARNING"
    assert "downstream unavailable" in line["exception"]


class Window(BaseModel):
    start: int
    end: int

    @model_validator(mode="after")
    def _ordered(self) -> Window:
        if self.end < self.start:
            raise ValueError("end is before start")
        return self


def test_given_an_error_of_the_whole_body_then_it_is_named_body_and_input_values_are_never_shown() -> None:
    with pytest.raises(ValidationError) as raised:
        Window.model_validate({"start": 987654, "end": 123456})

    assert describe_validation_error(raised.value) == "body: Value error, end is before start"
    assert describe_validation_error(raised.value, "data.") == "data.body: Value error, end is before start"


def test_given_a_dead_letter_then_its_attributes_say_why_what_event_from_which_queue_and_when() -> None:
    event = parse_bus_event(bus_body(_xp()))
    before = datetime.now(UTC)

    attributes = dead_letter_attributes(_record(), "r" * 1500, event)

    values = {name: value["StringValue"] for name, value in attributes.items()}
    assert {value["DataType"] for value in attributes.values()} == {"String"}
    assert set(values) == {"deadLetterReason", "sourceQueueArn", "deadLetteredAt", "eventType", "eventId"}
    assert values["deadLetterReason"] == "r" * 1000  # an SQS attribute is kept short
    assert values["sourceQueueArn"] == QUEUE_ARN
    assert (values["eventType"], values["eventId"]) == ("XpAwarded", event.detail.id)
    at = datetime.fromisoformat(values["deadLetteredAt"])
    assert before - timedelta(seconds=1) <= at <= datetime.now(UTC) + timedelta(seconds=1)


def test_given_a_dead_letter_without_an_event_or_source_then_only_what_is_known_is_attached() -> None:
    attributes = dead_letter_attributes(_record(source_arn=""), "not a bus event: body is not JSON", None)

    assert set(attributes) == {"deadLetterReason", "deadLetteredAt"}
    assert attributes["deadLetterReason"] == {"DataType": "String",
                                              "StringValue": "not a bus event: body is not JSON"}


class Client:
    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    def send_message(self, **kwargs: Any) -> None:
        self.messages.append(kwargs)


def test_given_the_sqs_dead_letters_then_the_original_body_is_sent_with_its_attributes() -> None:
    body = json.dumps(bus_body(_xp({"xp": 1})))
    client, record, event = Client(), _record(body=body), parse_bus_event(json.loads(body))

    SqsDeadLetters("https://sqs.local/q-dlq", client).send(record, "XpAwarded rejected by XpData", event)

    [message] = client.messages
    assert (message["QueueUrl"], message["MessageBody"]) == ("https://sqs.local/q-dlq", body)
    values = {name: value["StringValue"] for name, value in message["MessageAttributes"].items()}
    assert values["deadLetterReason"] == "XpAwarded rejected by XpData"
    assert (values["sourceQueueArn"], values["eventType"], values["eventId"]) == (
        QUEUE_ARN, "XpAwarded", event.detail.id)


def test_given_no_dead_letter_sink_then_bad_records_go_to_the_queue_named_by_the_environment(
    aws: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import boto3  # noqa: PLC0415 - inside the moto mock

    sqs = boto3.client("sqs", region_name=template.REGION)
    url = sqs.create_queue(QueueName="deepiri-test-dlq")["QueueUrl"]
    monkeypatch.setenv("DEAD_LETTER_QUEUE_URL", url)
    monkeypatch.setenv("EVENT_BUS_NAME", "deepiri-test")
    reset_settings_cache()
    batch = sqs_event({})
    batch["Records"][0]["body"] = "not json {"
    try:
        consume = make_event_consumer(Calls(), consumes={"XpAwarded": XpData}, idempotency_table=aws,
                                      service="realtime")
        assert consume(batch, FakeLambdaContext()) == {"batchItemFailures": []}
    finally:
        reset_settings_cache()

    deadline = time.monotonic() + 5
    messages: list[dict[str, Any]] = []
    while not messages and time.monotonic() < deadline:
        messages = sqs.receive_message(QueueUrl=url, MessageAttributeNames=["All"]).get("Messages", [])
    [message] = messages
    assert message["Body"] == "not json {"
    assert message["MessageAttributes"]["deadLetterReason"]["StringValue"] == "not a bus event: body is not JSON"

"""The SQS consumer of bus events, in process: each event handled once per service, bad records
dead-lettered alone with the reason. The idempotency table is the template's, in moto's in-process DynamoDB
(no network; the consumer builds its Powertools persistence layer itself)."""

from __future__ import annotations

import io
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from moto import mock_aws
from pydantic import BaseModel, ConfigDict

from deepiri_common import aws, consumers
from deepiri_common.consumers import (
    IDEMPOTENCY_TTL_SECONDS,
    IdempotencyRecords,
    make_event_consumer,
    parse_request,
)
from deepiri_common.events import DomainEvent, ReceivedEvent
from tests.support import template
from tests.support.flows import bus_body, sqs_event, sqs_of_events
from tests.support.lambda_context import FakeLambdaContext


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    template.fake_credentials(monkeypatch)
    with mock_aws():
        yield template.create("IdempotencyTable")["IdempotencyTable"]


class Recorder:
    def __init__(self, failures: int = 0) -> None:
        self.handled: list[ReceivedEvent] = []
        self.failures = failures

    def __call__(self, event: ReceivedEvent, data: BaseModel | None = None) -> None:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("downstream unavailable")
        self.handled.append(event)


class XpData(BaseModel):
    """What these tests' consumer reads of an XpAwarded event (the rest of the data is allowed)."""

    model_config = ConfigDict(extra="allow")
    userId: str


class DeadLetterBox:
    """Keeps what the consumer dead-letters: (message id, reason, detail-type)."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, str, str | None]] = []

    def send(self, record: Any, reason: str, event: ReceivedEvent | None) -> None:
        self.sent.append((record.message_id, reason, event.detail_type if event else None))


def consumer(handle: Any, table: Any, service: str = "realtime", box: DeadLetterBox | None = None) -> Any:
    letters = box or DeadLetterBox()
    return make_event_consumer(handle, consumes={"XpAwarded": XpData}, idempotency_table=table, service=service,
                               dead_letters=lambda: letters)


def _event(n: int = 0) -> DomainEvent:
    return DomainEvent.new("engagement", "XpAwarded", {"userId": "u1", "xp": n}, actor="system")


def test_given_the_retention_then_an_event_is_remembered_for_a_week() -> None:
    assert IDEMPOTENCY_TTL_SECONDS == 7 * 24 * 3600


def test_given_an_event_delivered_twice_then_it_is_handled_once_per_service(table: str) -> None:
    event = _event(5)
    realtime, notifications = Recorder(), Recorder()
    consume_realtime = consumer(realtime, table)
    consume_notifications = consumer(notifications, table, "notifications")

    for consume in (consume_realtime, consume_realtime, consume_notifications, consume_notifications):
        assert consume(sqs_of_events(event), FakeLambdaContext()) == {"batchItemFailures": []}

    assert [e.detail.id for e in realtime.handled] == [event.detail.id]
    assert [e.detail.data for e in notifications.handled] == [{"userId": "u1", "xp": 5}]


def test_given_bad_records_in_a_batch_then_each_is_dead_lettered_with_its_reason_and_the_rest_handled(
    table: str, log_output: io.StringIO
) -> None:
    good = _event(1)
    body_without_detail = {k: v for k, v in bus_body(_event(2)).items() if k != "detail"}
    batch = sqs_event(bus_body(good), body_without_detail)
    batch["Records"].append({**batch["Records"][0], "messageId": "m2", "body": "not json"})
    recorder, box = Recorder(), DeadLetterBox()

    response = consumer(recorder, table, box=box)(batch, FakeLambdaContext())

    assert response == {"batchItemFailures": []}  # dead-lettered at once: never retried
    assert [e.detail.id for e in recorder.handled] == [good.detail.id]
    assert [message for message, _, _ in box.sent] == ["m1", "m2"]
    assert "detail" in box.sent[0][1] and "body is not JSON" in box.sent[1][1]
    assert "event dead-lettered" in log_output.getvalue()


def test_given_a_handler_that_fails_once_then_the_redelivery_is_handled(table: str) -> None:
    event, recorder = _event(3), Recorder(failures=1)
    consume = consumer(recorder, table)

    assert consume(sqs_of_events(event), FakeLambdaContext()) == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    assert consume(sqs_of_events(event), FakeLambdaContext()) == {"batchItemFailures": []}
    assert len(recorder.handled) == 1


def test_given_a_table_name_function_then_it_is_resolved_once_at_the_first_invocation(table: str) -> None:
    lookups: list[str] = []

    def name() -> str:
        lookups.append(table)
        return table

    consume = consumer(Recorder(), name)
    assert lookups == []
    consume(sqs_of_events(_event(1)), FakeLambdaContext())
    consume(sqs_of_events(_event(2)), FakeLambdaContext())

    assert lookups == [table]


def test_given_a_handled_event_then_its_idempotency_record_expires_after_the_retention(table: str) -> None:
    import boto3  # noqa: PLC0415 - inside the moto mock

    consumer(Recorder(), table)(sqs_of_events(_event(4)),
                                                                                 FakeLambdaContext())

    items = boto3.client("dynamodb", region_name=template.REGION).scan(TableName=table)["Items"]
    assert [item["status"]["S"] for item in items] == ["COMPLETED"]
    assert abs(int(items[0]["expiration"]["N"]) - time.time() - IDEMPOTENCY_TTL_SECONDS) < 60


def test_given_a_batch_where_every_record_is_bad_then_each_is_dead_lettered_rather_than_the_batch_raising(
    table: str, log_output: io.StringIO
) -> None:
    broken = bus_body(_event(1))
    broken["detail"] = {k: v for k, v in broken["detail"].items() if k not in ("actor", "version")}
    nothing = {"id": "x"}

    box = DeadLetterBox()
    response = consumer(Recorder(), table, box=box)(sqs_event(broken, nothing), FakeLambdaContext())

    assert response == {"batchItemFailures": []}
    assert [message for message, _, _ in box.sent] == ["m0", "m1"]
    assert "detail.actor" in box.sent[0][1] and "detail.version" in box.sent[0][1]
    assert all(field in box.sent[1][1] for field in ("source", "detail-type", "time", "detail"))


def test_given_a_handled_event_then_its_record_bounds_a_crashed_attempt_by_the_functions_remaining_time(
    table: str,
) -> None:
    import boto3  # noqa: PLC0415 - inside the moto mock

    consumer(Recorder(), table)(sqs_of_events(_event(7)),
                                                                                 FakeLambdaContext())

    item = boto3.client("dynamodb", region_name=template.REGION).scan(TableName=table)["Items"][0]
    assert "in_progress_expiration" in item


def _items(table: str) -> list[dict[str, Any]]:
    import boto3  # noqa: PLC0415 - inside the moto mock

    items: list[dict[str, Any]] = boto3.client("dynamodb", region_name=template.REGION).scan(TableName=table)["Items"]
    return items


def _hold(table: str, event: DomainEvent, *, in_progress_until_ms: int, service: str = "realtime") -> None:
    """An idempotency item as an attempt still running (or crashed) leaves it."""
    import boto3  # noqa: PLC0415 - inside the moto mock

    key = IdempotencyRecords.key(FakeLambdaContext().function_name, f"{service}#{event.detail.id}")
    boto3.client("dynamodb", region_name=template.REGION).put_item(TableName=table, Item={
        "id": {"S": key}, "status": {"S": "INPROGRESS"},
        "expiration": {"N": str(int(time.time()) + IDEMPOTENCY_TTL_SECONDS)},
        "in_progress_expiration": {"N": str(in_progress_until_ms)}})


def test_given_another_attempt_holds_the_event_then_the_record_is_retried_and_not_handled_meanwhile(
    table: str,
) -> None:
    event, recorder = _event(8), Recorder()
    _hold(table, event, in_progress_until_ms=int(time.time() * 1000) + 60_000)

    response = consumer(recorder, table)(sqs_of_events(event), FakeLambdaContext())

    assert response == {"batchItemFailures": [{"itemIdentifier": "m0"}]}
    assert recorder.handled == []
    assert [item["status"]["S"] for item in _items(table)] == ["INPROGRESS"]  # the holder's claim stands


def test_given_an_attempt_that_crashed_past_its_time_then_the_next_delivery_handles_the_event(table: str) -> None:
    event, recorder = _event(9), Recorder()
    _hold(table, event, in_progress_until_ms=int(time.time() * 1000) - 1)

    assert consumer(recorder, table)(sqs_of_events(event), FakeLambdaContext()) == {"batchItemFailures": []}

    assert [e.detail.id for e in recorder.handled] == [event.detail.id]
    assert [item["status"]["S"] for item in _items(table)] == ["COMPLETED"]


def test_given_a_handler_that_fails_then_its_claim_is_given_up(table: str) -> None:
    consumer(Recorder(failures=1), table)(sqs_of_events(_event(10)), FakeLambdaContext())

    assert _items(table) == []


def test_given_an_event_handled_longer_ago_than_the_retention_then_a_redelivery_is_handled_again(
    table: str,
) -> None:
    event, recorder = _event(11), Recorder()
    consume = consumer(recorder, table)
    consume(sqs_of_events(event), FakeLambdaContext())
    records = IdempotencyRecords(table, aws.client("dynamodb"), clock=lambda: time.time() - 2 * IDEMPOTENCY_TTL_SECONDS)
    records.complete(IdempotencyRecords.key(FakeLambdaContext().function_name, f"realtime#{event.detail.id}"))

    consume(sqs_of_events(event), FakeLambdaContext())

    assert len(recorder.handled) == 2


def test_given_events_handled_by_the_powertools_consumer_before_then_they_still_count_as_handled(
    table: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # What the consumer ran before its own idempotency record: Powertools' idempotent function, configured so.
    from aws_lambda_powertools.utilities.idempotency import (  # noqa: PLC0415 - only this test needs it
        DynamoDBPersistenceLayer,
        IdempotencyConfig,
        idempotent_function,
    )

    context = FakeLambdaContext()
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", context.function_name)
    config = IdempotencyConfig(event_key_jmespath="key", raise_on_no_idempotency_key=True,
                               expires_after_seconds=IDEMPOTENCY_TTL_SECONDS)
    config.register_lambda_context(context)
    event, before, after = _event(12), Recorder(), Recorder()

    def run(event: Any, data: Any, *, idempotency: dict[str, str]) -> None:
        before(event, data)

    # The old wrapper's module and name, which Powertools' keys carry.
    run.__module__, run.__qualname__ = "deepiri_common.consumers", "_idempotent.<locals>.run"
    old = idempotent_function(data_keyword_argument="idempotency",
                              persistence_store=DynamoDBPersistenceLayer(table_name=table), config=config)(run)
    old(event, None, idempotency={"key": f"realtime#{event.detail.id}"})

    assert consumer(after, table)(sqs_of_events(event), context) == {"batchItemFailures": []}

    assert len(before.handled) == 1 and after.handled == []
    assert len(_items(table)) == 1


class DeliveryRequest(BaseModel):
    """A work queue's own request, as a service's delivery function reads it."""

    model_config = ConfigDict(extra="forbid")
    deliveryId: str


def test_given_a_work_queue_record_then_it_is_read_as_the_request_or_dead_lettered_with_the_reason(
    monkeypatch: pytest.MonkeyPatch, log_output: io.StringIO,
) -> None:
    box = DeadLetterBox()
    monkeypatch.setattr(consumers, "_default_dead_letters", lambda: box)
    good, bad = (SQSRecord(record) for record in sqs_event({"deliveryId": "d1"}, {"delivery": 1})["Records"])

    assert parse_request(good, DeliveryRequest) == DeliveryRequest(deliveryId="d1")
    assert box.sent == []
    assert parse_request(bad, DeliveryRequest) is None
    assert box.sent == [("m1", "not a DeliveryRequest: delivery: Extra inputs are not permitted; "
                                "deliveryId: Field required", None)]
    (line,) = [json.loads(line) for line in log_output.getvalue().splitlines()]
    assert (line["level"], line["message"], line["messageId"]) == ("ERROR", "request dead-lettered", "m1")
    assert line["reason"] == box.sent[0][1]

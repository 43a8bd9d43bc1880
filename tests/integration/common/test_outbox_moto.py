"""The outbox end to end in moto: one transaction → the table's stream → the forwarder → the bus."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from deepiri_common.events import DomainEvent, EventBridgePublisher
from deepiri_common.outbox import make_outbox_forwarder, outbox_put
from tests.support import flows, template
from tests.support.lambda_context import FakeLambdaContext

SERVICE_TABLE = "deepiri-test-tasks"


@pytest.fixture
def resources(aws: None) -> dict[str, str]:
    """A service table with a NEW_IMAGE stream, and the bus routed to a queue by the template's rule."""
    created = template.create("EventBus", "RealtimeEvents.Queue")
    boto3.client("dynamodb", region_name=template.REGION).create_table(
        TableName=SERVICE_TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"} for key in ("pk", "sk")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )
    flows.route_rule_to_queue("RealtimeEvents.Rule", created["EventBus"], created["RealtimeEvents.Queue"])
    return created


def _complete_task(event: DomainEvent, *, expect_status: str = "open") -> None:
    """The service's write: the task's new state and its outbox item, in one transaction."""
    boto3.client("dynamodb", region_name=template.REGION).transact_write_items(
        TransactItems=[
            {
                "Put": {
                    "TableName": SERVICE_TABLE,
                    "Item": {"pk": {"S": "TASK#t1"}, "sk": {"S": "TASK"}, "status": {"S": "done"}},
                    "ConditionExpression": "attribute_not_exists(pk) OR #s = :expected",
                    "ExpressionAttributeNames": {"#s": "status"},
                    "ExpressionAttributeValues": {":expected": {"S": expect_status}},
                }
            },
            outbox_put(SERVICE_TABLE, event),
        ]
    )


def _forwarder(bus: str) -> Any:
    client = boto3.client("events", region_name=template.REGION)
    return make_outbox_forwarder(lambda: EventBridgePublisher(bus, client))


def test_given_state_and_outbox_written_together_when_the_stream_is_forwarded_then_the_event_reaches_the_bus(
    resources: dict[str, str],
) -> None:
    event = DomainEvent.new("tasks", "TaskUpdated", {"taskId": "t1", "status": "done"}, actor="u1")
    _complete_task(event)
    stream_event = flows.stream_event(SERVICE_TABLE)
    assert len(stream_event["Records"]) == 2  # the task and its outbox item

    response = _forwarder(resources["EventBus"])(stream_event, FakeLambdaContext())

    assert response == {"batchItemFailures": []}
    delivered = flows.bus_messages(resources["RealtimeEvents.Queue"])
    assert len(delivered) == 1  # the task's own record is not an event
    assert delivered[0]["source"] == "deepiri.tasks"
    assert delivered[0]["detail-type"] == "TaskUpdated"
    assert delivered[0]["detail"] == json.loads(event.detail.model_dump_json())


def test_given_the_state_write_is_refused_then_no_outbox_item_exists_and_nothing_is_published(
    resources: dict[str, str],
) -> None:
    _complete_task(DomainEvent.new("tasks", "TaskUpdated", {"taskId": "t1"}, actor="u1"))
    stale = DomainEvent.new("tasks", "TaskUpdated", {"taskId": "t1", "again": True}, actor="u1")

    with pytest.raises(ClientError, match="TransactionCanceled"):
        _complete_task(stale)  # the task is no longer open

    outbox_ids = [
        json.loads(r["dynamodb"]["NewImage"]["detail"]["S"])["id"]
        for r in flows.stream_event(SERVICE_TABLE)["Records"]
        if r["dynamodb"]["NewImage"]["pk"]["S"].startswith("OUTBOX#")
    ]
    assert stale.id not in outbox_ids


def test_given_the_same_event_written_twice_then_the_second_transaction_is_refused(
    resources: dict[str, str],
) -> None:
    event = DomainEvent.new("tasks", "TaskUpdated", {"taskId": "t1"}, actor="u1")
    _complete_task(event)

    with pytest.raises(ClientError, match="TransactionCanceled"):
        _complete_task(event, expect_status="done")


def test_given_the_bus_is_missing_when_forwarding_then_the_outbox_record_is_reported_for_retry(
    resources: dict[str, str],
) -> None:
    _complete_task(DomainEvent.new("tasks", "TaskUpdated", {"taskId": "t1"}, actor="u1"))
    stream_event = flows.stream_event(SERVICE_TABLE)
    outbox_record = next(r for r in stream_event["Records"] if "kind" in r["dynamodb"]["NewImage"])

    response = _forwarder("deepiri-test-no-such-bus")(stream_event, FakeLambdaContext())

    failed = outbox_record["dynamodb"]["SequenceNumber"]
    assert response == {"batchItemFailures": [{"itemIdentifier": failed}]}

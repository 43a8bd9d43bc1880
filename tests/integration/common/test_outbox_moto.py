"""The outbox end to end in moto: one transaction → the table's stream → the forwarder → the bus."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from deepiri_common.events import DomainEvent, EventBridgePublisher
from deepiri_common.outbox import make_outbox_forwarder, outbox_put
from tests.support import template
from tests.support.lambda_context import FakeLambdaContext

SERVICE_TABLE = "deepiri-test-tasks"


@pytest.fixture
def resources(aws: None) -> dict[str, str]:
    """A service table with a NEW_IMAGE stream, and the bus routed to a queue by the template's rule."""
    created = template.create("EventBus", "RealtimeQueue")
    boto3.client("dynamodb", region_name=template.REGION).create_table(
        TableName=SERVICE_TABLE,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"} for key in ("pk", "sk")],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )
    bus, pattern = created["EventBus"], template.resource("RealtimeEventsRule")["Properties"]["EventPattern"]
    queue_arn = boto3.client("sqs", region_name=template.REGION).get_queue_attributes(
        QueueUrl=created["RealtimeQueue"], AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    events = boto3.client("events", region_name=template.REGION)
    events.put_rule(Name="realtime", EventBusName=bus, EventPattern=json.dumps(pattern))
    events.put_targets(Rule="realtime", EventBusName=bus, Targets=[{"Id": "q", "Arn": queue_arn}])
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


def _stream_event() -> dict[str, Any]:
    """The Lambda event for everything on the table's stream so far, read through DynamoDB Streams."""
    dynamodb = boto3.client("dynamodb", region_name=template.REGION)
    table = dynamodb.describe_table(TableName=SERVICE_TABLE)["Table"]
    streams = boto3.client("dynamodbstreams", region_name=template.REGION)
    shards = streams.describe_stream(StreamArn=table["LatestStreamArn"])["StreamDescription"]["Shards"]
    records: list[dict[str, Any]] = []
    for shard in shards:
        iterator = streams.get_shard_iterator(
            StreamArn=table["LatestStreamArn"], ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records += streams.get_records(ShardIterator=iterator)["Records"]
    return {"Records": [{**record, "eventSourceARN": table["LatestStreamArn"]} for record in records]}


def _bus_messages(queue_url: str) -> list[dict[str, Any]]:
    sqs = boto3.client("sqs", region_name=template.REGION)
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(message["Body"]) for message in messages]


def _forwarder(bus: str) -> Any:
    client = boto3.client("events", region_name=template.REGION)
    return make_outbox_forwarder(lambda: EventBridgePublisher(bus, client))


def test_given_state_and_outbox_written_together_when_the_stream_is_forwarded_then_the_event_reaches_the_bus(
    resources: dict[str, str],
) -> None:
    event = DomainEvent.new("tasks", "TaskUpdated", {"taskId": "t1", "status": "done"}, actor="u1")
    _complete_task(event)
    stream_event = _stream_event()
    assert len(stream_event["Records"]) == 2  # the task and its outbox item

    response = _forwarder(resources["EventBus"])(stream_event, FakeLambdaContext())

    assert response == {"batchItemFailures": []}
    delivered = _bus_messages(resources["RealtimeQueue"])
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
        for r in _stream_event()["Records"]
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
    stream_event = _stream_event()
    outbox_record = next(r for r in stream_event["Records"] if "kind" in r["dynamodb"]["NewImage"])

    response = _forwarder("deepiri-test-no-such-bus")(stream_event, FakeLambdaContext())

    failed = outbox_record["dynamodb"]["SequenceNumber"]
    assert response == {"batchItemFailures": [{"itemIdentifier": failed}]}

"""Moto helpers for following data through the async paths: table stream → Lambda event, rule → queue."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time
from typing import Any

import boto3

from deepiri_common.events import DomainEvent
from tests.support import template


def noon_today() -> str:
    """Noon UTC of the day the suite runs: a completion at this hour earns neither the early bird's badge
    nor the night owl's, whenever CI runs."""
    return datetime.combine(datetime.now(UTC).date(), time(12), UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def stream_event(table_name: str) -> dict[str, Any]:
    """The Lambda event for everything on ``table_name``'s stream so far, read through DynamoDB Streams."""
    table = boto3.client("dynamodb", region_name=template.REGION).describe_table(TableName=table_name)["Table"]
    streams = boto3.client("dynamodbstreams", region_name=template.REGION)
    shards = streams.describe_stream(StreamArn=table["LatestStreamArn"])["StreamDescription"]["Shards"]
    records: list[dict[str, Any]] = []
    for shard in shards:
        iterator = streams.get_shard_iterator(
            StreamArn=table["LatestStreamArn"], ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
        )["ShardIterator"]
        records += streams.get_records(ShardIterator=iterator)["Records"]
    return {"Records": [{**record, "eventSourceARN": table["LatestStreamArn"]} for record in records]}


def route_rule_to_queue(rule_logical_id: str, bus: str, queue_url: str) -> None:
    """Create the template's rule (its own event pattern, e.g. ``RealtimeEvents.Rule``) on ``bus``,
    targeting ``queue_url``."""
    pattern = template.properties(rule_logical_id)["EventPattern"]
    queue_arn = boto3.client("sqs", region_name=template.REGION).get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["QueueArn"]
    )["Attributes"]["QueueArn"]
    events = boto3.client("events", region_name=template.REGION)
    events.put_rule(Name=rule_logical_id, EventBusName=bus, EventPattern=json.dumps(pattern))
    events.put_targets(Rule=rule_logical_id, EventBusName=bus, Targets=[{"Id": "q", "Arn": queue_arn}])


def bus_messages(queue_url: str) -> list[dict[str, Any]]:
    """The bus events waiting in ``queue_url`` (EventBridge event JSON)."""
    sqs = boto3.client("sqs", region_name=template.REGION)
    messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", [])
    return [json.loads(message["Body"]) for message in messages]


def bus_body(event: DomainEvent, bus_id: str = "bus-0") -> dict[str, Any]:
    """The EventBridge event JSON a rule delivers to a queue for ``event``."""
    return {"id": bus_id, "source": event.source, "detail-type": event.detail_type,
            "time": event.detail.occurredAt, "detail": event.detail.model_dump()}


def sqs_event(*bodies: dict[str, Any]) -> dict[str, Any]:
    """An SQS Lambda event carrying ``bodies`` (bus event JSON) as its records, in order."""
    return {"Records": [
        {"messageId": f"m{n}", "receiptHandle": "h", "body": json.dumps(body), "attributes": {},
         "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
         "eventSourceARN": f"arn:aws:sqs:{template.REGION}:{template.ACCOUNT}:q", "awsRegion": template.REGION}
        for n, body in enumerate(bodies)
    ]}


def sqs_of_events(*events: DomainEvent) -> dict[str, Any]:
    """An SQS Lambda event delivering domain events as the bus would."""
    return sqs_event(*(bus_body(event, f"bus-{n}") for n, event in enumerate(events)))

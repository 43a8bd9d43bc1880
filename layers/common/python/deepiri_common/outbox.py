"""Transactional outbox: no event is lost between a write and its publication.

A service writes its state and an outbox item in ONE DynamoDB ``TransactWriteItems`` (the item comes
from :func:`outbox_put`). The table's stream (``NEW_IMAGE``) triggers a forwarder Lambda, built with
:func:`make_outbox_forwarder`, that publishes each new outbox item to the bus and reports failed
records by sequence number, so Lambda retries them from the stream. The outbox item expires by TTL.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import timedelta
from typing import TYPE_CHECKING, Any, cast

from deepiri_common.attributes import TypeDeserializer
from deepiri_common.clock import epoch_seconds, parse_iso
from deepiri_common.events import DomainEvent, EventEnvelope, EventPublisher
from deepiri_common.observability import logger

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import DynamoDBRecord

OUTBOX_KIND = "outbox"
OUTBOX_RETENTION = timedelta(days=2)  # long after the stream (24 h) has delivered the item

_deserializer = TypeDeserializer()


def outbox_put(table_name: str, event: DomainEvent) -> dict[str, Any]:
    """The ``Put`` element of a ``TransactWriteItems`` call that records ``event`` in the outbox.

    Put it in the same transaction as the state change the event describes. The condition makes a
    retried transaction with the same event fail rather than publish it twice.
    """
    expires = epoch_seconds(parse_iso(event.detail.occurredAt) + OUTBOX_RETENTION)
    return {
        "Put": {
            "TableName": table_name,
            "Item": {
                "pk": {"S": f"OUTBOX#{event.id}"},
                "sk": {"S": "OUTBOX"},
                "kind": {"S": OUTBOX_KIND},
                "source": {"S": event.source},
                "detailType": {"S": event.detail_type},
                "detail": {"S": event.detail.model_dump_json()},
                "expiresAt": {"N": str(expires)},
            },
            "ConditionExpression": "attribute_not_exists(pk)",
        }
    }


def outbox_event(record: Mapping[str, Any]) -> DomainEvent | None:
    """The event an outbox INSERT stream record carries; ``None`` for any other record."""
    image = record.get("dynamodb", {}).get("NewImage")
    if record.get("eventName") != "INSERT" or not image or image.get("kind") != {"S": OUTBOX_KIND}:
        return None
    item = {name: _deserializer.deserialize(value) for name, value in image.items()}
    return DomainEvent(
        source=item["source"],
        detail_type=item["detailType"],
        detail=EventEnvelope.model_validate_json(item["detail"]),
    )


def outbox_events(records: Iterable[Mapping[str, Any]]) -> list[DomainEvent]:
    """The events of the outbox items inserted in a batch of DynamoDB stream records, in order."""
    return [event for record in records if (event := outbox_event(record)) is not None]


def make_outbox_forwarder(
    publisher_factory: Callable[[], EventPublisher],
) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """A Lambda handler for a table's stream that publishes every new outbox item.

    Each record is published on its own and a failure is reported by its sequence number, so Lambda
    retries from there; consumers are idempotent on the event id, so a re-publication is harmless.
    The publisher is created on the first invocation and reused by the warm process.
    """
    # Imported here, by the forwarder functions only: every service's data access writes outbox items
    # with outbox_put, and Powertools' batch utility (it loads asyncio) is no part of their cold start.
    from aws_lambda_powertools.utilities.batch import (  # noqa: PLC0415
        BatchProcessor,
        EventType,
        process_partial_response,
    )

    processor = BatchProcessor(
        event_type=EventType.DynamoDBStreams,
        raise_on_entire_batch_failure=False,  # None is as false (an equivalent mutant)
        # Powertools' Logger speaks the logging.Logger API; cast ignores its first argument (equivalent mutants)
        logger=cast(logging.Logger, logger),
    )
    publishers: list[EventPublisher] = []

    def publisher() -> EventPublisher:
        if not publishers:
            publishers.append(publisher_factory())
        return publishers[0]

    def forward(record: DynamoDBRecord) -> None:
        event = outbox_event(record.raw_event)
        if event is None:
            return
        publisher().publish([event])
        logger.debug("outbox event forwarded", extra={"event_id": event.id, "detail_type": event.detail_type})

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        # Powertools hands the context only to a record handler taking ``lambda_context``; ``forward`` does not,
        # so passing None or nothing is equivalent.
        return dict(process_partial_response(event, forward, processor, context))

    return handler

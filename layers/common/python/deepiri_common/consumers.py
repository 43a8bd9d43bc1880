"""SQS consumers of bus events: partial batch failures and idempotency on the event id.

Each consuming service reads its own queue (fed by an EventBridge rule) with a handler built by
:func:`make_event_consumer`. A record that fails is reported in ``batchItemFailures`` and comes back
later (after ``maxReceiveCount`` receives it lands in the DLQ); the others in the batch succeed. The
domain callback runs at most once per event and service, however often the event is delivered.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any, cast

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from pydantic import ValidationError

from deepiri_common.events import ReceivedEvent, parse_bus_event
from deepiri_common.observability import logger

# Long enough to cover redeliveries: the rule retries for 24 h and a queue keeps a message 4 days.
IDEMPOTENCY_TTL_SECONDS = 7 * 24 * 3600


class MalformedEvent(Exception):
    """An SQS message whose body is not a Deepiri bus event."""


def _bus_event(record: SQSRecord) -> ReceivedEvent:
    try:
        return parse_bus_event(json.loads(record.body))
    except ValidationError as exc:
        fields = ", ".join(".".join(map(str, error["loc"])) or "body" for error in exc.errors())
        # Chained exceptions would print the input values into the log; name the bad fields only.
        raise MalformedEvent(f"message {record.message_id}: invalid {fields}") from None
    except ValueError:  # not JSON at all
        raise MalformedEvent(f"message {record.message_id}: body is not JSON") from None


def _idempotent(
    handle: Callable[[ReceivedEvent], None], persistence: DynamoDBPersistenceLayer, config: IdempotencyConfig
) -> Callable[..., None]:
    """``handle`` made idempotent on the ``key`` of its ``idempotency`` keyword argument."""

    def run(event: ReceivedEvent, *, idempotency: dict[str, str]) -> None:
        handle(event)

    wrapped: Callable[..., None] = idempotent_function(
        data_keyword_argument="idempotency", persistence_store=persistence, config=config
    )(run)
    return wrapped


def make_event_consumer(
    handle: Callable[[ReceivedEvent], None],
    *,
    idempotency_table: Callable[[], str] | str,
    service: str,
) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """A Lambda handler for an SQS queue of bus events (``ReportBatchItemFailures``).

    ``handle`` is called once per event: the call is idempotent on ``<service>#<detail.id>`` through
    the Powertools idempotency table named by ``idempotency_table`` (a name, or a function returning
    it, resolved on the first invocation). A malformed record, or one whose ``handle`` raises, is
    logged and reported as a batch item failure without failing the other records.
    """
    processor = BatchProcessor(
        event_type=EventType.SQS,
        raise_on_entire_batch_failure=False,
        logger=cast(logging.Logger, logger),  # Powertools' Logger speaks the logging.Logger API
    )
    config = IdempotencyConfig(
        event_key_jmespath="key",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=IDEMPOTENCY_TTL_SECONDS,
    )
    once: list[Callable[..., None]] = []

    def idempotent_handle() -> Callable[..., None]:
        if not once:
            table = idempotency_table() if callable(idempotency_table) else idempotency_table
            once.append(_idempotent(handle, DynamoDBPersistenceLayer(table_name=table), config))
        return once[0]

    def consume(record: SQSRecord) -> None:
        event = _bus_event(record)
        idempotent_handle()(event, idempotency={"key": f"{service}#{event.detail.id}"})

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        config.register_lambda_context(context)
        return dict(process_partial_response(event, consume, processor, context))

    return handler

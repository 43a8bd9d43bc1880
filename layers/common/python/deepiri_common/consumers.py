"""SQS consumers of bus events: typed data, dead letters at once for bad events, idempotency on the event id.

Each consuming service reads its own queue (fed by an EventBridge rule) with a handler built by
:func:`make_event_consumer`, and declares what it consumes next to the handler: a mapping
``detail-type → pydantic model of data`` (its ``CONSUMES``). The contract tests check each declared
model against its producer's schema, and the template's rule against the declared detail-types.

What happens to a record:

- an event of a declared detail-type whose ``data`` its model accepts is handed to the domain callback,
  at most once per event and service, however often it is delivered;
- an event of a detail-type the consumer does not declare is acknowledged and ignored;
- a *permanent* failure (a body that is not a bus event, ``data`` its model rejects, or the callback
  raising :class:`PermanentFailure` or a pydantic ``ValidationError``) is sent at once to the queue's
  dead-letter queue with its reason as a message attribute, logged, and acknowledged: retrying bad data
  five times only delays the person who has to look at it;
- any other exception is *transient*: the record is reported in ``batchItemFailures`` and comes back
  (after ``maxReceiveCount`` receives SQS moves it to the same dead-letter queue).
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Mapping
from typing import Any, Protocol, cast

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from pydantic import BaseModel, ValidationError

from deepiri_common import aws
from deepiri_common.clock import to_iso, utc_now
from deepiri_common.events import ReceivedEvent, parse_bus_event
from deepiri_common.observability import logger
from deepiri_common.settings import CommonSettings, load_settings

# Long enough to cover redeliveries: the rule retries for 24 h and a queue keeps a message 4 days.
IDEMPOTENCY_TTL_SECONDS = 7 * 24 * 3600

# Message attributes a dead letter carries (read back by ``make dlq`` / ``make redrive``).
REASON_ATTRIBUTE = "deadLetterReason"
EVENT_TYPE_ATTRIBUTE = "eventType"
EVENT_ID_ATTRIBUTE = "eventId"
SOURCE_QUEUE_ATTRIBUTE = "sourceQueueArn"
DEAD_LETTERED_AT_ATTRIBUTE = "deadLetteredAt"
REASON_LIMIT = 1000  # characters of reason kept in an attribute and a log line

Consumes = Mapping[str, type[BaseModel]]
"""What a consumer reads: detail-type → the model of the event's ``data`` it relies on."""

Handle = Callable[[ReceivedEvent, Any], None]
"""The domain callback: the event and its ``data`` parsed with the declared model."""


class MalformedEvent(Exception):
    """An SQS message whose body is not a Deepiri bus event."""


class PermanentFailure(Exception):
    """Raised by a domain callback when the event can never be handled (retrying cannot help)."""


class ConsumerSettings(CommonSettings):
    """What every consumer function receives: its queue's dead-letter queue (``DEAD_LETTER_QUEUE_URL``)."""

    dead_letter_queue_url: str


class DeadLetters(Protocol):
    """Where a consumer puts a record it can never handle."""

    def send(self, record: SQSRecord, reason: str, event: ReceivedEvent | None) -> None:
        """Keep ``record`` with ``reason``; raise if it could not be kept (the record is then retried)."""


class SqsDeadLetters:
    """Sends a record's body to a dead-letter queue with the reason and the event's identity as attributes."""

    def __init__(self, queue_url: str, client: Any) -> None:
        """``client`` is a boto3 ``sqs`` client, created by the caller (lazily, once)."""
        self.queue_url = queue_url
        self.client = client

    def send(self, record: SQSRecord, reason: str, event: ReceivedEvent | None) -> None:
        """SendMessage of the original body to the dead-letter queue."""
        self.client.send_message(
            QueueUrl=self.queue_url, MessageBody=record.body,
            MessageAttributes=dead_letter_attributes(record, reason, event),
        )


def dead_letter_attributes(record: SQSRecord, reason: str, event: ReceivedEvent | None) -> dict[str, Any]:
    """SQS message attributes of a dead letter: why, what event, from which queue, when."""
    values = {
        REASON_ATTRIBUTE: reason[:REASON_LIMIT],
        SOURCE_QUEUE_ATTRIBUTE: record.event_source_arn,
        DEAD_LETTERED_AT_ATTRIBUTE: to_iso(utc_now()),
    }
    if event is not None:
        values |= {EVENT_TYPE_ATTRIBUTE: event.detail_type, EVENT_ID_ATTRIBUTE: event.detail.id}
    return {name: {"DataType": "String", "StringValue": value} for name, value in values.items() if value}


def _bus_event(record: SQSRecord) -> ReceivedEvent:
    try:
        return parse_bus_event(json.loads(record.body))
    except ValidationError as exc:
        raise MalformedEvent(f"not a bus event: {describe_validation_error(exc)}") from None
    except ValueError:  # not JSON at all
        raise MalformedEvent("not a bus event: body is not JSON") from None


def describe_validation_error(exc: ValidationError, prefix: str = "") -> str:
    """Each bad field and what is wrong with it, never the input values (they may hold personal data)."""
    problems = []
    for error in exc.errors(include_input=False, include_url=False):
        where = ".".join(map(str, error["loc"])) or "body"
        problems.append(f"{prefix}{where}: {error['msg']}")
    return "; ".join(problems)


def _idempotent(
    handle: Handle, persistence: DynamoDBPersistenceLayer, config: IdempotencyConfig
) -> Callable[..., None]:
    """``handle`` made idempotent on the ``key`` of its ``idempotency`` keyword argument."""

    def run(event: ReceivedEvent, data: BaseModel, *, idempotency: dict[str, str]) -> None:
        handle(event, data)

    wrapped: Callable[..., None] = idempotent_function(
        data_keyword_argument="idempotency", persistence_store=persistence, config=config
    )(run)
    return wrapped


def _default_dead_letters() -> DeadLetters:
    # Created on the first dead letter only, never at import.
    return SqsDeadLetters(load_settings(ConsumerSettings).dead_letter_queue_url, aws.client("sqs"))


def make_event_consumer(
    handle: Handle,
    *,
    consumes: Consumes,
    idempotency_table: Callable[[], str] | str,
    service: str,
    dead_letters: Callable[[], DeadLetters] = _default_dead_letters,
) -> Callable[[dict[str, Any], Any], dict[str, Any]]:
    """A Lambda handler for an SQS queue of bus events (``ReportBatchItemFailures``).

    ``handle(event, data)`` is called once per event of a detail-type in ``consumes``, with ``data``
    parsed by its model: the call is idempotent on ``<service>#<detail.id>`` through the Powertools
    idempotency table named by ``idempotency_table`` (a name, or a function returning it, resolved on the
    first invocation). Permanent failures go to ``dead_letters()`` (by default the queue named by
    ``DEAD_LETTER_QUEUE_URL``) at once; transient ones are reported as batch item failures without
    failing the other records.
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

    @functools.cache  # the table is named on the first invocation, then kept
    def idempotent_handle() -> Callable[..., None]:
        table = idempotency_table() if callable(idempotency_table) else idempotency_table
        return _idempotent(handle, DynamoDBPersistenceLayer(table_name=table), config)

    @functools.cache  # one sink per handler, made at its first dead letter
    def letters() -> DeadLetters:
        return dead_letters()

    def dead_letter(record: SQSRecord, reason: str, event: ReceivedEvent | None) -> None:
        letters().send(record, reason, event)
        logger.error("event dead-lettered", extra={
            "reason": reason[:REASON_LIMIT], "messageId": record.message_id,
            "event": event.detail_type if event else None, "eventId": event.detail.id if event else None,
        })

    def consume(record: SQSRecord) -> None:
        event: ReceivedEvent | None = None
        try:
            event = _bus_event(record)
            model = consumes.get(event.detail_type)
            if model is None:
                logger.info("ignored", extra={"event": event.detail_type, "eventId": event.detail.id})
                return
            try:
                data = model.model_validate(event.detail.data)
            except ValidationError as exc:
                raise PermanentFailure(
                    f"{event.detail_type} rejected by {model.__name__}: {describe_validation_error(exc, 'data.')}"
                ) from None
            idempotent_handle()(event, data, idempotency={"key": f"{service}#{event.detail.id}"})
        except (MalformedEvent, PermanentFailure) as failure:
            dead_letter(record, str(failure), event)
        except ValidationError as exc:  # a model the callback built from the event refused it: bad data
            dead_letter(record, f"rejected: {describe_validation_error(exc)}", event)

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        config.register_lambda_context(context)
        return dict(process_partial_response(event, consume, processor, context))

    return handler

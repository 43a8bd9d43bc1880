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

The record loop and the idempotency record are this module's own, not Powertools' batch and idempotency
utilities: both import boto3 at module level, about a third of a consumer's cold start on the Lambda
runtime, where the layer's botocore client (:mod:`deepiri_common.aws`) does the same three DynamoDB calls.
The idempotency items keep the layout and keys Powertools wrote (see :class:`IdempotencyRecords`), so
events handled before the change still count as handled after it.
"""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from botocore.exceptions import ClientError
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

# An idempotency item's status: claimed by an attempt still running, or handled.
IN_PROGRESS, COMPLETED = "INPROGRESS", "COMPLETED"
# The function name in an idempotency key when the handler is called without a Lambda context.
DEFAULT_FUNCTION_NAME = "test-func"

R = TypeVar("R", bound=BaseModel)

Consumes = Mapping[str, type[BaseModel]]
"""What a consumer reads: detail-type → the model of the event's ``data`` it relies on."""

Handle = Callable[[ReceivedEvent, Any], None]
"""The domain callback: the event and its ``data`` parsed with the declared model."""


class QueueRecord(Protocol):
    """What a consumer reads of one SQS record (Powertools' ``SQSRecord`` data class has the same shape)."""

    @property
    def message_id(self) -> str:
        """The record's ``messageId``: what ``batchItemFailures`` names."""

    @property
    def body(self) -> str:
        """The message body: a bus event as JSON, when all is well."""

    @property
    def event_source_arn(self) -> str:
        """The queue the record came from."""


@dataclass(frozen=True)
class SqsRecord:
    """One record of the SQS event Lambda delivers, the fields a consumer reads."""

    message_id: str
    body: str
    event_source_arn: str

    @classmethod
    def of(cls, raw: Mapping[str, Any]) -> SqsRecord:
        """The record as Lambda gives it (``messageId``, ``body``, ``eventSourceARN``)."""
        return cls(message_id=raw["messageId"], body=raw["body"], event_source_arn=raw.get("eventSourceARN") or "")


class MalformedEvent(Exception):
    """An SQS message whose body is not a Deepiri bus event."""


class PermanentFailure(Exception):
    """Raised by a domain callback when the event can never be handled (retrying cannot help)."""


class ConsumerSettings(CommonSettings):
    """What every consumer function receives: its queue's dead-letter queue (``DEAD_LETTER_QUEUE_URL``)."""

    dead_letter_queue_url: str


class DeadLetters(Protocol):
    """Where a consumer puts a record it can never handle."""

    def send(self, record: QueueRecord, reason: str, event: ReceivedEvent | None) -> None:
        """Keep ``record`` with ``reason``; raise if it could not be kept (the record is then retried)."""


class SqsDeadLetters:
    """Sends a record's body to a dead-letter queue with the reason and the event's identity as attributes."""

    def __init__(self, queue_url: str, client: Any) -> None:
        """``client`` is a boto3 ``sqs`` client, created by the caller (lazily, once)."""
        self.queue_url = queue_url
        self.client = client

    def send(self, record: QueueRecord, reason: str, event: ReceivedEvent | None) -> None:
        """SendMessage of the original body to the dead-letter queue."""
        self.client.send_message(
            QueueUrl=self.queue_url, MessageBody=record.body,
            MessageAttributes=dead_letter_attributes(record, reason, event),
        )


def dead_letter_attributes(record: QueueRecord, reason: str, event: ReceivedEvent | None) -> dict[str, Any]:
    """SQS message attributes of a dead letter: why, what event, from which queue, when."""
    values = {
        REASON_ATTRIBUTE: reason[:REASON_LIMIT],
        SOURCE_QUEUE_ATTRIBUTE: record.event_source_arn,
        DEAD_LETTERED_AT_ATTRIBUTE: to_iso(utc_now()),
    }
    if event is not None:
        values |= {EVENT_TYPE_ATTRIBUTE: event.detail_type, EVENT_ID_ATTRIBUTE: event.detail.id}
    return {name: {"DataType": "String", "StringValue": value} for name, value in values.items() if value}


def parse_request(record: QueueRecord, model: type[R]) -> R | None:
    """A work queue's record (not a bus event: a service's own request, e.g. one delivery) as ``model``, or
    None once a record that is not one has been sent to ``DEAD_LETTER_QUEUE_URL`` with its reason (retrying
    a malformed request cannot help)."""
    try:
        return model.model_validate_json(record.body)
    except ValidationError as exc:
        reason = f"not a {model.__name__}: {describe_validation_error(exc)}"
    _default_dead_letters().send(record, reason, None)
    logger.error("request dead-lettered", extra={"reason": reason[:REASON_LIMIT], "messageId": record.message_id})
    return None


def _bus_event(record: QueueRecord) -> ReceivedEvent:
    try:
        return parse_bus_event(json.loads(record.body))
    except ValidationError as exc:
        raise MalformedEvent(f"not a bus event: {describe_validation_error(exc)}") from None
    except ValueError:  # not JSON at all
        raise MalformedEvent("not a bus event: body is not JSON") from None


def describe_validation_error(exc: ValidationError, prefix: str = "") -> str:
    """Each bad field and what is wrong with it, never the input values (they may hold personal data)."""
    problems = []
    # The flags only add the input and a URL to each error, and neither is read below: dropping them or making
    # them True changes no message (4 equivalent mutants).
    for error in exc.errors(include_input=False, include_url=False):
        where = ".".join(map(str, error["loc"])) or "body"
        problems.append(f"{prefix}{where}: {error['msg']}")
    return "; ".join(problems)


class EventInProgress(Exception):
    """Another attempt holds the event's idempotency record and its time is not up: the record is retried."""


class IdempotencyRecords:
    """Which events a consumer has handled: one item per event and service in the idempotency table.

    An attempt *claims* the event with a conditional put of an ``INPROGRESS`` item, which succeeds only
    when no item exists, the item has expired, or an earlier attempt's in-progress time (its function's
    remaining time when it claimed) is up: that attempt crashed or timed out. The attempt then marks the
    item ``COMPLETED``, or deletes it when the callback raised, so a redelivery runs the callback again.
    A ``COMPLETED`` item makes every later delivery a no-op until ``expiration`` (the table's TTL
    attribute) passes; an ``INPROGRESS`` one makes a concurrent delivery fail and come back later.

    The attributes (``id``, ``status``, ``expiration`` in seconds, ``in_progress_expiration`` in
    milliseconds) and the key are those Powertools' idempotency utility wrote for this module, so items
    written before it was replaced keep their meaning.
    """

    # The function Powertools' decorator wrapped here, which its keys name.
    _POWERTOOLS_CALLER = "deepiri_common.consumers._idempotent.<locals>.run"

    def __init__(self, table: str, client: Any, *, ttl_seconds: int = IDEMPOTENCY_TTL_SECONDS,
                 clock: Callable[[], float] = time.time) -> None:
        """``client`` is a low-level DynamoDB client, created by the caller (lazily, once)."""
        self.table = table
        self.client = client
        self.ttl_seconds = ttl_seconds
        self.clock = clock

    @classmethod
    def key(cls, function_name: str, event_key: str) -> str:
        """The item's ``id``: the function, then the MD5 of the event key as JSON (Powertools' format)."""
        # usedforsecurity only tells a FIPS-restricted OpenSSL this MD5 is no security use: the digest is
        # the same with it dropped or True (equivalent mutants on the Lambda runtime, which is not FIPS-restricted).
        digest = hashlib.md5(json.dumps(event_key).encode(), usedforsecurity=False).hexdigest()
        return f"{function_name}.{cls._POWERTOOLS_CALLER}#{digest}"

    def claim(self, key: str, remaining_ms: int | None) -> bool:
        """Claim the event for this attempt: True to handle it, False when it was handled already.

        Raises :class:`EventInProgress` when another attempt holds it.
        """
        now = self.clock()
        item = {"id": {"S": key}, "status": {"S": IN_PROGRESS},
                "expiration": {"N": str(int(now) + self.ttl_seconds)}}
        if remaining_ms is not None:  # the function's time left bounds a crashed attempt's claim
            item["in_progress_expiration"] = {"N": str(int(now * 1000) + remaining_ms)}
        try:
            self.client.put_item(
                TableName=self.table, Item=item,
                # Keywords are case-insensitive: "or" and "and" in lower case are the same condition (equivalent).
                ConditionExpression="attribute_not_exists(#id) OR #expiry < :now OR "
                                    "(#status = :in_progress AND attribute_exists(#in_progress_expiry) "
                                    "AND #in_progress_expiry < :now_ms)",
                ExpressionAttributeNames={"#id": "id", "#expiry": "expiration", "#status": "status",
                                          "#in_progress_expiry": "in_progress_expiration"},
                ExpressionAttributeValues={":now": {"N": str(int(now))}, ":now_ms": {"N": str(int(now * 1000))},
                                           ":in_progress": {"S": IN_PROGRESS}},
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except ClientError as exc:
            # botocore's ClientError always carries "Error": its default is never read (equivalent mutants).
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            # The item that stood in the way: returned with the failure (ALL_OLD), else read back.
            response: Mapping[str, Any] = exc.response  # botocore's type names no "Item"; the answer has it
            held: dict[str, Any] | None = response.get("Item") or self._read(key)
            # Every item this module (or Powertools before it) writes has a status: the default is never read
            # (another default, or none, is equivalent).
            if held is not None and held.get("status", {}).get("S") == COMPLETED:
                return False
            raise EventInProgress(key) from None
        return True

    def complete(self, key: str) -> None:
        """Mark the claimed event handled, remembered for ``ttl_seconds`` from now."""
        self.client.update_item(
            TableName=self.table, Key={"id": {"S": key}},
            # DynamoDB's expression keywords are case-insensitive: "set" is the same update (equivalent).
            UpdateExpression="SET #status = :completed, #expiry = :expiry",
            ExpressionAttributeNames={"#status": "status", "#expiry": "expiration"},
            ExpressionAttributeValues={":completed": {"S": COMPLETED},
                                       ":expiry": {"N": str(int(self.clock()) + self.ttl_seconds)}},
        )

    def release(self, key: str) -> None:
        """Give the claim up (the callback failed), so the next delivery handles the event."""
        self.client.delete_item(TableName=self.table, Key={"id": {"S": key}})

    def _read(self, key: str) -> dict[str, Any] | None:
        item: dict[str, Any] | None = self.client.get_item(
            TableName=self.table, Key={"id": {"S": key}}, ConsistentRead=True).get("Item")
        return item


def _records(event: Mapping[str, Any]) -> list[SqsRecord]:
    records = event.get("Records")
    if not isinstance(records, list):
        raise ValueError("not an SQS event: no Records list")
    return [SqsRecord.of(raw) for raw in records]


def _remaining_ms(context: Any) -> int | None:
    remaining = getattr(context, "get_remaining_time_in_millis", None)
    return int(remaining()) if callable(remaining) else None


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
    parsed by its model: the call is idempotent on ``<service>#<detail.id>`` through the idempotency
    table named by ``idempotency_table`` (a name, or a function returning it, resolved on the first
    invocation; see :class:`IdempotencyRecords`). Permanent failures go to ``dead_letters()`` (by default
    the queue named by ``DEAD_LETTER_QUEUE_URL``) at once; transient ones are reported as batch item
    failures without failing the other records.
    """

    @functools.cache  # the table is named on the first invocation, then kept with its client
    def handled() -> IdempotencyRecords:
        table = idempotency_table() if callable(idempotency_table) else idempotency_table
        return IdempotencyRecords(table, aws.client("dynamodb"))

    @functools.cache  # one sink per handler, made at its first dead letter
    def letters() -> DeadLetters:
        return dead_letters()

    def dead_letter(record: QueueRecord, reason: str, event: ReceivedEvent | None) -> None:
        letters().send(record, reason, event)
        logger.error("event dead-lettered", extra={
            "reason": reason[:REASON_LIMIT], "messageId": record.message_id,
            "event": event.detail_type if event else None, "eventId": event.detail.id if event else None,
        })

    def once(event: ReceivedEvent, data: BaseModel, context: Any) -> None:
        records = handled()
        key = IdempotencyRecords.key(getattr(context, "function_name", None) or DEFAULT_FUNCTION_NAME,
                                     f"{service}#{event.detail.id}")
        if not records.claim(key, _remaining_ms(context)):
            logger.info("already handled", extra={"event": event.detail_type, "eventId": event.detail.id})
            return
        try:
            handle(event, data)
        except BaseException:
            records.release(key)
            raise
        records.complete(key)

    def consume(record: QueueRecord, context: Any) -> None:
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
            once(event, data, context)
        except (MalformedEvent, PermanentFailure) as failure:
            dead_letter(record, str(failure), event)
        except ValidationError as exc:  # a model the callback built from the event refused it: bad data
            dead_letter(record, f"rejected: {describe_validation_error(exc)}", event)

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        failures = []
        for record in _records(event):
            try:
                consume(record, context)
            except Exception as exc:  # noqa: BLE001 - any other failure is transient: SQS delivers it again
                logger.warning("Record processing exception; skipping this record", exc_info=exc)
                failures.append({"itemIdentifier": record.message_id})
        return {"batchItemFailures": failures}

    return handler

"""The delivery queue → one signed POST per message (SQS batch with partial failures). A message that is not
a delivery request goes to the queue's DLQ at once; failed attempts are retried by the logic's own backoff
(a delayed message), so an exception here means the attempt could not even be recorded and SQS retries it."""

from __future__ import annotations

import logging
from typing import Any, cast

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from pydantic import ValidationError

from deepiri_common import aws
from deepiri_common.clock import utc_now
from deepiri_common.consumers import ConsumerSettings, SqsDeadLetters, describe_validation_error
from deepiri_common.observability import logger
from deepiri_common.settings import load_settings
from deepiri_webhooks import wiring
from deepiri_webhooks.logic.delivery import deliver
from deepiri_webhooks.models.subscriptions import DeliveryRequest

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False,
                           logger=cast(logging.Logger, logger))


def _dead_letter(record: SQSRecord, reason: str) -> None:
    SqsDeadLetters(load_settings(ConsumerSettings).dead_letter_queue_url, aws.client("sqs")).send(record, reason, None)
    logger.error("delivery request dead-lettered", extra={"reason": reason, "messageId": record.message_id})


def deliver_record(record: SQSRecord) -> None:
    try:
        request = DeliveryRequest.model_validate_json(record.body)
    except ValidationError as exc:
        _dead_letter(record, f"not a delivery request: {describe_validation_error(exc)}")
        return
    outcome = deliver(wiring.delivery_tools(), request, utc_now())
    logger.info("delivery", extra={"deliveryId": request.deliveryId, "subscriptionId": request.subscriptionId,
                                   "outcome": outcome})


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return dict(process_partial_response(event, deliver_record, processor, context))

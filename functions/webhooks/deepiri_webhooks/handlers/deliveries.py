"""The delivery queue → one signed POST per message (SQS batch with partial failures). A message that is not
a delivery request goes to the queue's DLQ at once; failed attempts are retried by the logic's own backoff
(a delayed message), so an exception here means the attempt could not even be recorded and SQS retries it."""

from __future__ import annotations

import logging
from typing import Any, cast

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from deepiri_common.clock import utc_now
from deepiri_common.consumers import parse_request
from deepiri_common.observability import logger
from deepiri_webhooks import wiring
from deepiri_webhooks.logic.delivery import deliver
from deepiri_webhooks.models.subscriptions import DeliveryRequest

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False,
                           logger=cast(logging.Logger, logger))


def deliver_record(record: SQSRecord) -> None:
    request = parse_request(record, DeliveryRequest)
    if request is None:
        return
    outcome = deliver(wiring.delivery_tools(), request, utc_now())
    logger.info("delivery", extra={"deliveryId": request.deliveryId, "subscriptionId": request.subscriptionId,
                                   "outcome": outcome})


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return dict(process_partial_response(event, deliver_record, processor, context))

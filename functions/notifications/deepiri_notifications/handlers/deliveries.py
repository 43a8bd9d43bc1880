"""The delivery queue → email through SES and push through SNS, one message per notification and channel
(SQS batch with partial failures). A message that is not a delivery request goes to the queue's DLQ at once."""

from __future__ import annotations

import logging
from typing import Any, cast

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

from deepiri_common.clock import utc_now
from deepiri_common.consumers import parse_request
from deepiri_common.observability import logger
from deepiri_notifications import wiring
from deepiri_notifications.logic.delivery import deliver
from deepiri_notifications.models.notifications import DeliveryRequest

processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False,
                           logger=cast(logging.Logger, logger))


def deliver_record(record: SQSRecord) -> None:
    request = parse_request(record, DeliveryRequest)
    if request is None:
        return
    outcome = deliver(wiring.notification_repository(), wiring.channels(), request, utc_now())
    logger.info("delivery", extra={"notificationId": request.notificationId, "channel": request.channel,
                                   "outcome": outcome})


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return dict(process_partial_response(event, deliver_record, processor, context))

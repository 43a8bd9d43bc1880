"""The allow-listed events of a user → one delivery per matching subscription, queued (SQS batch, idempotent
per event id)."""

from __future__ import annotations

from typing import Any

from deepiri_common.clock import to_iso, utc_now
from deepiri_common.consumers import Consumes, make_event_consumer
from deepiri_common.events import ReceivedEvent
from deepiri_common.observability import logger
from deepiri_webhooks import wiring
from deepiri_webhooks.logic.fanout import fan_out
from deepiri_webhooks.models.events import EVENT_TYPES, UserEventData

# What this consumer reads: exactly the allow-list a subscription may name. The contract tests check the
# model against each producer's schema, and the WebhooksEvents application's detail-types against these keys.
CONSUMES: Consumes = dict.fromkeys(EVENT_TYPES, UserEventData)


def handle(event: ReceivedEvent, data: UserEventData) -> None:
    queued = fan_out(wiring.webhook_repository(), wiring.delivery_queue(), event_id=event.detail.id,
                     event_type=event.detail_type, occurred_at=event.detail.occurredAt, user_id=data.userId,
                     data=dict(event.detail.data), now=to_iso(utc_now()))
    logger.info("handled", extra={"event": event.detail_type, "eventId": event.detail.id, "deliveries": queued})


handler: Any = make_event_consumer(
    handle, consumes=CONSUMES,
    idempotency_table=lambda: wiring.settings().idempotency_table, service="webhooks")

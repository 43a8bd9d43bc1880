"""One event of a user → one delivery per subscription of that user to its type, queued once.

The consumer is idempotent on the event id; beyond that a delivery is written with a per-(subscription,
event) marker in one transaction, so a fan-out interrupted half-way and run again makes no delivery twice
(it queues again only a delivery never tried, whose message may have been lost). Deliveries are
at-least-once: a receiver deduplicates on the ``Deepiri-Delivery`` header.
"""

from __future__ import annotations

import json
from typing import Any

from deepiri_common.ids import new_ulid
from deepiri_webhooks.logic.ports import DeliveryQueue, WebhookStore
from deepiri_webhooks.models.subscriptions import DeliveryRequest, StoredWebhookDelivery


def delivery_body(event_id: str, event_type: str, occurred_at: str, user_id: str, data: dict[str, Any]) -> str:
    """The JSON body every attempt of a delivery sends (and signs), fixed when the delivery is made."""
    return json.dumps({"id": event_id, "type": event_type, "occurredAt": occurred_at, "userId": user_id,
                       "data": data}, separators=(",", ":"), sort_keys=True)


def fan_out(store: WebhookStore, queue: DeliveryQueue, *, event_id: str, event_type: str, occurred_at: str,
            user_id: str, data: dict[str, Any], now: str) -> list[str]:
    """Queue a delivery of the event to each of the user's subscriptions to its type; the new deliveries' ids."""
    body = delivery_body(event_id, event_type, occurred_at, user_id, data)
    queued = []
    for subscription in store.all_subscriptions(user_id):
        if event_type not in subscription.eventTypes:
            continue
        delivery = StoredWebhookDelivery(id=new_ulid(), subscriptionId=subscription.id, userId=user_id,
                                         eventId=event_id, eventType=event_type, status="pending", createdAt=now,
                                         body=body)
        earlier = store.create_delivery(delivery)
        if earlier is not None:  # an earlier run of this fan-out made it: queue it again only if never tried
            made = store.delivery(subscription.id, earlier)
            # A delivery leaves "pending" only with an attempt recorded, so either test alone would do
            # (the mutant joining them with ``and`` is equivalent).
            if made is None or made.status != "pending" or made.attempts:
                continue
            delivery = made
        queue.send(DeliveryRequest(userId=user_id, subscriptionId=subscription.id, deliveryId=delivery.id),
                   delay_seconds=0)
        queued.append(delivery.id)
    return queued

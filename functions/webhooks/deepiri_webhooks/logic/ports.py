"""What the webhooks logic needs from the outside, as protocols (``dal/`` implements them; tests fake them)."""

from __future__ import annotations

from typing import Protocol

from deepiri_common.pagination import Page
from deepiri_webhooks.models.subscriptions import (
    DeliveryRequest,
    DeliveryStatus,
    StoredWebhookDelivery,
    StoredWebhookSubscription,
    WebhookAttempt,
)
from deepiri_webhooks.models.targets import Target


class WebhookStore(Protocol):
    def count_subscriptions(self, user_id: str) -> int: ...

    def create_subscription(self, subscription: StoredWebhookSubscription) -> None: ...

    def subscriptions(self, user_id: str, limit: int, cursor: str | None) -> Page[StoredWebhookSubscription]: ...

    def all_subscriptions(self, user_id: str) -> list[StoredWebhookSubscription]: ...

    def subscription(self, user_id: str, subscription_id: str) -> StoredWebhookSubscription | None: ...

    def delete_subscription(self, user_id: str, subscription_id: str) -> bool: ...

    def replace_secret(self, user_id: str, subscription_id: str, sealed: str,
                       at: str) -> StoredWebhookSubscription | None: ...

    def create_delivery(self, delivery: StoredWebhookDelivery) -> str | None:
        """Write ``delivery`` unless its event has a delivery to its subscription already: None when written,
        else the id of that earlier delivery."""

    def delivery(self, subscription_id: str, delivery_id: str) -> StoredWebhookDelivery | None: ...

    def deliveries(self, subscription_id: str, limit: int, cursor: str | None) -> Page[StoredWebhookDelivery]: ...

    def dead_letters(self, subscription_id: str, limit: int, cursor: str | None) -> Page[StoredWebhookDelivery]: ...

    def record_attempt(self, delivery: StoredWebhookDelivery, attempt: WebhookAttempt, status: DeliveryStatus, *,
                       next_attempt_at: str | None = None, dead_reason: str | None = None) -> None: ...


class DeliveryQueue(Protocol):
    def send(self, request: DeliveryRequest, delay_seconds: int) -> None: ...  # a protocol: no code to test


class SecretBox(Protocol):
    def seal(self, secret: str) -> str: ...

    def open(self, sealed: str) -> str: ...


class Sender(Protocol):
    def post(self, target: Target, body: bytes, headers: dict[str, str], timeout: float) -> tuple[bool, str]:
        """POST ``body`` to the target's first checked address; (a 2xx came back, what came back)."""

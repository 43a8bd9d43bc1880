"""Subscriptions and deliveries as the API shows them, and the delivery queue's message."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from deepiri_common.text import SingleLine
from deepiri_webhooks.models.events import EventType

ULID_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"
MAX_URL_LENGTH = 2048
MAX_SUBSCRIPTIONS = 20  # per user: the consumer reads them all for every event of the user

DeliveryStatus = Literal["pending", "retrying", "delivered", "dead"]
"""pending: queued, not tried yet; retrying: failed, tried again later; delivered: the receiver answered 2xx;
dead: the retry window passed (or the URL became refused): listed among the subscription's dead letters."""


class WebhookSubscriptionRequest(BaseModel):
    """What a subscriber asks for: where to deliver, and which event types."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{
        "url": "https://hooks.example.com/deepiri", "eventTypes": ["TaskCompleted", "LevelUp"],
        "description": "my dashboard"}]})

    url: str = Field(min_length=1, max_length=MAX_URL_LENGTH,
                     description="https URL the deliveries are POSTed to (public addresses only)")
    eventTypes: list[EventType] = Field(min_length=1, max_length=len(EventType.__args__))  # type: ignore[attr-defined]
    description: SingleLine | None = Field(default=None, max_length=200)


class WebhookSubscription(BaseModel):
    """A subscription, without its secret (shown once, when created or rotated)."""

    id: str
    url: str
    eventTypes: list[str]
    description: str | None = None
    createdAt: str
    secretRotatedAt: str


class WebhookSubscriptionWithSecret(WebhookSubscription):
    """The answer to a creation or a rotation: the only time the signing secret is shown."""

    secret: str = Field(description="the HMAC-SHA256 key of the Deepiri-Signature header; shown only now")


class StoredWebhookSubscription(WebhookSubscription):
    """A subscription with what only the service reads: whose it is, and its sealed secret."""

    userId: str
    sealedSecret: str

    def public(self) -> WebhookSubscription:
        return WebhookSubscription.model_validate(self.model_dump(include=set(WebhookSubscription.model_fields)))


class WebhookAttempt(BaseModel):
    at: str
    outcome: str = Field(description="the receiver's HTTP status, or why no answer came")
    ok: bool


class WebhookDelivery(BaseModel):
    """One event delivered (or being delivered) to one subscription, with every attempt."""

    id: str
    eventId: str
    eventType: str
    status: DeliveryStatus
    createdAt: str
    attempts: list[WebhookAttempt] = Field(default_factory=list)
    nextAttemptAt: str | None = None
    deliveredAt: str | None = None
    deadAt: str | None = None
    deadReason: str | None = None


class StoredWebhookDelivery(WebhookDelivery):
    """A delivery with the raw body every attempt sends (signed afresh each time) and whose it is."""

    subscriptionId: str
    userId: str
    body: str

    def public(self) -> WebhookDelivery:
        return WebhookDelivery.model_validate(self.model_dump(include=set(WebhookDelivery.model_fields)))


class DeliveryRequest(BaseModel):
    """The delivery queue's message: try this delivery now (or, before ``notBefore``, wait on)."""

    model_config = ConfigDict(extra="forbid")

    userId: str = Field(min_length=1, max_length=128)
    subscriptionId: str = Field(pattern=ULID_PATTERN)
    deliveryId: str = Field(pattern=ULID_PATTERN)
    notBefore: str | None = None

"""Outgoing webhook subscriptions under /api/webhooks/subscriptions: the caller's own, or those of the user
an OAuth client acts for with the ``webhooks:manage`` scope. Another user's subscription answers 404."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path

from deepiri_common.api import api_handler, create_resolver
from deepiri_common.clock import to_iso, utc_now
from deepiri_common.identity import current_caller
from deepiri_common.pagination import Page
from deepiri_common.params import Cursor, Limit, no_content
from deepiri_common.routes import Routes
from deepiri_webhooks import wiring
from deepiri_webhooks.logic import subscriptions
from deepiri_webhooks.models.subscriptions import (
    ULID_PATTERN,
    WebhookDelivery,
    WebhookSubscription,
    WebhookSubscriptionRequest,
    WebhookSubscriptionWithSecret,
)

SCOPE = "webhooks:manage"
NO_STORE = {"Cache-Control": "no-store"}

app = create_resolver()
routes = Routes(app)

SubscriptionId = Annotated[str, Path(pattern=ULID_PATTERN)]


def _me() -> str:
    return current_caller(app).user_id


@routes.post("/api/webhooks/subscriptions", scope=SCOPE, status=201, problems=(409,))
def create_subscription(body: WebhookSubscriptionRequest) -> Response[WebhookSubscriptionWithSecret]:
    """Subscribe a URL to event types; the signing secret is shown this once."""
    created = subscriptions.create(wiring.webhook_repository(), wiring.secret_box(), wiring.targets(), _me(), body,
                                   now=to_iso(utc_now()))
    return Response(status_code=201, body=created, content_type="application/json",
                    headers={**NO_STORE, "Location": f"/api/webhooks/subscriptions/{created.id}"})


@routes.get("/api/webhooks/subscriptions", scope=SCOPE)
def list_subscriptions(limit: Limit = 20, cursor: Cursor = None) -> Page[WebhookSubscription]:
    """The caller's subscriptions, oldest first (no secrets)."""
    return subscriptions.listed(wiring.webhook_repository(), _me(), limit, cursor)


@routes.get("/api/webhooks/subscriptions/<id>", scope=SCOPE)
def get_subscription(id: SubscriptionId) -> WebhookSubscription:
    """One of the caller's subscriptions (no secret)."""
    return subscriptions.owned(wiring.webhook_repository(), _me(), id).public()


@routes.delete("/api/webhooks/subscriptions/<id>", scope=SCOPE)
def delete_subscription(id: SubscriptionId) -> Response[None]:
    """Delete a subscription with its deliveries; nothing more is sent to its URL."""
    subscriptions.delete(wiring.webhook_repository(), _me(), id)
    return no_content()


@routes.post("/api/webhooks/subscriptions/<id>/rotate-secret", scope=SCOPE)
def rotate_secret(id: SubscriptionId) -> Response[WebhookSubscriptionWithSecret]:
    """Replace the signing secret (the old one stops at once); the new one is shown this once."""
    rotated = subscriptions.rotate_secret(wiring.webhook_repository(), wiring.secret_box(), _me(), id,
                                          to_iso(utc_now()))
    return Response(status_code=200, body=rotated, content_type="application/json", headers=NO_STORE)


@routes.get("/api/webhooks/subscriptions/<id>/deliveries", scope=SCOPE)
def list_deliveries(id: SubscriptionId, limit: Limit = 20, cursor: Cursor = None) -> Page[WebhookDelivery]:
    """The subscription's deliveries, newest first, with every attempt."""
    return subscriptions.deliveries(wiring.webhook_repository(), _me(), id, limit, cursor)


@routes.get("/api/webhooks/subscriptions/<id>/dead-letters", scope=SCOPE)
def list_dead_letters(id: SubscriptionId, limit: Limit = 20, cursor: Cursor = None) -> Page[WebhookDelivery]:
    """The subscription's deliveries that were given up (retry window over, or the URL refused), newest first."""
    return subscriptions.deliveries(wiring.webhook_repository(), _me(), id, limit, cursor, dead_only=True)


handler: Any = api_handler(app)

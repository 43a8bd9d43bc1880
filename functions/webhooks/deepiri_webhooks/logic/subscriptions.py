"""A user's subscriptions: create (the URL checked, the secret shown once), list, read, delete, rotate."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from deepiri_common.ids import new_ulid
from deepiri_common.pagination import Page
from deepiri_common.problems import Conflict, NotFound, ValidationFailed
from deepiri_webhooks.logic.ports import SecretBox, WebhookStore
from deepiri_webhooks.logic.signing import new_secret
from deepiri_webhooks.logic.targets import Resolve, TargetRefused, check_target
from deepiri_webhooks.models.subscriptions import (
    MAX_SUBSCRIPTIONS,
    StoredWebhookSubscription,
    WebhookDelivery,
    WebhookSubscription,
    WebhookSubscriptionRequest,
    WebhookSubscriptionWithSecret,
)


@dataclass(frozen=True)
class Targets:
    """How URLs are checked: the resolver and the stage's allow-list."""

    resolve: Resolve
    allowed: Iterable[str]


def create(store: WebhookStore, box: SecretBox, targets: Targets, user_id: str, request: WebhookSubscriptionRequest, *,
           now: str) -> WebhookSubscriptionWithSecret:
    """A new subscription of ``user_id``; 422 for a refused URL, 409 beyond the per-user limit."""
    try:
        check_target(request.url, targets.resolve, targets.allowed)
    except TargetRefused as refused:
        raise ValidationFailed([{"field": "body.url", "message": str(refused)}]) from None
    if store.count_subscriptions(user_id) >= MAX_SUBSCRIPTIONS:
        raise Conflict(f"at most {MAX_SUBSCRIPTIONS} subscriptions per user")
    secret = new_secret()
    stored = StoredWebhookSubscription(id=new_ulid(), userId=user_id, url=request.url.strip(),
                                eventTypes=sorted(set(request.eventTypes)), description=request.description,
                                createdAt=now, secretRotatedAt=now, sealedSecret=box.seal(secret))
    store.create_subscription(stored)
    return WebhookSubscriptionWithSecret(**stored.public().model_dump(), secret=secret)


def listed(store: WebhookStore, user_id: str, limit: int, cursor: str | None) -> Page[WebhookSubscription]:
    page = store.subscriptions(user_id, limit, cursor)
    return Page[WebhookSubscription](items=[s.public() for s in page.items], next_cursor=page.next_cursor)


def owned(store: WebhookStore, user_id: str, subscription_id: str) -> StoredWebhookSubscription:
    """The user's subscription; 404 when there is none of that id (another user's included)."""
    found = store.subscription(user_id, subscription_id)
    if found is None:
        raise NotFound("no such subscription")
    return found


def delete(store: WebhookStore, user_id: str, subscription_id: str) -> None:
    if not store.delete_subscription(user_id, subscription_id):
        raise NotFound("no such subscription")


def rotate_secret(store: WebhookStore, box: SecretBox, user_id: str, subscription_id: str,
                  now: str) -> WebhookSubscriptionWithSecret:
    """A new secret for the subscription (the old one stops signing at once), shown once."""
    secret = new_secret()
    updated = store.replace_secret(user_id, subscription_id, box.seal(secret), now)
    if updated is None:
        raise NotFound("no such subscription")
    return WebhookSubscriptionWithSecret(**updated.public().model_dump(), secret=secret)


def deliveries(store: WebhookStore, user_id: str, subscription_id: str, limit: int, cursor: str | None,
               *, dead_only: bool = False) -> Page[WebhookDelivery]:
    """The subscription's deliveries, newest first (or only its dead letters)."""
    owned(store, user_id, subscription_id)
    read = store.dead_letters if dead_only else store.deliveries
    page = read(subscription_id, limit, cursor)
    return Page[WebhookDelivery](items=[d.public() for d in page.items], next_cursor=page.next_cursor)

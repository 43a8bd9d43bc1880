"""One attempt of one delivery: check the URL again, sign, POST, then record it and plan what comes next.

- A delivery already delivered or dead, or whose subscription is gone, is left alone (a redelivered message).
- A message that arrives before its ``notBefore`` (SQS delays at most 15 minutes) is queued again to wait.
- A URL refused at delivery time (its host now resolves to a private address) dead-letters the delivery
  at once: no retry can make it safe.
- A 2xx answer delivers it; anything else (a status, a timeout, a refused connection) is retried by
  :mod:`deepiri_webhooks.logic.backoff` until its window ends, then the delivery is dead-lettered and
  listed among the subscription's dead letters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from deepiri_common.clock import parse_iso, to_iso
from deepiri_webhooks.logic.backoff import RetryPolicy, next_attempt_at
from deepiri_webhooks.logic.ports import DeliveryQueue, SecretBox, Sender, WebhookStore
from deepiri_webhooks.logic.signing import delivery_headers
from deepiri_webhooks.logic.subscriptions import Targets
from deepiri_webhooks.logic.targets import TargetRefused, check_target
from deepiri_webhooks.models.subscriptions import DeliveryRequest, StoredWebhookDelivery, WebhookAttempt
from deepiri_webhooks.models.targets import Target

MAX_QUEUE_DELAY_SECONDS = 900  # SQS's longest message delay


@dataclass(frozen=True)
class DeliveryTools:
    store: WebhookStore
    queue: DeliveryQueue
    box: SecretBox
    sender: Sender
    targets: Targets
    policy: RetryPolicy
    timeout_seconds: float
    random: Callable[[], float]


def _wait(tools: DeliveryTools, request: DeliveryRequest, until: datetime, now: datetime) -> None:
    seconds = max(0, min(MAX_QUEUE_DELAY_SECONDS, int((until - now).total_seconds() + 0.999)))
    tools.queue.send(request.model_copy(update={"notBefore": to_iso(until)}), delay_seconds=seconds)


def deliver(tools: DeliveryTools, request: DeliveryRequest, now: datetime) -> str:
    """Make one attempt of the requested delivery (or wait, or do nothing); what happened, in a word."""
    delivery = tools.store.delivery(request.subscriptionId, request.deliveryId)
    if delivery is None or delivery.status in ("delivered", "dead"):
        return "nothing to do"
    if request.notBefore and now < parse_iso(request.notBefore):
        _wait(tools, request, parse_iso(request.notBefore), now)
        return "waiting"
    subscription = tools.store.subscription(request.userId, request.subscriptionId)
    if subscription is None:
        return "subscription gone"
    try:
        target = check_target(subscription.url, tools.targets.resolve, tools.targets.allowed)
    except TargetRefused as refused:
        attempt = WebhookAttempt(at=to_iso(now), outcome=f"refused: {refused}", ok=False)
        tools.store.record_attempt(delivery, attempt, "dead",
                                   dead_reason=f"the URL was refused at delivery: {refused}")
        return "refused"
    return _attempt(tools, request, delivery, target, secret=tools.box.open(subscription.sealedSecret), now=now)


def _attempt(tools: DeliveryTools, request: DeliveryRequest, delivery: StoredWebhookDelivery, target: Target, *,
             secret: str, now: datetime) -> str:
    """POST the delivery to its checked target, record the attempt, and plan the next one if it failed."""
    body = delivery.body.encode("utf-8")  # "UTF-8" is the same codec (an equivalent mutant)
    headers = delivery_headers(secret, int(now.timestamp()), body, delivery.eventType, delivery.id)
    ok, outcome = tools.sender.post(target, body, headers, tools.timeout_seconds)
    attempt = WebhookAttempt(at=to_iso(now), outcome=outcome, ok=ok)
    if ok:
        tools.store.record_attempt(delivery, attempt, "delivered")
        return "delivered"
    number = len(delivery.attempts) + 1
    retry_at = next_attempt_at(parse_iso(delivery.createdAt), now, number, tools.policy, tools.random)
    if retry_at is None:
        tools.store.record_attempt(delivery, attempt, "dead",
                                   dead_reason=f"no 2xx answer in {number} attempts within the retry window")
        return "dead"
    tools.store.record_attempt(delivery, attempt, "retrying", next_attempt_at=to_iso(retry_at))
    _wait(tools, request, retry_at, now)
    return "retrying"

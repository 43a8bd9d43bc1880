"""The webhooks store, queue, secret box and sender in memory, keeping their contracts: one delivery per
(subscription, event), a subscription read only by its owner, secrets sealed (not kept in clear)."""

from __future__ import annotations

from dataclasses import dataclass, field

from deepiri_common.pagination import Page
from deepiri_webhooks.models.subscriptions import (
    DeliveryRequest,
    DeliveryStatus,
    StoredWebhookDelivery,
    StoredWebhookSubscription,
    WebhookAttempt,
)
from deepiri_webhooks.models.targets import Target


@dataclass
class FakeStore:
    subs: dict[tuple[str, str], StoredWebhookSubscription] = field(default_factory=dict)
    dels: dict[tuple[str, str], StoredWebhookDelivery] = field(default_factory=dict)
    markers: dict[tuple[str, str], str] = field(default_factory=dict)

    def count_subscriptions(self, user_id: str) -> int:
        return sum(1 for user, _ in self.subs if user == user_id)

    def create_subscription(self, subscription: StoredWebhookSubscription) -> None:
        self.subs[(subscription.userId, subscription.id)] = subscription

    def subscriptions(self, user_id: str, limit: int, cursor: str | None) -> Page[StoredWebhookSubscription]:
        return Page[StoredWebhookSubscription](items=self.all_subscriptions(user_id)[:limit])

    def all_subscriptions(self, user_id: str) -> list[StoredWebhookSubscription]:
        return [s for (user, _), s in sorted(self.subs.items()) if user == user_id]

    def subscription(self, user_id: str, subscription_id: str) -> StoredWebhookSubscription | None:
        return self.subs.get((user_id, subscription_id))

    def delete_subscription(self, user_id: str, subscription_id: str) -> bool:
        return self.subs.pop((user_id, subscription_id), None) is not None

    def replace_secret(self, user_id: str, subscription_id: str, sealed: str,
                       at: str) -> StoredWebhookSubscription | None:
        found = self.subs.get((user_id, subscription_id))
        if found is None:
            return None
        self.subs[(user_id, subscription_id)] = found.model_copy(update={"sealedSecret": sealed,
                                                                           "secretRotatedAt": at})
        return self.subs[(user_id, subscription_id)]

    def create_delivery(self, delivery: StoredWebhookDelivery) -> str | None:
        key = (delivery.subscriptionId, delivery.eventId)
        if key in self.markers:
            return self.markers[key]
        self.markers[key] = delivery.id
        self.dels[(delivery.subscriptionId, delivery.id)] = delivery
        return None

    def delivery(self, subscription_id: str, delivery_id: str) -> StoredWebhookDelivery | None:
        return self.dels.get((subscription_id, delivery_id))

    def deliveries(self, subscription_id: str, limit: int, cursor: str | None) -> Page[StoredWebhookDelivery]:
        found = [d for (sub, _), d in sorted(self.dels.items(), reverse=True) if sub == subscription_id]
        return Page[StoredWebhookDelivery](items=found[:limit])

    def dead_letters(self, subscription_id: str, limit: int, cursor: str | None) -> Page[StoredWebhookDelivery]:
        found = [d for d in self.deliveries(subscription_id, 100, None).items if d.status == "dead"]
        return Page[StoredWebhookDelivery](items=found[:limit])

    def record_attempt(self, delivery: StoredWebhookDelivery, attempt: WebhookAttempt, status: DeliveryStatus, *,
                       next_attempt_at: str | None = None, dead_reason: str | None = None) -> None:
        stored = self.dels[(delivery.subscriptionId, delivery.id)]
        update: dict[str, object] = {"status": status, "attempts": [*stored.attempts, attempt],
                                     "nextAttemptAt": next_attempt_at}
        if status == "delivered":
            update["deliveredAt"] = attempt.at
        if status == "dead":
            update |= {"deadAt": attempt.at, "deadReason": dead_reason}
        self.dels[(delivery.subscriptionId, delivery.id)] = stored.model_copy(update=update)


@dataclass
class FakeQueue:
    sent: list[tuple[DeliveryRequest, int]] = field(default_factory=list)

    def send(self, request: DeliveryRequest, delay_seconds: int) -> None:  # as the protocol: no default
        self.sent.append((request, delay_seconds))


class FakeBox:
    """Seals by reversing and tagging: enough to prove the clear secret is never what is stored."""

    def seal(self, secret: str) -> str:
        return "sealed:" + secret[::-1]

    def open(self, sealed: str) -> str:
        return sealed.removeprefix("sealed:")[::-1]


@dataclass
class FakeSender:
    """Answers each POST with the next of ``answers`` (the last one repeats) and keeps what was sent."""

    answers: list[tuple[bool, str]] = field(default_factory=lambda: [(True, "200")])
    posts: list[dict[str, object]] = field(default_factory=list)

    def post(self, target: Target, body: bytes, headers: dict[str, str], timeout: float) -> tuple[bool, str]:
        self.posts.append({"scheme": target.scheme, "host": target.host, "port": target.port, "path": target.path,
                           "address": target.addresses[0], "body": body, "headers": headers, "timeout": timeout})
        return self.answers[min(len(self.posts), len(self.answers)) - 1]


def resolver(table: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    """A DNS in memory: host → addresses (unknown hosts do not resolve)."""
    return lambda host, port: list(table.get(host, []))

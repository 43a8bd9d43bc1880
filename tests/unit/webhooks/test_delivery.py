"""Fan-out, subscriptions and one delivery attempt, on in-memory fakes: what a subscriber would notice."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from deepiri_common.clock import to_iso
from deepiri_common.problems import Conflict, NotFound, ValidationFailed
from deepiri_webhooks.logic import subscriptions
from deepiri_webhooks.logic.backoff import RetryPolicy
from deepiri_webhooks.logic.delivery import DeliveryTools, deliver
from deepiri_webhooks.logic.fanout import fan_out
from deepiri_webhooks.logic.subscriptions import Targets
from deepiri_webhooks.logic.verifier import verify_signature
from deepiri_webhooks.models.subscriptions import MAX_SUBSCRIPTIONS, DeliveryRequest, WebhookSubscriptionRequest
from tests.unit.webhooks.fakes import FakeBox, FakeQueue, FakeSender, FakeStore, resolver

ADA, BOB = "01JD00000000000000000000AD", "01JD00000000000000000000B0"
T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
DNS = resolver({"hooks.example.com": ["93.184.216.34"], "evil.example.com": ["93.184.216.35"],
                "10.0.0.1": ["10.0.0.1"]})
TARGETS = Targets(resolve=DNS, allowed=())
POLICY = RetryPolicy(base_seconds=30, max_delay_seconds=3600, window_seconds=3600)


def _subscribe(store: FakeStore, user: str = ADA, types: tuple[str, ...] = ("LevelUp",),
               url: str = "https://hooks.example.com/in") -> tuple[str, str]:
    created = subscriptions.create(store, FakeBox(), TARGETS, user,
                                   WebhookSubscriptionRequest(url=url, eventTypes=list(types)), now=to_iso(T0))
    return created.id, created.secret


def _event(store: FakeStore, queue: FakeQueue, user: str = ADA, event_type: str = "LevelUp",
           event_id: str = "01JD0000000000000000000E01") -> list[str]:
    return fan_out(store, queue, event_id=event_id, event_type=event_type, occurred_at=to_iso(T0), user_id=user,
                   data={"userId": user, "level": 3, "previousLevel": 2}, now=to_iso(T0))


def _tools(store: FakeStore, queue: FakeQueue, sender: FakeSender, dns=DNS) -> DeliveryTools:  # type: ignore[no-untyped-def]
    return DeliveryTools(store=store, queue=queue, box=FakeBox(), sender=sender, targets=Targets(dns, ()),
                         policy=POLICY, timeout_seconds=5, random=lambda: 0.999999)


def test_given_a_subscription_then_its_secret_is_shown_once_and_stored_sealed() -> None:
    store = FakeStore()
    sub_id, secret = _subscribe(store)

    stored = store.subscription(ADA, sub_id)
    assert stored is not None and secret not in stored.sealedSecret and FakeBox().open(stored.sealedSecret) == secret
    assert "secret" not in subscriptions.owned(store, ADA, sub_id).public().model_dump()
    assert subscriptions.listed(store, ADA, 20, None).items[0].model_dump().keys().isdisjoint({"secret",
                                                                                               "sealedSecret"})


def test_given_another_users_subscription_then_it_is_not_found() -> None:
    store = FakeStore()
    sub_id, _ = _subscribe(store)

    with pytest.raises(NotFound):
        subscriptions.owned(store, BOB, sub_id)
    with pytest.raises(NotFound):
        subscriptions.delete(store, BOB, sub_id)
    with pytest.raises(NotFound):
        subscriptions.rotate_secret(store, FakeBox(), BOB, sub_id, to_iso(T0))
    with pytest.raises(NotFound):
        subscriptions.deliveries(store, BOB, sub_id, 20, None)


def test_given_a_private_url_then_the_subscription_is_refused_naming_the_url_field() -> None:
    with pytest.raises(ValidationFailed) as refused:
        _subscribe(FakeStore(), url="https://10.0.0.1/hook")

    assert refused.value.errors[0]["field"] == "body.url" and "private" in refused.value.errors[0]["message"]


def test_given_the_limit_of_subscriptions_then_one_more_is_a_conflict() -> None:
    store = FakeStore()
    for _ in range(MAX_SUBSCRIPTIONS):
        _subscribe(store)

    with pytest.raises(Conflict):
        _subscribe(store)


def test_given_an_event_then_only_the_users_subscriptions_to_its_type_get_a_delivery_once() -> None:
    store, queue = FakeStore(), FakeQueue()
    level, _ = _subscribe(store, types=("LevelUp", "BadgeEarned"))
    _subscribe(store, types=("TaskCompleted",))
    _subscribe(store, user=BOB, types=("LevelUp",))

    first = _event(store, queue)

    assert [(request.subscriptionId, delay) for request, delay in queue.sent] == [(level, 0)] and len(first) == 1
    [delivery] = store.deliveries(level, 20, None).items
    assert json.loads(delivery.body) == {"id": "01JD0000000000000000000E01", "type": "LevelUp",
                                         "occurredAt": to_iso(T0), "userId": ADA,
                                         "data": {"userId": ADA, "level": 3, "previousLevel": 2}}


def test_given_a_fan_out_run_again_then_no_second_delivery_is_made_and_only_an_untried_one_is_queued_again() -> None:
    store, lost = FakeStore(), FakeQueue()
    sub_id, _ = _subscribe(store)
    [made] = _event(store, lost)  # its message may have been lost: the consumer failed after writing it
    queue = FakeQueue()

    assert _event(store, queue) == [made]
    deliver(_tools(store, queue, FakeSender()), queue.sent[0][0], T0)
    assert _event(store, queue) == []  # tried once: never queued again by a fan-out
    assert [d.id for d in store.deliveries(sub_id, 20, None).items] == [made]


def test_given_a_receiver_that_answers_2xx_then_the_delivery_is_signed_verifiable_and_delivered() -> None:
    store, queue, sender = FakeStore(), FakeQueue(), FakeSender()
    sub_id, secret = _subscribe(store)
    _event(store, queue)
    [(request, _)] = queue.sent

    assert deliver(_tools(store, queue, sender), request, T0) == "delivered"

    [post] = sender.posts
    headers = post["headers"]
    assert isinstance(headers, dict) and isinstance(post["body"], bytes)
    assert verify_signature(secret, post["body"], headers["Deepiri-Signature"], now=T0.timestamp())
    assert post["address"] == "93.184.216.34" and post["host"] == "hooks.example.com"
    [delivery] = store.deliveries(sub_id, 20, None).items
    assert delivery.status == "delivered" and delivery.deliveredAt == to_iso(T0)
    assert deliver(_tools(store, queue, sender), request, T0) == "nothing to do"  # a redelivered message
    assert len(sender.posts) == 1


def test_given_a_receiver_that_fails_first_then_the_attempt_is_retried_later_and_then_delivered() -> None:
    store, queue, sender = FakeStore(), FakeQueue(), FakeSender(answers=[(False, "503"), (True, "204")])
    sub_id, _ = _subscribe(store)
    _event(store, queue)
    request, _ = queue.sent.pop()

    assert deliver(_tools(store, queue, sender), request, T0) == "retrying"
    [(retry, delay)] = queue.sent
    assert delay == 30 and retry.notBefore == to_iso(T0 + timedelta(seconds=30))
    assert deliver(_tools(store, queue, sender), retry, T0 + timedelta(seconds=5)) == "waiting"  # too early
    assert deliver(_tools(store, queue, sender), retry, T0 + timedelta(seconds=30)) == "delivered"

    [delivery] = store.deliveries(sub_id, 20, None).items
    assert [(a.outcome, a.ok) for a in delivery.attempts] == [("503", False), ("204", True)]
    assert store.dead_letters(sub_id, 20, None).items == []


def test_given_a_receiver_that_keeps_failing_then_the_delivery_is_dead_lettered_after_the_window() -> None:
    store, queue, sender = FakeStore(), FakeQueue(), FakeSender(answers=[(False, "500")])
    sub_id, _ = _subscribe(store)
    _event(store, queue)
    now, outcome = T0, ""
    while queue.sent and outcome != "dead":
        request, _ = queue.sent.pop(0)
        now = max(now, datetime.fromisoformat(request.notBefore)) if request.notBefore else now
        outcome = deliver(_tools(store, queue, sender), request, now)

    [dead] = subscriptions.deliveries(store, ADA, sub_id, 20, None, dead_only=True).items
    assert outcome == "dead" and dead.status == "dead" and "retry window" in (dead.deadReason or "")
    assert now <= T0 + timedelta(seconds=POLICY.window_seconds) and len(dead.attempts) == len(sender.posts) >= 5
    assert queue.sent == []


def test_given_a_host_that_now_resolves_to_a_private_address_then_the_delivery_is_refused_and_dead() -> None:
    store, queue, sender = FakeStore(), FakeQueue(), FakeSender()
    sub_id, _ = _subscribe(store, url="https://evil.example.com/in")
    _event(store, queue)
    [(request, _)] = queue.sent
    rebound = resolver({"evil.example.com": ["169.254.169.254"]})

    assert deliver(_tools(store, queue, sender, dns=rebound), request, T0) == "refused"

    assert sender.posts == []
    [dead] = store.dead_letters(sub_id, 20, None).items
    assert "refused at delivery" in (dead.deadReason or "")


def test_given_a_deleted_subscription_then_its_queued_delivery_sends_nothing() -> None:
    store, queue, sender = FakeStore(), FakeQueue(), FakeSender()
    sub_id, _ = _subscribe(store)
    _event(store, queue)
    subscriptions.delete(store, ADA, sub_id)

    assert deliver(_tools(store, queue, sender), queue.sent[0][0], T0) == "subscription gone"
    assert sender.posts == []


def test_given_a_rotated_secret_then_deliveries_are_signed_with_the_new_one_only() -> None:
    store, queue, sender = FakeStore(), FakeQueue(), FakeSender()
    sub_id, old = _subscribe(store)
    new = subscriptions.rotate_secret(store, FakeBox(), ADA, sub_id, to_iso(T0)).secret
    _event(store, queue)

    deliver(_tools(store, queue, sender), queue.sent[0][0], T0)

    headers, body = sender.posts[0]["headers"], sender.posts[0]["body"]
    assert isinstance(headers, dict) and isinstance(body, bytes) and new != old
    assert verify_signature(new, body, headers["Deepiri-Signature"], now=T0.timestamp())
    assert not verify_signature(old, body, headers["Deepiri-Signature"], now=T0.timestamp())


def test_given_an_unknown_delivery_then_nothing_is_sent() -> None:
    request = DeliveryRequest(userId=ADA, subscriptionId="01JD0000000000000000000S01",
                              deliveryId="01JD0000000000000000000D01")
    sender = FakeSender()

    assert deliver(_tools(FakeStore(), FakeQueue(), sender), request, T0) == "nothing to do"
    assert sender.posts == []

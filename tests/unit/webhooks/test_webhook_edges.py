"""The edges of subscriptions, fan-out, delivery, signing and URL checks: exact messages, boundaries,
what is passed to the store and the sender, and what a receiver of a delivery sees."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from deepiri_common.clock import to_iso
from deepiri_common.pagination import Page
from deepiri_common.problems import Conflict, NotFound
from deepiri_webhooks.logic import subscriptions
from deepiri_webhooks.logic.backoff import RetryPolicy, next_attempt_at, retry_delay
from deepiri_webhooks.logic.delivery import DeliveryTools, deliver
from deepiri_webhooks.logic.fanout import delivery_body, fan_out
from deepiri_webhooks.logic.signing import SECRET_PREFIX, USER_AGENT, delivery_headers, new_secret, signature_header
from deepiri_webhooks.logic.subscriptions import Targets
from deepiri_webhooks.logic.targets import TargetRefused, check_target, is_public, parse_allowed
from deepiri_webhooks.logic.verifier import verify_signature
from deepiri_webhooks.models.subscriptions import (
    DeliveryRequest,
    StoredWebhookDelivery,
    StoredWebhookSubscription,
    WebhookSubscriptionRequest,
)
from tests.unit.webhooks.fakes import FakeBox, FakeQueue, FakeSender, FakeStore, resolver

ADA = "01JD00000000000000000000AD"
T0 = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
DNS = resolver({"hooks.example.com": ["93.184.216.34"]})
TARGETS = Targets(resolve=DNS, allowed=())
POLICY = RetryPolicy(base_seconds=30, max_delay_seconds=3600, window_seconds=3600)
EVENT = "01JD0000000000000000000E01"
SECRET = "whsec_test-secret"
NOW = 1_790_000_000


def _subscription(sub_id: str, types: list[str]) -> StoredWebhookSubscription:
    return StoredWebhookSubscription(id=sub_id, userId=ADA, url="https://hooks.example.com/in", eventTypes=types,
                                     createdAt=to_iso(T0), secretRotatedAt=to_iso(T0),
                                     sealedSecret=FakeBox().seal("whsec_" + sub_id))


def _tools(store: FakeStore, queue: FakeQueue, sender: FakeSender) -> DeliveryTools:
    return DeliveryTools(store=store, queue=queue, box=FakeBox(), sender=sender, targets=TARGETS, policy=POLICY,
                         timeout_seconds=5, random=lambda: 0.999999)


def _one_delivery(store: FakeStore, queue: FakeQueue) -> DeliveryRequest:
    store.create_subscription(_subscription("01JD0000000000000000000S01", ["LevelUp"]))
    fan_out(store, queue, event_id=EVENT, event_type="LevelUp", occurred_at=to_iso(T0), user_id=ADA,
            data={"userId": ADA, "level": 3}, now=to_iso(T0))
    request, _ = queue.sent.pop()
    return request


# --- backoff ---------------------------------------------------------------------------------------------------

def test_given_a_retry_that_falls_exactly_at_the_end_of_the_window_then_it_is_still_planned() -> None:
    policy = RetryPolicy(base_seconds=30, max_delay_seconds=3600, window_seconds=30)

    assert next_attempt_at(T0, T0, 1, policy, lambda: 0.999999) == T0 + timedelta(seconds=30)
    assert next_attempt_at(T0, T0 + timedelta(seconds=1), 1, policy, lambda: 0.999999) is None


def test_given_an_unbounded_delay_then_the_doubling_stops_at_two_to_the_fortieth() -> None:
    policy = RetryPolicy(base_seconds=1, max_delay_seconds=10**15, window_seconds=10**16)

    assert retry_delay(500, policy, lambda: 0.0) == 2**40 // 2
    assert retry_delay(41, policy, lambda: 0.0) == 2**40 // 2 == retry_delay(42, policy, lambda: 0.0)


# --- fan-out ---------------------------------------------------------------------------------------------------

def test_given_an_event_then_the_body_is_compact_json_with_sorted_keys_byte_for_byte() -> None:
    body = delivery_body(EVENT, "LevelUp", "2026-11-30T12:00:00.000Z", ADA, {"level": 3, "b": [1, 2]})

    assert body == ('{"data":{"b":[1,2],"level":3},"id":"01JD0000000000000000000E01",'
                    '"occurredAt":"2026-11-30T12:00:00.000Z","type":"LevelUp","userId":"01JD00000000000000000000AD"}')


def test_given_subscriptions_to_other_types_listed_first_then_the_later_matching_one_still_gets_the_event() -> None:
    store, queue = FakeStore(), FakeQueue()
    store.create_subscription(_subscription("01JD0000000000000000000S01", ["TaskCompleted"]))
    store.create_subscription(_subscription("01JD0000000000000000000S02", ["LevelUp"]))

    made = fan_out(store, queue, event_id=EVENT, event_type="LevelUp", occurred_at=to_iso(T0), user_id=ADA,
                   data={}, now=to_iso(T0))

    assert len(made) == 1 and [r.subscriptionId for r, _ in queue.sent] == ["01JD0000000000000000000S02"]


def test_given_a_fan_out_run_again_after_the_first_delivery_was_tried_then_the_second_is_still_queued() -> None:
    store, lost = FakeStore(), FakeQueue()
    store.create_subscription(_subscription("01JD0000000000000000000S01", ["LevelUp"]))
    store.create_subscription(_subscription("01JD0000000000000000000S02", ["LevelUp"]))
    first, second = fan_out(store, lost, event_id=EVENT, event_type="LevelUp", occurred_at=to_iso(T0), user_id=ADA,
                            data={}, now=to_iso(T0))
    deliver(_tools(store, FakeQueue(), FakeSender()), lost.sent[0][0], T0)  # the first one is delivered
    queue = FakeQueue()

    again = fan_out(store, queue, event_id=EVENT, event_type="LevelUp", occurred_at=to_iso(T0), user_id=ADA,
                    data={}, now=to_iso(T0))

    assert again == [second] and [r.deliveryId for r, _ in queue.sent] == [second] and first != second


def test_given_a_fan_out_run_again_after_its_delivery_item_expired_then_nothing_is_queued() -> None:
    store, queue = FakeStore(), FakeQueue()
    request = _one_delivery(store, queue)
    del store.dels[(request.subscriptionId, request.deliveryId)]  # the marker outlives its delivery

    again = fan_out(store, queue, event_id=EVENT, event_type="LevelUp", occurred_at=to_iso(T0), user_id=ADA,
                    data={}, now=to_iso(T0))

    assert again == [] and queue.sent == []


# --- one delivery ----------------------------------------------------------------------------------------------

def test_given_an_attempt_then_the_receiver_gets_the_event_and_delivery_headers_and_the_sender_the_timeout() -> None:
    store, queue, sender = FakeStore(), FakeQueue(), FakeSender()
    request = _one_delivery(store, queue)

    deliver(_tools(store, queue, sender), request, T0)

    [post] = sender.posts
    headers = post["headers"]
    assert isinstance(headers, dict)
    assert headers["Deepiri-Event"] == "LevelUp" and headers["Deepiri-Delivery"] == request.deliveryId
    assert headers["User-Agent"] == USER_AGENT == "Deepiri-Webhooks/1"
    assert post["timeout"] == 5


def test_given_failures_then_each_is_recorded_retrying_with_its_next_time_and_the_waits_double() -> None:
    store, queue, sender = FakeStore(), FakeQueue(), FakeSender(answers=[(False, "500")])
    request = _one_delivery(store, queue)

    assert deliver(_tools(store, queue, sender), request, T0) == "retrying"
    stored = store.delivery(request.subscriptionId, request.deliveryId)
    assert stored is not None and stored.status == "retrying"
    assert stored.nextAttemptAt == to_iso(T0 + timedelta(seconds=30))
    [(retry, first_wait)] = queue.sent
    queue.sent.clear()
    later = T0 + timedelta(seconds=30)
    assert deliver(_tools(store, queue, sender), retry, later) == "retrying"
    [(_, second_wait)] = queue.sent
    assert (first_wait, second_wait) == (30, 60)  # after the 2nd failed attempt the ceiling is 60 s


def test_given_a_delivery_given_up_then_its_reason_counts_the_attempts() -> None:
    store, queue = FakeStore(), FakeQueue()
    sender = FakeSender(answers=[(False, "500")])
    request = _one_delivery(store, queue)
    short = RetryPolicy(base_seconds=30, max_delay_seconds=3600, window_seconds=40)
    tools = DeliveryTools(store=store, queue=queue, box=FakeBox(), sender=sender, targets=TARGETS, policy=short,
                          timeout_seconds=5, random=lambda: 0.999999)

    assert deliver(tools, request, T0) == "retrying"
    retry, _ = queue.sent.pop()
    assert deliver(tools, retry, T0 + timedelta(seconds=30)) == "dead"

    dead = store.delivery(request.subscriptionId, request.deliveryId)
    assert dead is not None and dead.deadReason == "no 2xx answer in 2 attempts within the retry window"


def test_given_a_dead_delivery_redelivered_then_nothing_is_sent_again() -> None:
    store, queue, sender = FakeStore(), FakeQueue(), FakeSender()
    request = _one_delivery(store, queue)
    delivery = store.delivery(request.subscriptionId, request.deliveryId)
    assert delivery is not None
    store.dels[(request.subscriptionId, request.deliveryId)] = delivery.model_copy(update={"status": "dead"})

    assert deliver(_tools(store, queue, sender), request, T0) == "nothing to do"
    assert sender.posts == [] and queue.sent == []


def test_given_a_url_refused_at_delivery_then_the_attempt_is_recorded_failed_with_the_reason() -> None:
    store, queue, sender = FakeStore(), FakeQueue(), FakeSender()
    request = _one_delivery(store, queue)
    tools = DeliveryTools(store=store, queue=queue, box=FakeBox(), sender=sender,
                          targets=Targets(resolver({"hooks.example.com": ["10.1.2.3"]}), ()), policy=POLICY,
                          timeout_seconds=5, random=lambda: 0.5)

    assert deliver(tools, request, T0) == "refused"

    dead = store.delivery(request.subscriptionId, request.deliveryId)
    assert dead is not None and [(a.ok, a.at) for a in dead.attempts] == [(False, to_iso(T0))]
    assert dead.attempts[0].outcome == ("refused: the URL's host resolves to a private, loopback or link-local "
                                        "address")


def test_given_a_message_a_fraction_of_a_millisecond_early_then_it_waits_with_no_delay() -> None:
    store, queue, sender = FakeStore(), FakeQueue(), FakeSender()
    request = _one_delivery(store, queue)
    early = request.model_copy(update={"notBefore": to_iso(T0 + timedelta(milliseconds=1))})

    assert deliver(_tools(store, queue, sender), early, T0 + timedelta(microseconds=500)) == "waiting"
    [(_, delay)] = queue.sent
    assert delay == 0 and sender.posts == []


# --- subscriptions ---------------------------------------------------------------------------------------------

@dataclass
class PagingStore(FakeStore):
    """Records the limit and cursor each page is read with and answers with a next cursor."""

    reads: list[tuple[str, int, str | None]] = field(default_factory=list)

    def subscriptions(self, user_id: str, limit: int, cursor: str | None) -> Page[StoredWebhookSubscription]:
        self.reads.append(("subscriptions", limit, cursor))
        return Page[StoredWebhookSubscription](items=super().subscriptions(user_id, limit, cursor).items,
                                               next_cursor="next-subscriptions")

    def deliveries(self, subscription_id: str, limit: int, cursor: str | None) -> Page[StoredWebhookDelivery]:
        self.reads.append(("deliveries", limit, cursor))
        return Page[StoredWebhookDelivery](items=super().deliveries(subscription_id, limit, cursor).items,
                                           next_cursor="next-deliveries")

    def dead_letters(self, subscription_id: str, limit: int, cursor: str | None) -> Page[StoredWebhookDelivery]:
        self.reads.append(("dead_letters", limit, cursor))
        return Page[StoredWebhookDelivery](items=[], next_cursor="next-dead")


def test_given_pages_then_the_limit_and_cursor_reach_the_store_and_its_next_cursor_comes_back() -> None:
    store = PagingStore()
    sub_id = subscriptions.create(store, FakeBox(), TARGETS, ADA, WebhookSubscriptionRequest(
        url="https://hooks.example.com/in", eventTypes=["LevelUp"]), now=to_iso(T0)).id

    assert subscriptions.listed(store, ADA, 7, "c1").next_cursor == "next-subscriptions"
    assert subscriptions.deliveries(store, ADA, sub_id, 8, "c2").next_cursor == "next-deliveries"
    assert subscriptions.deliveries(store, ADA, sub_id, 9, "c3", dead_only=True).next_cursor == "next-dead"
    assert store.reads == [("subscriptions", 7, "c1"), ("deliveries", 8, "c2"), ("dead_letters", 9, "c3")]


def test_given_a_delivered_and_a_dead_delivery_then_deliveries_lists_both_and_dead_letters_only_the_dead() -> None:
    store, queue = FakeStore(), FakeQueue()
    request = _one_delivery(store, queue)
    deliver(_tools(store, queue, FakeSender()), request, T0)
    fan_out(store, queue, event_id="01JD0000000000000000000E02", event_type="LevelUp", occurred_at=to_iso(T0),
            user_id=ADA, data={}, now=to_iso(T0))
    dead_id = queue.sent[-1][0].deliveryId
    dead = store.delivery(request.subscriptionId, dead_id)
    assert dead is not None
    store.dels[(request.subscriptionId, dead_id)] = dead.model_copy(update={"status": "dead"})

    listed = subscriptions.deliveries(store, ADA, request.subscriptionId, 20, None)
    letters = subscriptions.deliveries(store, ADA, request.subscriptionId, 20, None, dead_only=True)

    assert sorted(d.status for d in listed.items) == ["dead", "delivered"]
    assert [d.id for d in letters.items] == [dead_id]


def test_given_a_description_then_the_subscription_keeps_it() -> None:
    created = subscriptions.create(FakeStore(), FakeBox(), TARGETS, ADA, WebhookSubscriptionRequest(
        url="https://hooks.example.com/in", eventTypes=["LevelUp"], description="CI"), now=to_iso(T0))

    assert created.description == "CI"


def test_given_refusals_then_their_messages_are_exact() -> None:
    store = FakeStore()
    for number in range(20):
        store.create_subscription(_subscription(f"01JD0000000000000000000S{number:02d}", ["LevelUp"]))

    with pytest.raises(Conflict) as conflict:
        subscriptions.create(store, FakeBox(), TARGETS, ADA, WebhookSubscriptionRequest(
            url="https://hooks.example.com/in", eventTypes=["LevelUp"]), now=to_iso(T0))
    assert conflict.value.detail == "at most 20 subscriptions per user"
    for refused in (lambda: subscriptions.owned(store, "someone", "x"),
                    lambda: subscriptions.delete(store, "someone", "x"),
                    lambda: subscriptions.rotate_secret(store, FakeBox(), "someone", "x", to_iso(T0))):
        with pytest.raises(NotFound) as missing:
            refused()
        assert missing.value.detail == "no such subscription"


# --- signing and verifying -------------------------------------------------------------------------------------

def test_given_a_new_secret_then_it_is_the_prefix_and_43_url_safe_characters() -> None:
    secret = new_secret()

    assert secret.startswith(SECRET_PREFIX) and len(secret) == len(SECRET_PREFIX) + 43  # 32 random bytes


def test_given_a_signature_exactly_at_the_tolerance_then_it_is_still_accepted() -> None:
    header = signature_header(SECRET, NOW, b"{}")

    assert verify_signature(SECRET, b"{}", header, now=NOW + 300)
    assert verify_signature(SECRET, b"{}", header, now=NOW - 300)


def test_given_no_clock_then_the_verifier_uses_the_current_time() -> None:
    signed_now = int(time.time())
    header = signature_header(SECRET, signed_now, b"{}")

    assert verify_signature(SECRET, b"{}", header)
    assert not verify_signature(SECRET, b"{}", signature_header(SECRET, signed_now - 3600, b"{}"))


def test_given_other_fields_in_the_header_then_only_t_and_v1_are_read() -> None:
    mac = signature_header(SECRET, NOW, b"{}").split("v1=")[1]

    assert verify_signature(SECRET, b"{}", f"t={NOW},x=12,v1={mac}", now=NOW)  # a numeric field is not the time
    assert not verify_signature(SECRET, b"{}", f"t={NOW},v0={mac}", now=NOW)  # only v1 signatures count


def test_given_headers_then_they_are_exactly_these_five() -> None:
    headers = delivery_headers(SECRET, NOW, b"{}", "LevelUp", "d1")

    assert sorted(headers) == sorted(["Content-Type", "User-Agent", "Deepiri-Event", "Deepiri-Delivery",
                                      "Deepiri-Signature"])


# --- URLs ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("url", "message"), [
    ("http://hooks.example.com/hook", "the URL must be https"),
    ("ftp://hooks.example.com/hook", "the URL must be https"),
    ("https://user:pass@hooks.example.com/", "the URL may not carry credentials"),
    ("https://user@hooks.example.com/", "the URL may not carry credentials"),
    ("https://nowhere.example.com/", "the URL's host does not resolve"),
    ("https:///path-only", "the URL has no host"),
    ("https://hooks.example.com:99999/", "the URL's port is not valid"),
])
def test_given_a_refused_url_then_the_message_is_exactly_why(url: str, message: str) -> None:
    with pytest.raises(TargetRefused) as refused:
        check_target(url, DNS, ())

    assert str(refused.value) == message


def test_given_urls_without_a_path_or_a_query_then_the_path_is_slash_or_the_bare_path() -> None:
    assert check_target("https://hooks.example.com", DNS, ()).path == "/"
    assert check_target("https://hooks.example.com/in", DNS, ()).path == "/in"


def test_given_a_url_then_its_host_is_resolved_with_its_port() -> None:
    asked: list[tuple[str, int]] = []

    def resolve(host: str, port: int) -> list[str]:
        asked.append((host, port))
        return ["93.184.216.34"]

    check_target("https://Hooks.Example.com/in", resolve, ())
    check_target("https://hooks.example.com:8443/in", resolve, ())

    assert asked == [("hooks.example.com", 443), ("hooks.example.com", 8443)]


def test_given_an_allow_list_setting_then_entries_are_split_on_commas_trimmed_and_lower_cased() -> None:
    assert parse_allowed("LocalHost:8080,Receiver.Test") == frozenset({"localhost:8080", "receiver.test"})
    assert parse_allowed(" , ") == frozenset()


@pytest.mark.parametrize(("address", "public"), [
    ("fe80::1%eth0", False),
    ("2606:2800:220:1:248:1893:25c8:1946%eth0", True),
    ("::ffff:127.0.0.1%1", False),
    ("93.184.216.34%1", False),  # an IPv4 address has no zone: not an address, refused
])
def test_given_an_address_with_a_zone_then_it_is_judged_by_its_address(address: str, public: bool) -> None:
    assert is_public(address) is public


def test_given_a_plain_http_url_on_the_allow_list_then_it_is_resolved_and_kept_on_port_80() -> None:
    asked: list[tuple[str, int]] = []

    def resolve(host: str, port: int) -> list[str]:
        asked.append((host, port))
        return ["127.0.0.1"]

    target = check_target("http://receiver.test/in", resolve, parse_allowed("receiver.test:80"))

    assert asked == [("receiver.test", 80)] and target.port == 80 and target.scheme == "http"


# --- waiting for a later attempt ------------------------------------------------------------------------------

def test_given_a_message_due_far_in_the_future_then_it_waits_the_longest_delay_sqs_allows() -> None:
    store, queue, sender = FakeStore(), FakeQueue(), FakeSender()
    request = _one_delivery(store, queue)
    later = request.model_copy(update={"notBefore": to_iso(T0 + timedelta(hours=2))})

    assert deliver(_tools(store, queue, sender), later, T0) == "waiting"
    [(queued, delay)] = queue.sent
    assert delay == 900 and queued.notBefore == to_iso(T0 + timedelta(hours=2)) and sender.posts == []

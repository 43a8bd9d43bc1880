"""Delivering a notification on one channel: sent, held by quiet hours, skipped or failed, always recorded."""

from __future__ import annotations

from datetime import datetime

from deepiri_common.clock import parse_iso
from deepiri_notifications.logic.creation import create
from deepiri_notifications.logic.delivery import Channels, deliver
from deepiri_notifications.logic.intake import Draft
from deepiri_notifications.models.notifications import DeliveryRequest
from deepiri_notifications.models.preferences import (
    Contact,
    NotificationPreferences,
    NotificationQuietHours,
    StoredDevice,
)
from tests.unit.notifications.fakes import FakeMailer, FakePusher, FakeQueue, FakeStore, Refused

NOON = parse_iso("2026-11-30T12:00:00.000Z")
NIGHT = parse_iso("2026-11-30T23:00:00.000Z")
NIGHT_HOURS = NotificationQuietHours(start="22:00", end="07:00")
MENTION = Draft("bob", "mention", "Ada mentioned you", "in a comment on a task", "/tasks/t1#comment-c1")


def _setup(**store_fields: object) -> tuple[FakeStore, FakeQueue, FakeMailer, FakePusher, Channels]:
    store = FakeStore(contacts={"bob": Contact(email="bob@example.com", displayName="Bob")}, **store_fields)  # type: ignore[arg-type]
    mailer, pusher = FakeMailer(), FakePusher(platforms=("fcm",))
    return store, FakeQueue(), mailer, pusher, Channels(mailer, pusher, Refused, "https://app.example")


def _deliver_all(store: FakeStore, queue: FakeQueue, channels: Channels, now: datetime) -> list[str]:
    outcomes = [deliver(store, channels, request, now) for request in queue.sent]
    queue.sent.clear()
    return outcomes


def test_given_a_mention_then_the_email_goes_to_the_known_address_with_the_app_link_and_is_recorded() -> None:
    store, queue, mailer, _, channels = _setup()
    made = create(store, queue, "E1", MENTION, "2026-11-30T12:00:00.000Z")

    assert deliver(store, channels, queue.sent[0], NOON) == "sent"

    [(to, subject, text)] = mailer.sent
    assert to == "bob@example.com" and subject == "Ada mentioned you"
    assert text.startswith("in a comment on a task\n\nSee the comment: https://app.example/tasks/t1#comment-c1")
    note = store.get("bob", made.notificationId)
    assert note is not None and note.channels["email"] == "done"
    assert [(d.channel, d.status) for d in note.deliveries][-1] == ("email", "sent")


def test_given_the_same_request_delivered_twice_then_one_email() -> None:
    store, queue, mailer, _, channels = _setup()
    create(store, queue, "E1", MENTION, "2026-11-30T12:00:00.000Z")
    email = queue.sent[0]

    assert [deliver(store, channels, email, NOON), deliver(store, channels, email, NOON)] == ["sent", "ignored"]
    assert len(mailer.sent) == 1


def test_given_quiet_hours_then_push_and_email_are_held_with_their_end_as_reason() -> None:
    prefs = NotificationPreferences(timezone="Europe/Paris", quietHours=NIGHT_HOURS)
    store, queue, mailer, pusher, channels = _setup(prefs={"bob": prefs})
    store.save_device("bob", StoredDevice(id="d" * 32, platform="fcm", createdAt="x", push="ready",
                                          endpointArn="arn:endpoint/1"))
    made = create(store, queue, "E1", MENTION, "2026-11-30T23:00:00.000Z")

    assert _deliver_all(store, queue, channels, NIGHT) == ["held", "held"]

    note = store.get("bob", made.notificationId)
    assert note is not None and mailer.sent == [] and pusher.published == []
    assert [(d.channel, d.status, d.reason) for d in note.deliveries[1:]] == [
        ("email", "held", "quiet hours until 2026-12-01T06:00:00.000Z"),
        ("push", "held", "quiet hours until 2026-12-01T06:00:00.000Z")]


def test_given_quiet_hours_then_security_mail_still_goes_out_at_once() -> None:
    prefs = NotificationPreferences(timezone="Europe/Paris", quietHours=NIGHT_HOURS)
    store, queue, mailer, _, channels = _setup(prefs={"u1": prefs})
    draft = Draft("u1", "passwordReset", "A password reset was requested", None, None, email="u1@example.com",
                  secretLink="https://app.example/reset-password?token=t0k")
    create(store, queue, "E1", draft, "2026-11-30T23:00:00.000Z")

    assert _deliver_all(store, queue, channels, NIGHT) == ["sent"]
    [(to, subject, text)] = mailer.sent
    assert to == "u1@example.com" and subject == "Reset your Deepiri password"
    assert "https://app.example/reset-password?token=t0k" in text


def test_given_no_device_or_no_platform_application_then_push_is_skipped_with_the_reason() -> None:
    store, queue, _, _, channels = _setup()
    made = create(store, queue, "E1", MENTION, "2026-11-30T12:00:00.000Z")
    assert deliver(store, channels, queue.sent[1], NOON) == "skipped"
    note = store.get("bob", made.notificationId)
    assert note is not None and note.deliveries[-1].reason == "no registered device"

    store.save_device("bob", StoredDevice(id="a" * 32, platform="apns", createdAt="x", push="unconfigured"))
    made = create(store, queue, "E2", MENTION, "2026-11-30T12:00:00.000Z")
    assert deliver(store, channels, queue.sent[-1], NOON) == "skipped"
    note = store.get("bob", made.notificationId)
    assert note is not None and "no SNS platform application for apns" in (note.deliveries[-1].reason or "")


def test_given_devices_then_each_is_pushed_and_a_disabled_endpoint_is_removed_with_its_device() -> None:
    store, queue, _, pusher, channels = _setup()
    for n in (1, 2):
        store.save_device("bob", StoredDevice(id=str(n) * 32, platform="fcm", createdAt="x", push="ready",
                                              endpointArn=f"arn:endpoint/{n}"))
    pusher.disabled.add("arn:endpoint/2")
    made = create(store, queue, "E1", MENTION, "2026-11-30T12:00:00.000Z")

    assert deliver(store, channels, queue.sent[1], NOON) == "sent"

    note = store.get("bob", made.notificationId)
    assert note is not None and [d.status for d in note.deliveries if d.channel == "push"] == ["sent", "failed"]
    assert pusher.published == [("arn:endpoint/1", "Ada mentioned you")]
    assert [d.id for d in store.devices("bob")] == ["1" * 32] and pusher.removed == ["arn:endpoint/2"]


def test_given_no_address_or_a_refusal_then_the_email_is_skipped_or_failed_with_the_reason() -> None:
    store, queue, mailer, _, channels = _setup()
    create(store, queue, "E1", Draft("nobody", "mention", "t", None, None), "2026-11-30T12:00:00.000Z")
    assert deliver(store, channels, queue.sent[0], NOON) == "skipped"

    mailer.refuse = "MessageRejected"
    create(store, queue, "E2", MENTION, "2026-11-30T12:00:00.000Z")
    assert deliver(store, channels, queue.sent[2], NOON) == "failed"


def test_given_a_deleted_notification_then_its_request_is_ignored() -> None:
    store, _, mailer, _, channels = _setup()
    request = DeliveryRequest(userId="bob", notificationId="01JD0000000000000000000N01", channel="email")
    assert deliver(store, channels, request, NOON) == "ignored" and mailer.sent == []


def _device(n: int, platform: str = "fcm", arn: bool = True) -> StoredDevice:
    return StoredDevice(id=str(n) * 32, platform=platform, createdAt="x", push="ready",  # type: ignore[arg-type]
                        endpointArn=f"arn:endpoint/{n}" if arn else None)


def _push_deliveries(store: FakeStore, notification_id: str) -> list[tuple[str, str | None]]:
    note = store.get("bob", notification_id)
    assert note is not None
    return [(d.status, d.reason) for d in note.deliveries if d.channel == "push"]


def test_given_a_device_then_the_push_carries_the_notification_and_the_attempt_names_the_device() -> None:
    store, queue, _, pusher, channels = _setup()
    store.save_device("bob", _device(1))
    made = create(store, queue, "E1", MENTION, "2026-11-30T12:00:00.000Z")

    assert deliver(store, channels, queue.sent[1], NOON) == "sent"

    assert pusher.payloads == [("in a comment on a task", {
        "notificationId": made.notificationId, "kind": "mention", "link": "/tasks/t1#comment-c1"})]
    assert _push_deliveries(store, made.notificationId) == [("sent", f"device {'1' * 32}")]
    note = store.get("bob", made.notificationId)
    assert note is not None and note.channels["push"] == "done" and note.deliveries[-1].at == "2026-11-30T12:00:00.000Z"


def test_given_a_notification_without_link_then_the_push_data_has_an_empty_link() -> None:
    store, queue, _, pusher, channels = _setup()
    store.save_device("bob", _device(1))
    create(store, queue, "E1", Draft("bob", "levelUp", "Level 2!", None, None), "2026-11-30T12:00:00.000Z")

    deliver(store, channels, queue.sent[-1], NOON)

    assert pusher.payloads[0][1]["link"] == ""


def test_given_every_device_refusing_then_the_push_failed_with_each_reason() -> None:
    store, queue, _, pusher, channels = _setup()
    store.save_device("bob", _device(1))
    store.save_device("bob", _device(2))
    pusher.disabled.update({"arn:endpoint/1", "arn:endpoint/2"})
    made = create(store, queue, "E1", MENTION, "2026-11-30T12:00:00.000Z")

    assert deliver(store, channels, queue.sent[1], NOON) == "failed"

    reason = "SNS refused: EndpointDisabled (endpoint disabled: device removed)"
    assert _push_deliveries(store, made.notificationId) == [
        ("failed", f"device {'1' * 32}: {reason}"), ("failed", f"device {'2' * 32}: {reason}")]
    assert store.devices("bob") == []


class _Refusal(Exception):
    """A provider's refusal that does not say the endpoint is disabled."""


def test_given_a_refusal_that_does_not_disable_then_the_device_stays() -> None:
    store, queue, mailer, pusher, _ = _setup()
    channels = Channels(mailer, pusher, _Refusal, "https://app.example")
    store.save_device("bob", _device(1))
    pusher.publish = lambda *args: (_ for _ in ()).throw(_Refusal("Throttled"))  # type: ignore[method-assign]
    made = create(store, queue, "E1", MENTION, "2026-11-30T12:00:00.000Z")

    assert deliver(store, channels, queue.sent[1], NOON) == "failed"

    assert _push_deliveries(store, made.notificationId) == [("failed", f"device {'1' * 32}: SNS refused: Throttled")]
    assert [d.id for d in store.devices("bob")] == ["1" * 32] and pusher.removed == []


def test_given_a_device_skipped_and_another_refused_then_the_outcome_is_the_last_attempt() -> None:
    store, queue, _, pusher, channels = _setup()
    store.save_device("bob", _device(1, arn=False))
    store.save_device("bob", _device(2))
    pusher.disabled.add("arn:endpoint/2")
    create(store, queue, "E1", MENTION, "2026-11-30T12:00:00.000Z")

    assert deliver(store, channels, queue.sent[1], NOON) == "failed"


def test_given_a_device_refused_and_another_skipped_then_the_outcome_is_the_last_attempt() -> None:
    store, queue, _, pusher, channels = _setup()
    store.save_device("bob", _device(1))
    store.save_device("bob", _device(2, platform="apns"))
    pusher.disabled.add("arn:endpoint/1")
    made = create(store, queue, "E1", MENTION, "2026-11-30T12:00:00.000Z")

    assert deliver(store, channels, queue.sent[1], NOON) == "skipped"
    assert [status for status, _ in _push_deliveries(store, made.notificationId)] == ["failed", "skipped"]


def test_given_an_email_without_link_then_it_links_to_the_public_site_and_the_event_address_wins() -> None:
    store, queue, mailer, _, channels = _setup()
    draft = Draft("bob", "levelUp", "Level 2!", "You reached a new level.", None, email="other@example.com")
    store.prefs["bob"] = NotificationPreferences.model_validate({"digest": {"enabled": False}})
    made = create(store, queue, "E1", draft, "2026-11-30T12:00:00.000Z")

    assert deliver(store, channels, queue.sent[0], NOON) == "sent"

    [(to, subject, text)] = mailer.sent
    assert (to, subject) == ("other@example.com", "Level 2!") and "\n\nhttps://deepiri.dev\n" in text
    note = store.get("bob", made.notificationId)
    assert note is not None and [(d.status, d.reason, d.at) for d in note.deliveries if d.channel == "email"] == [
        ("sent", None, "2026-11-30T12:00:00.000Z")]


def test_given_no_address_or_a_refusal_then_the_reason_is_recorded() -> None:
    store, queue, mailer, _, channels = _setup()
    nobody = create(store, queue, "E1", Draft("nobody", "mention", "t", None, None), "2026-11-30T12:00:00.000Z")
    deliver(store, channels, queue.sent[0], NOON)
    mailer.refuse = "MessageRejected"
    refused = create(store, queue, "E2", MENTION, "2026-11-30T12:00:00.000Z")
    deliver(store, channels, queue.sent[2], NOON)

    skipped, failed = store.get("nobody", nobody.notificationId), store.get("bob", refused.notificationId)
    assert skipped is not None and failed is not None
    assert (skipped.deliveries[-1].status, skipped.deliveries[-1].reason) == (
        "skipped", "no email address known for this user")
    assert (failed.deliveries[-1].status, failed.deliveries[-1].reason) == ("failed", "SES refused: MessageRejected")
    assert failed.channels["email"] == "done"


def test_given_quiet_hours_and_a_hold_lost_to_a_concurrent_copy_then_ignored() -> None:
    prefs = NotificationPreferences(timezone="UTC", quietHours=NIGHT_HOURS)
    store, queue, mailer, _, channels = _setup(prefs={"bob": prefs})
    create(store, queue, "E1", MENTION, "2026-11-30T23:00:00.000Z")
    store.hold = lambda *args: False  # type: ignore[method-assign]

    assert deliver(store, channels, queue.sent[0], NIGHT) == "ignored" and mailer.sent == []


def test_given_quiet_hours_that_ended_then_the_email_goes_out() -> None:
    prefs = NotificationPreferences(timezone="UTC", quietHours=NIGHT_HOURS)
    store, queue, mailer, _, channels = _setup(prefs={"bob": prefs})
    create(store, queue, "E1", MENTION, "2026-11-30T12:00:00.000Z")

    assert deliver(store, channels, queue.sent[0], NOON) == "sent" and len(mailer.sent) == 1


def test_given_three_devices_none_sent_then_the_outcome_is_the_last_attempts() -> None:
    store, queue, _, pusher, channels = _setup()
    for n, platform in ((1, "fcm"), (2, "fcm"), (3, "apns")):
        store.save_device("bob", _device(n, platform))
    pusher.disabled.update({"arn:endpoint/1", "arn:endpoint/2"})
    made = create(store, queue, "E1", MENTION, "2026-11-30T12:00:00.000Z")

    assert deliver(store, channels, queue.sent[1], NOON) == "skipped"
    assert [status for status, _ in _push_deliveries(store, made.notificationId)] == ["failed", "failed", "skipped"]

"""Creating notifications from drafts: exactly once per (event, recipient), channels by preferences."""

from __future__ import annotations

import pytest

from deepiri_notifications.logic.catalogue import CATALOGUE, channels_for
from deepiri_notifications.logic.creation import create
from deepiri_notifications.logic.intake import Draft
from deepiri_notifications.models.notifications import KINDS
from deepiri_notifications.models.preferences import Channels, Digest, NotificationPreferences
from tests.unit.notifications.fakes import FakeQueue, FakeStore

NOW = "2026-11-30T10:00:00.000Z"
MENTION = Draft("bob", "mention", "Ada mentioned you", "in a comment on a task", "/tasks/t1#comment-c1")
LEVEL = Draft("bob", "levelUp", "Level 3!", "You reached a new level.", "/progress")


def test_given_a_mention_then_an_unread_notification_is_published_and_email_and_push_are_queued() -> None:
    store, queue = FakeStore(), FakeQueue()

    made = create(store, queue, "E1", MENTION, NOW)

    note = store.get("bob", made.notificationId)
    assert note is not None and note.readAt is None and note.kind == "mention"
    assert [(d.channel, d.status) for d in note.deliveries] == [("inApp", "delivered")]
    assert [e.detail.data for e in store.published] == [{
        "notificationId": made.notificationId, "userId": "bob", "kind": "mention", "title": "Ada mentioned you",
        "body": "in a comment on a task", "link": "/tasks/t1#comment-c1"}]
    assert [(r.notificationId, r.channel) for r in queue.sent] == [(made.notificationId, "email"),
                                                                  (made.notificationId, "push")]


def test_given_the_same_event_twice_then_one_notification_and_one_published_event() -> None:
    store, queue = FakeStore(), FakeQueue()

    first = create(store, queue, "E1", MENTION, NOW)
    second = create(store, queue, "E1", MENTION, NOW)

    assert second.notificationId == first.notificationId and first.new and not second.new
    assert len(store.notes) == 1 and len(store.published) == 1
    assert create(store, queue, "E2", MENTION, NOW).notificationId != first.notificationId


def test_given_queueing_failed_then_the_retry_queues_the_channels_still_pending() -> None:
    store = FakeStore()
    with pytest.raises(RuntimeError):
        create(store, FakeQueue(fail=True), "E1", MENTION, NOW)
    queue = FakeQueue()

    again = create(store, queue, "E1", MENTION, NOW)

    assert not again.new and [r.channel for r in queue.sent] == ["email", "push"]


def test_given_the_digest_on_then_a_low_priority_email_waits_for_it_and_only_push_is_queued() -> None:
    store, queue = FakeStore(), FakeQueue()

    made = create(store, queue, "E1", LEVEL, NOW)

    note = store.get("bob", made.notificationId)
    assert note is not None and note.channels == {"email": "digest", "push": "pending"}
    assert [(d.channel, d.status) for d in note.deliveries] == [("inApp", "delivered"), ("email", "digest")]
    assert list(store.digest_queue()) == ["bob"] and [r.channel for r in queue.sent] == ["push"]


def test_given_the_digest_off_then_a_low_priority_email_is_queued_at_once() -> None:
    store, queue = FakeStore(prefs={"bob": NotificationPreferences(digest=Digest(enabled=False))}), FakeQueue()
    create(store, queue, "E1", LEVEL, NOW)
    assert [r.channel for r in queue.sent] == ["email", "push"] and not store.digest


def test_given_in_app_off_then_the_notification_is_stored_read_and_nothing_is_published() -> None:
    prefs = NotificationPreferences(kinds={"mention": Channels(inApp=False, email=False, push=True)})
    store, queue = FakeStore(prefs={"bob": prefs}), FakeQueue()

    made = create(store, queue, "E1", MENTION, NOW)

    note = store.get("bob", made.notificationId)
    assert note is not None and note.readAt == NOW and store.published == []
    assert [(d.channel, d.status) for d in note.deliveries] == [("inApp", "off"), ("email", "off")]
    assert [r.channel for r in queue.sent] == ["push"]


def test_given_security_mail_turned_off_then_it_is_still_emailed_with_its_secret_link() -> None:
    prefs = NotificationPreferences(kinds={"passwordReset": Channels(inApp=True, email=False, push=False)})
    store, queue = FakeStore(prefs={"u1": prefs}), FakeQueue()
    draft = Draft("u1", "passwordReset", "A password reset was requested", None, None, email="u1@example.com",
                  secretLink="https://app/reset-password?token=t0k")

    create(store, queue, "E1", draft, NOW)

    [request] = queue.sent
    assert request.channel == "email" and request.email == "u1@example.com"
    assert request.secretLink == "https://app/reset-password?token=t0k" and "t0k" not in repr(request)


def test_given_every_kind_then_the_catalogue_has_its_priority_and_security_mail_cannot_be_turned_off() -> None:
    assert set(CATALOGUE) == set(KINDS)
    off = NotificationPreferences(kinds=dict.fromkeys(KINDS, Channels(inApp=False, email=False, push=False)))
    emailed = {kind for kind in KINDS if channels_for(kind, off).email}
    assert emailed == {"passwordReset", "emailVerification"}


def test_given_channels_turned_off_or_waiting_then_each_delivery_says_why_and_when() -> None:
    prefs = NotificationPreferences(kinds={"levelUp": Channels(inApp=True, email=True, push=False)})
    store, queue = FakeStore(prefs={"bob": prefs}), FakeQueue()

    made = create(store, queue, "E1", LEVEL, NOW)

    note = store.get("bob", made.notificationId)
    assert note is not None and note.channels == {"email": "digest", "push": "done"}
    assert [(d.channel, d.status, d.at, d.reason) for d in note.deliveries] == [
        ("inApp", "delivered", NOW, None), ("email", "digest", NOW, "waiting for the daily digest"),
        ("push", "off", NOW, "turned off in preferences")]
    assert made.queued == () and queue.sent == []


def test_given_a_mention_then_the_stored_notification_is_the_drafts_and_the_event_is_the_services() -> None:
    store, queue = FakeStore(), FakeQueue()

    made = create(store, queue, "E7", MENTION, NOW)

    note = store.get("bob", made.notificationId)
    assert note is not None and (note.userId, note.kind, note.title, note.body, note.link, note.createdAt,
                                 note.sourceEventId) == ("bob", "mention", "Ada mentioned you",
                                                         "in a comment on a task", "/tasks/t1#comment-c1", NOW, "E7")
    [event] = store.published
    assert (event.source, event.detail_type, event.detail.actor) == (
        "deepiri.notifications", "NotificationCreated", "notifications")
    assert made == type(made)(made.notificationId, True, ("email", "push"))
    assert [(r.userId, r.email, r.secretLink) for r in queue.sent] == [("bob", None, None), ("bob", None, None)]


def test_given_the_notification_deleted_before_a_redelivery_then_nothing_is_queued_again() -> None:
    store, queue = FakeStore(), FakeQueue()
    first = create(store, queue, "E1", MENTION, NOW)
    del store.notes[("bob", first.notificationId)]
    queue.sent.clear()

    again = create(store, queue, "E1", MENTION, NOW)

    assert (again.notificationId, again.new, again.queued) == (first.notificationId, False, ())
    assert queue.sent == [] and store.notes == {}


def test_given_a_redelivery_after_the_sends_went_out_then_nothing_is_queued_again() -> None:
    store, queue = FakeStore(), FakeQueue()
    first = create(store, queue, "E1", MENTION, NOW)
    for channel in ("email", "push"):
        store.record("bob", first.notificationId, channel, [], state="done", expected="pending")
    queue.sent.clear()

    again = create(store, queue, "E1", MENTION, NOW)

    assert (again.new, again.queued) == (False, ()) and queue.sent == []

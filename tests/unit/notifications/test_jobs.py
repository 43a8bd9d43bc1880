"""The scheduled jobs: releasing held deliveries after quiet hours, the daily digest email."""

from __future__ import annotations

from deepiri_common.clock import parse_iso
from deepiri_notifications.logic.creation import create
from deepiri_notifications.logic.delivery import Channels, deliver
from deepiri_notifications.logic.intake import Draft
from deepiri_notifications.logic.jobs import DigestTools, release_held, send_digests
from deepiri_notifications.models.preferences import Contact, Digest, NotificationPreferences, NotificationQuietHours
from tests.unit.notifications.fakes import FakeMailer, FakePusher, FakeQueue, FakeStore, Refused

MENTION = Draft("bob", "mention", "Ada mentioned you", None, "/tasks/t1")
BOB = {"bob": Contact(email="bob@example.com", displayName="Bob")}


def test_given_a_held_email_when_quiet_hours_end_then_the_release_job_queues_it_and_it_is_sent() -> None:
    prefs = NotificationPreferences(timezone="UTC", quietHours=NotificationQuietHours(start="22:00", end="07:00"))
    store, queue, mailer = FakeStore(prefs={"bob": prefs}, contacts=dict(BOB)), FakeQueue(), FakeMailer()
    channels = Channels(mailer, FakePusher(), Refused, "https://app.example")
    made = create(store, queue, "E1", MENTION, "2026-11-30T23:00:00.000Z")
    email = queue.sent[0]
    queue.sent.clear()
    assert deliver(store, channels, email, parse_iso("2026-11-30T23:00:00.000Z")) == "held"

    early = release_held(store, queue, parse_iso("2026-12-01T06:59:00.000Z"))
    run = release_held(store, queue, parse_iso("2026-12-01T07:00:00.000Z"))

    assert (early.released, run.released) == (0, 1) and [r.channel for r in queue.sent] == ["email"]
    assert deliver(store, channels, queue.sent[0], parse_iso("2026-12-01T07:00:30.000Z")) == "sent"
    note = store.get("bob", made.notificationId)
    assert note is not None and [d.status for d in note.deliveries if d.channel == "email"] == ["held", "sent"]
    assert len(mailer.sent) == 1


def test_given_a_deleted_held_notification_then_its_pointer_is_dropped() -> None:
    quiet = NotificationPreferences(quietHours=NotificationQuietHours(start="22:00", end="07:00"))
    store, queue = FakeStore(prefs={"bob": quiet}), FakeQueue()
    made = create(store, queue, "E1", MENTION, "2026-11-30T23:00:00.000Z")
    channels = Channels(FakeMailer(), FakePusher(), Refused, "")
    deliver(store, channels, queue.sent[0], parse_iso("2026-11-30T23:00:00.000Z"))
    queue.sent.clear()
    del store.notes[("bob", made.notificationId)]

    run = release_held(store, queue, parse_iso("2026-12-01T08:00:00.000Z"))

    assert (run.released, run.dropped) == (0, 1) and queue.sent == [] and store.held == {}


def test_given_low_priority_notifications_then_one_digest_email_at_the_local_hour_once_a_day() -> None:
    prefs = NotificationPreferences(timezone="Asia/Tokyo", digest=Digest(enabled=True, hour=8))
    store, queue, mailer = FakeStore(prefs={"bob": prefs}, contacts=dict(BOB)), FakeQueue(), FakeMailer()
    tools = DigestTools(mailer, Refused, "https://app.example")
    first = create(store, queue, "E1", Draft("bob", "levelUp", "Level 2!", None, "/progress"), "2026-11-29T10:00:00Z")
    create(store, queue, "E2", Draft("bob", "badgeEarned", "Badge earned: Early bird", None, None), "2026-11-29T11:00Z")

    before = send_digests(store, tools, parse_iso("2026-11-29T22:00:00.000Z"))  # 07:00 in Tokyo
    due = send_digests(store, tools, parse_iso("2026-11-29T23:05:00.000Z"))  # 08:05
    again = send_digests(store, tools, parse_iso("2026-11-30T01:00:00.000Z"))

    assert (before.emails, before.waiting, due.emails, due.items, again.emails) == (0, 2, 1, 2, 0)
    [(to, subject, text)] = mailer.sent
    assert to == "bob@example.com" and subject == "Your Deepiri day: 2 update(s)"
    assert text.index("Level 2!") < text.index("Badge earned: Early bird")
    note = store.get("bob", first.notificationId)
    assert note is not None and note.channels["email"] == "done"
    assert (note.deliveries[-1].status, note.deliveries[-1].reason) == ("sent", "daily digest of 2")

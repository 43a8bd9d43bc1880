"""The scheduled jobs: releasing held deliveries after quiet hours, the daily digest email."""

from __future__ import annotations

from datetime import date

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


def test_given_nothing_held_then_the_release_job_queues_nothing() -> None:
    run = release_held(FakeStore(), FakeQueue(fail=True), parse_iso("2026-12-01T08:00:00.000Z"))

    assert (run.released, run.dropped) == (0, 0)


def test_given_a_held_push_then_it_is_queued_again_on_its_own_channel_for_its_user() -> None:
    quiet = NotificationPreferences(quietHours=NotificationQuietHours(start="22:00", end="07:00"))
    store, queue = FakeStore(prefs={"bob": quiet}), FakeQueue()
    made = create(store, queue, "E1", MENTION, "2026-11-30T23:00:00.000Z")
    push = queue.sent[1]
    queue.sent.clear()
    deliver(store, Channels(FakeMailer(), FakePusher(), Refused, ""), push, parse_iso("2026-11-30T23:00:00.000Z"))

    run = release_held(store, queue, parse_iso("2026-12-01T07:00:00.000Z"))

    assert run.released == 1
    assert [(r.userId, r.notificationId, r.channel) for r in queue.sent] == [("bob", made.notificationId, "push")]


def _digest_store(prefs: NotificationPreferences | None = None, contacts: dict[str, Contact] | None = None
                  ) -> tuple[FakeStore, list[str]]:
    store = FakeStore(prefs={"bob": prefs or NotificationPreferences()}, contacts=dict(BOB if contacts is None
                                                                                        else contacts))
    ids = [create(store, FakeQueue(), event, Draft("bob", "levelUp", title, body, link), at).notificationId
           for event, title, body, link, at in (
               ("E2", "Level 3!", "You reached a new level.", "/progress", "2026-11-30T07:00:00.000Z"),
               ("E1", "Level 2!", None, None, "2026-11-30T06:00:00.000Z"))]
    return store, ids


def test_given_a_due_digest_then_its_email_lists_oldest_first_with_app_links() -> None:
    store, _ = _digest_store()
    mailer = FakeMailer()

    run = send_digests(store, DigestTools(mailer, Refused, "https://app.example"), parse_iso("2026-11-30T09:00:00Z"))

    assert run.model_dump() == {"users": 1, "emails": 1, "items": 2, "waiting": 0}
    [(_, _, text)] = mailer.sent
    assert text.startswith("Since your last digest:\n\n- Level 2!\n- Level 3!: You reached a new level.\n"
                           "  https://app.example/progress\n")
    assert store.digest == {} and store.last_digest == {"bob": date(2026, 11, 30)}


def test_given_no_known_address_then_the_waiting_emails_are_recorded_skipped_and_none_sent() -> None:
    store, ids = _digest_store(contacts={})
    mailer = FakeMailer()

    run = send_digests(store, DigestTools(mailer, Refused, ""), parse_iso("2026-11-30T09:00:00Z"))

    assert (run.users, run.emails, run.items) == (1, 0, 2) and mailer.sent == []
    for notification in ids:
        note = store.get("bob", notification)
        assert note is not None and (note.deliveries[-1].status, note.deliveries[-1].reason) == (
            "skipped", "no email address known for this user")


def test_given_ses_refusing_the_digest_then_each_notification_records_the_failure() -> None:
    store, ids = _digest_store()

    run = send_digests(store, DigestTools(FakeMailer(refuse="MessageRejected"), Refused, ""),
                       parse_iso("2026-11-30T09:00:00Z"))

    assert (run.users, run.emails) == (1, 0)
    note = store.get("bob", ids[0])
    assert note is not None and (note.deliveries[-1].status, note.deliveries[-1].reason, note.deliveries[-1].at) == (
        "failed", "SES refused: MessageRejected", "2026-11-30T09:00:00.000Z")


def test_given_waiting_notifications_deleted_since_then_their_pointers_are_dropped_and_the_rest_sent() -> None:
    store, (_newer, older) = _digest_store()
    del store.notes[("bob", older)]
    mailer = FakeMailer()

    run = send_digests(store, DigestTools(mailer, Refused, ""), parse_iso("2026-11-30T09:00:00Z"))

    assert (run.users, run.items) == (1, 1) and store.digest == {}
    assert "Level 3!" in mailer.sent[0][2] and "Level 2!" not in mailer.sent[0][2]


def test_given_every_waiting_notification_deleted_then_no_email_and_no_digest_day_spent() -> None:
    store, ids = _digest_store()
    for notification in ids:
        del store.notes[("bob", notification)]
    mailer = FakeMailer()

    run = send_digests(store, DigestTools(mailer, Refused, ""), parse_iso("2026-11-30T09:00:00Z"))

    assert run.model_dump() == {"users": 0, "emails": 0, "items": 0, "waiting": 0}
    assert mailer.sent == [] and store.digest == {} and store.last_digest == {}


def test_given_two_deleted_held_notifications_then_both_pointers_are_counted_dropped() -> None:
    quiet = NotificationPreferences(quietHours=NotificationQuietHours(start="22:00", end="07:00"))
    store, queue = FakeStore(prefs={"bob": quiet}), FakeQueue()
    channels = Channels(FakeMailer(), FakePusher(), Refused, "")
    for event in ("E1", "E2"):
        made = create(store, queue, event, MENTION, "2026-11-30T23:00:00.000Z")
        deliver(store, channels, queue.sent[-1], parse_iso("2026-11-30T23:00:00.000Z"))
        del store.notes[("bob", made.notificationId)]

    run = release_held(store, queue, parse_iso("2026-12-01T08:00:00.000Z"))

    assert (run.released, run.dropped) == (0, 2)


def test_given_several_users_then_one_run_sends_the_due_digests_and_counts_them_all() -> None:
    late = NotificationPreferences(digest=Digest(enabled=True, hour=20))
    people = ("ada", "al", "bob", "cy", "dan")
    store = FakeStore(prefs={"ada": late, "dan": late},
                      contacts={user: Contact(email=f"{user}@example.com") for user in people})
    waiting = {"ada": 2, "al": 1, "bob": 2, "cy": 1, "dan": 1}
    for user, count in waiting.items():
        for n in range(count):
            create(store, FakeQueue(), f"E{n}", Draft(user, "levelUp", f"Level {n + 2}!", None, None),
                   "2026-11-30T06:00:00.000Z")
    for (owner, notification) in [key for key in store.notes if key[0] == "al"]:
        del store.notes[(owner, notification)]  # al's only one was deleted meanwhile
    mailer = FakeMailer()

    run = send_digests(store, DigestTools(mailer, Refused, ""), parse_iso("2026-11-30T09:00:00Z"))

    assert run.model_dump() == {"users": 2, "emails": 2, "items": 3, "waiting": 3}
    assert sorted(to for to, _, _ in mailer.sent) == ["bob@example.com", "cy@example.com"]


def test_given_todays_digest_sent_then_a_later_item_waits_for_tomorrows() -> None:
    store, _ = _digest_store()
    mailer = FakeMailer()
    send_digests(store, DigestTools(mailer, Refused, ""), parse_iso("2026-11-30T09:00:00Z"))
    create(store, FakeQueue(), "E9", Draft("bob", "badgeEarned", "Badge earned: Owl", None, None),
           "2026-11-30T10:00:00.000Z")

    later = send_digests(store, DigestTools(mailer, Refused, ""), parse_iso("2026-11-30T11:00:00Z"))
    tomorrow = send_digests(store, DigestTools(mailer, Refused, ""), parse_iso("2026-12-01T09:00:00Z"))

    assert (later.waiting, later.emails, tomorrow.emails) == (1, 0, 1) and len(mailer.sent) == 2

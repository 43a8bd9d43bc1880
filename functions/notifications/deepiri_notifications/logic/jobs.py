"""The scheduled jobs: releasing deliveries held by quiet hours once they end, and the daily digest email.

Release: every held delivery whose quiet hours ended by now goes back to ``pending`` and to the delivery
queue (where it is sent, or held again if the user's quiet hours changed meanwhile); pointers of deleted
notifications are dropped.

Digest: for each user with emails waiting, once the digest hour has come in the user's timezone and no
digest went out on that local date, one email lists them all (oldest first); each notification records
the digest's delivery. With no address known the waiting emails are recorded as ``skipped``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from pydantic import BaseModel

from deepiri_common.clock import to_iso
from deepiri_notifications.logic.catalogue import render_digest
from deepiri_notifications.logic.creation import Queue
from deepiri_notifications.logic.delivery import Mailer
from deepiri_notifications.logic.schedule import digest_day_due
from deepiri_notifications.models.notifications import Delivery, DeliveryRequest, StoredNotification
from deepiri_notifications.models.preferences import Contact, NotificationPreferences


class PointerLike(Protocol):
    @property
    def userId(self) -> str: ...
    @property
    def notificationId(self) -> str: ...
    @property
    def channel(self) -> Any: ...


class Store(Protocol):
    def held_due(self, now: datetime) -> list[Any]: ...
    def release(self, pointer: Any) -> bool: ...
    def digest_queue(self) -> dict[str, list[Any]]: ...
    def preferences(self, user_id: str) -> tuple[NotificationPreferences, date | None]: ...
    def contact(self, user_id: str) -> Contact: ...
    def get(self, user_id: str, notification_id: str) -> StoredNotification | None: ...
    def finish_digest(self, user_id: str, pointers: list[Any], delivery: Delivery, sent_on: date) -> None: ...
    def drop_pointer(self, pointer: Any) -> None: ...


class ReleaseRun(BaseModel):
    released: int
    dropped: int


class DigestRun(BaseModel):
    users: int = 0
    emails: int = 0
    items: int = 0
    waiting: int = 0


def release_held(store: Store, queue: Queue, now: datetime) -> ReleaseRun:
    """Queue again every delivery whose quiet hours ended by ``now``."""
    released: list[DeliveryRequest] = []
    dropped = 0
    for pointer in store.held_due(now):
        if store.release(pointer):
            released.append(DeliveryRequest(userId=pointer.userId, notificationId=pointer.notificationId,
                                            channel=pointer.channel))
        else:
            dropped += 1
    if released:
        queue.send(released)
    return ReleaseRun(released=len(released), dropped=dropped)


@dataclass(frozen=True)
class DigestTools:
    mailer: Mailer
    refused: type[Exception]
    app_url: str


def send_digests(store: Store, tools: DigestTools, now: datetime) -> DigestRun:
    """Send each user's digest that is due at ``now``."""
    run = DigestRun()
    for user_id, pointers in store.digest_queue().items():
        preferences, last = store.preferences(user_id)
        day = digest_day_due(now, preferences.timezone, preferences.digest, last)
        if day is None:
            run.waiting += len(pointers)
            continue
        live = [(pointer, note) for pointer in pointers
                if (note := store.get(user_id, pointer.notificationId)) is not None]
        for pointer in pointers:
            if all(pointer is not kept for kept, _ in live):
                store.drop_pointer(pointer)
        if not live:
            continue
        delivery = _send_one(store, tools, user_id, [note for _, note in live], to_iso(now))
        store.finish_digest(user_id, [pointer for pointer, _ in live], delivery, day)
        run.users += 1
        run.items += len(live)
        run.emails += delivery.status == "sent"
    return run


def _send_one(store: Store, tools: DigestTools, user_id: str, notes: list[StoredNotification], at: str) -> Delivery:
    address = store.contact(user_id).email
    if not address:
        return Delivery(channel="email", status="skipped", at=at, reason="no email address known for this user")
    subject, text = render_digest([(note.title, note.body, tools.app_url + note.link if note.link else None)
                                   for note in sorted(notes, key=lambda n: (n.createdAt, n.id))])
    try:
        tools.mailer.send(address, subject, text)
    except tools.refused as refused:
        return Delivery(channel="email", status="failed", at=at, reason=f"SES refused: {refused}")
    return Delivery(channel="email", status="sent", at=at, reason=f"daily digest of {len(notes)}")

"""Turning a draft into a stored notification, exactly once per (source event, recipient), and handing its
email and push to the delivery queue.

The user's preferences decide the channels: in-app (stored unread and published as NotificationCreated,
which realtime pushes to the user's sockets; when off, the notification is stored already read and
nothing is pushed), email (at once, or into the daily digest for low-priority kinds), push. A channel
turned off is recorded as ``off`` in ``deliveries``. The notification, its (event, recipient) marker, its
outbox event and its digest pointer are one transaction; the delivery requests are queued after it. If
queueing fails the event is retried: the marker then names the notification already written, and the
channels still ``pending`` are queued again (the delivery worker ignores a channel no longer pending).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from deepiri_common.events import DomainEvent
from deepiri_common.ids import new_ulid
from deepiri_notifications.logic.catalogue import channels_for, goes_to_digest
from deepiri_notifications.logic.intake import Draft
from deepiri_notifications.models.events import SERVICE, NotificationCreated
from deepiri_notifications.models.notifications import (
    ChannelState,
    Delivery,
    DeliveryRequest,
    SendChannel,
    StoredNotification,
)
from deepiri_notifications.models.preferences import NotificationPreferences


class Store(Protocol):
    def preferences(self, user_id: str) -> tuple[NotificationPreferences, object]: ...
    def create(self, notification: StoredNotification, event: DomainEvent | None, digest: bool) -> str | None: ...
    def get(self, user_id: str, notification_id: str) -> StoredNotification | None: ...


class Queue(Protocol):
    def send(self, requests: list[DeliveryRequest]) -> None: ...


@dataclass(frozen=True)
class Created:
    notificationId: str
    new: bool
    queued: tuple[SendChannel, ...]


def create(store: Store, queue: Queue, source_event_id: str, draft: Draft, now: str) -> Created:
    """Store the notification ``draft`` describes (once per source event and recipient) and queue its sends."""
    preferences, _ = store.preferences(draft.recipient)
    switches = channels_for(draft.kind, preferences)
    digest = switches.email and goes_to_digest(draft.kind, preferences)
    states: dict[str, ChannelState] = {}
    deliveries = [Delivery(channel="inApp", status="delivered" if switches.inApp else "off", at=now)]
    for channel, on in (("email", switches.email), ("push", switches.push)):
        if not on:
            deliveries.append(Delivery(channel=channel, status="off", at=now, reason="turned off in preferences"))
            states[channel] = "done"
        elif channel == "email" and digest:
            deliveries.append(Delivery(channel="email", status="digest", at=now, reason="waiting for the daily digest"))
            states[channel] = "digest"
        else:
            states[channel] = "pending"
    notification = StoredNotification(
        id=new_ulid(), userId=draft.recipient, kind=draft.kind, title=draft.title, body=draft.body, link=draft.link,
        createdAt=now, readAt=None if switches.inApp else now, deliveries=deliveries, sourceEventId=source_event_id,
        channels=states)
    event = None
    if switches.inApp:
        event = DomainEvent.new(SERVICE, "NotificationCreated", NotificationCreated(
            notificationId=notification.id, userId=draft.recipient, kind=draft.kind, title=draft.title,
            body=draft.body, link=draft.link), actor="notifications")
    existing = store.create(notification, event, digest)
    if existing is not None:
        earlier = store.get(draft.recipient, existing)
        if earlier is None:  # deleted by its user since: nothing to send
            return Created(existing, False, ())
        notification = earlier
    sends: tuple[SendChannel, ...] = ("email", "push")
    pending = tuple(channel for channel in sends if notification.channels.get(channel) == "pending")
    if pending:
        queue.send([DeliveryRequest(userId=draft.recipient, notificationId=notification.id, channel=channel,
                                    email=draft.email, secretLink=draft.secretLink) for channel in pending])
    return Created(notification.id, existing is None, pending)

"""The notifications repository, the delivery queue and the channel providers in memory, keeping their
contracts: one notification per (event, recipient), channel transitions only from the expected state."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from deepiri_common.clock import to_iso
from deepiri_common.events import DomainEvent
from deepiri_common.pagination import Page
from deepiri_notifications.models.notifications import DeliveryRequest, Notification, StoredNotification
from deepiri_notifications.models.preferences import Contact, NotificationPreferences, StoredDevice


@dataclass(frozen=True)
class Pointer:
    userId: str
    notificationId: str
    channel: Any
    key: str


@dataclass
class FakeStore:
    notes: dict[tuple[str, str], StoredNotification] = field(default_factory=dict)
    markers: dict[tuple[str, str], str] = field(default_factory=dict)
    prefs: dict[str, NotificationPreferences] = field(default_factory=dict)
    last_digest: dict[str, date] = field(default_factory=dict)
    timezones: dict[str, tuple[str, str]] = field(default_factory=dict)  # user → (timezone, version)
    contacts: dict[str, Contact] = field(default_factory=dict)
    device_map: dict[tuple[str, str], StoredDevice] = field(default_factory=dict)
    held: dict[str, Pointer] = field(default_factory=dict)
    digest: dict[str, Pointer] = field(default_factory=dict)
    published: list[DomainEvent] = field(default_factory=list)

    def preferences(self, user_id: str) -> tuple[NotificationPreferences, date | None]:
        preferences = self.prefs.get(user_id, NotificationPreferences())
        if user_id in self.timezones:
            preferences = preferences.model_copy(update={"timezone": self.timezones[user_id][0]})
        return preferences, self.last_digest.get(user_id)

    def save_preferences(self, user_id: str, preferences: NotificationPreferences, at: str) -> None:
        assert isinstance(at, str), "the repository writes updatedAt: a missing value fails the update"
        self.prefs[user_id] = preferences

    def set_timezone(self, user_id: str, timezone: str, version: str) -> bool:
        """Kept only over an older version (the repository's conditional write)."""
        if user_id in self.timezones and self.timezones[user_id][1] >= version:
            return False
        self.timezones[user_id] = (timezone, version)
        return True

    def contact(self, user_id: str) -> Contact:
        return self.contacts.get(user_id, Contact())

    def save_contact(self, user_id: str, contact: Contact) -> None:
        self.contacts[user_id] = contact

    def create(self, notification: StoredNotification, event: DomainEvent | None, digest: bool) -> str | None:
        marker = (notification.userId, notification.sourceEventId)
        if marker in self.markers:
            return self.markers[marker]
        self.markers[marker] = notification.id
        self.notes[(notification.userId, notification.id)] = notification.model_copy(deep=True)
        if event is not None:
            self.published.append(event)
        if digest:
            key = f"{notification.userId}#{notification.id}"
            self.digest[key] = Pointer(notification.userId, notification.id, "email", key)
        return None

    def get(self, user_id: str, notification_id: str) -> StoredNotification | None:
        note = self.notes.get((user_id, notification_id))
        return None if note is None else note.model_copy(deep=True)

    def page(self, user_id: str, unread: bool, limit: int, cursor: str | None) -> Page[Notification]:
        """Newest first; the cursor is the id of the last one shown."""
        mine = sorted((note for (owner, _), note in self.notes.items() if owner == user_id
                       and not (unread and note.readAt)), key=lambda note: note.id, reverse=True)
        after = [note for note in mine if cursor is None or note.id < cursor]
        shown = [Notification.model_validate(note.model_dump(include=set(Notification.model_fields)))
                 for note in after[:limit]]
        return Page[Notification](items=shown, nextCursor=shown[-1].id if len(after) > limit else None)

    def unread_count(self, user_id: str) -> int:
        return sum(1 for (owner, _), note in self.notes.items() if owner == user_id and note.readAt is None)

    def mark_read(self, user_id: str, notification_id: str, at: str) -> bool:
        note = self.notes.get((user_id, notification_id))
        if note is None:
            return False
        note.readAt = note.readAt or at
        return True

    def mark_all_read(self, user_id: str, at: str) -> int:
        unread = [note for (owner, _), note in self.notes.items() if owner == user_id and note.readAt is None]
        for note in unread:
            note.readAt = at
        return len(unread)

    def delete(self, user_id: str, notification_id: str) -> bool:
        return self.notes.pop((user_id, notification_id), None) is not None

    def record(self, user_id: str, notification_id: str, channel: Any, deliveries: list[Any], *,
               state: Any, expected: Any) -> bool:
        note = self.notes.get((user_id, notification_id))
        if note is None or note.channels.get(channel) != expected:
            return False
        note.deliveries.extend(deliveries)
        note.channels[channel] = state
        return True

    def hold(self, user_id: str, notification_id: str, channel: Any, delivery: Any, release_at: datetime) -> bool:
        if not self.record(user_id, notification_id, channel, [delivery], state="held", expected="pending"):
            return False
        key = f"{to_iso(release_at)}#{user_id}#{notification_id}#{channel}"
        self.held[key] = Pointer(user_id, notification_id, channel, key)
        return True

    def held_due(self, now: datetime) -> list[Pointer]:
        return [self.held[key] for key in sorted(self.held) if key <= f"{to_iso(now)}#~"]

    def release(self, pointer: Pointer) -> bool:
        del self.held[pointer.key]
        note = self.notes.get((pointer.userId, pointer.notificationId))
        if note is None or note.channels.get(pointer.channel) != "held":
            return False
        note.channels[pointer.channel] = "pending"
        return True

    def digest_queue(self) -> dict[str, list[Pointer]]:
        queued: dict[str, list[Pointer]] = {}
        for key in sorted(self.digest):
            queued.setdefault(self.digest[key].userId, []).append(self.digest[key])
        return queued

    def finish_digest(self, user_id: str, pointers: list[Pointer], delivery: Any, sent_on: date) -> None:
        for pointer in pointers:
            self.record(user_id, pointer.notificationId, "email", [delivery], state="done", expected="digest")
            self.digest.pop(pointer.key, None)
        self.last_digest[user_id] = sent_on

    def drop_pointer(self, pointer: Pointer) -> None:
        self.digest.pop(pointer.key, None)
        self.held.pop(pointer.key, None)

    def devices(self, user_id: str) -> list[StoredDevice]:
        return [device for (owner, _), device in self.device_map.items() if owner == user_id]

    def save_device(self, user_id: str, device: StoredDevice) -> None:
        self.device_map[(user_id, device.id)] = device

    def delete_device(self, user_id: str, device_id: str) -> StoredDevice | None:
        return self.device_map.pop((user_id, device_id), None)

    def purge(self, user_id: str) -> int:
        before = len(self.notes) + len(self.prefs) + len(self.contacts) + len(self.device_map)
        self.notes = {k: v for k, v in self.notes.items() if k[0] != user_id}
        self.markers = {k: v for k, v in self.markers.items() if k[0] != user_id}
        self.prefs.pop(user_id, None)
        self.timezones.pop(user_id, None)
        self.contacts.pop(user_id, None)
        self.device_map = {k: v for k, v in self.device_map.items() if k[0] != user_id}
        self.digest = {k: v for k, v in self.digest.items() if v.userId != user_id}
        return before - (len(self.notes) + len(self.prefs) + len(self.contacts) + len(self.device_map))


@dataclass
class FakeQueue:
    sent: list[DeliveryRequest] = field(default_factory=list)
    fail: bool = False

    def send(self, requests: list[DeliveryRequest]) -> None:
        if self.fail:
            raise RuntimeError("SQS is down")
        self.sent.extend(requests)


class Refused(Exception):
    def __init__(self, code: str, disabled: bool = False) -> None:
        super().__init__(code)
        self.code, self.disabled = code, disabled


@dataclass
class FakeMailer:
    sent: list[tuple[str, str, str]] = field(default_factory=list)
    refuse: str | None = None

    def send(self, to: str, subject: str, text: str) -> str:
        if self.refuse:
            raise Refused(self.refuse)
        self.sent.append((to, subject, text))
        return f"m{len(self.sent)}"


@dataclass
class FakePusher:
    platforms: tuple[str, ...] = ()
    published: list[tuple[str, str]] = field(default_factory=list)
    disabled: set[str] = field(default_factory=set)
    removed: list[str] = field(default_factory=list)
    payloads: list[tuple[str | None, dict[str, str]]] = field(default_factory=list)  # (body, data) of each push

    def configured(self, platform: str) -> bool:
        return platform in self.platforms

    def register(self, platform: str, token: str) -> str:
        return f"arn:aws:sns:us-east-1:123456789012:endpoint/{platform}/{token[-4:]}"

    def unregister(self, endpoint_arn: str) -> None:
        self.removed.append(endpoint_arn)

    def publish(self, endpoint_arn: str, title: str, body: str | None, data: dict[str, str]) -> str:
        if endpoint_arn in self.disabled:
            raise Refused("EndpointDisabled", disabled=True)
        self.published.append((endpoint_arn, title))
        self.payloads.append((body, data))
        return "p1"

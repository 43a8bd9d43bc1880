"""The notifications table. A user's partition (``pk = USER#<id>``) holds

- ``sk = NOTE#<notificationId>`` (a ULID, so key order is time order): the notification, its
  ``deliveries`` (every attempt per channel) and ``channels`` (where each channel stands); while unread
  it carries ``unreadPk = USER#<id>``, the key of the sparse ``unread`` index;
- ``sk = SOURCE#<eventId>``: the marker that makes one notification per (event, recipient), written in
  the notification's transaction under ``attribute_not_exists``;
- ``sk = PREFS`` (preferences, the last digest's local date, and the timezone the users service announced
  with ``timezoneVersion``, its event's ``<occurredAt>#<eventId>``), ``sk = CONTACT`` (email, display name),
  ``sk = DEVICE#<id>`` (push devices).

Two shared partitions point at work the jobs do: ``pk = HELD`` (``sk = <releaseAt>#<user>#<id>#<channel>``,
deliveries held by quiet hours, read in release order) and ``pk = DIGEST`` (``sk = <user>#<id>``, emails
waiting for the user's daily digest). Notifications and markers expire by TTL after 90 days.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from deepiri_common.attributes import TypeDeserializer, TypeSerializer
from deepiri_common.clock import epoch_seconds, parse_iso, to_iso
from deepiri_common.events import DomainEvent
from deepiri_common.outbox import outbox_put
from deepiri_common.pagination import Page, decode_cursor, encode_cursor
from deepiri_common.problems import BadRequest
from deepiri_common.transactions import CONDITION_FAILED, batch_delete, write_transaction
from deepiri_notifications.models.notifications import (
    ChannelState,
    Delivery,
    Notification,
    SendChannel,
    StoredNotification,
)
from deepiri_notifications.models.preferences import Contact, NotificationPreferences, StoredDevice

_serializer, _deserializer = TypeSerializer(), TypeDeserializer()
RETENTION = timedelta(days=90)
UNREAD_INDEX = "unread"
HELD, DIGEST = "HELD", "DIGEST"


@dataclass(frozen=True)
class Pointer:
    """A delivery waiting for a job: held by quiet hours, or queued for the digest."""

    userId: str
    notificationId: str
    channel: SendChannel
    key: dict[str, Any]


def _user(user_id: str) -> dict[str, Any]:
    return {"S": f"USER#{user_id}"}


def _key(user_id: str, sk: str) -> dict[str, Any]:
    return {"pk": _user(user_id), "sk": {"S": sk}}


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


def _typed(values: dict[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in values.items() if value is not None}


def _delivery(delivery: Delivery) -> dict[str, Any]:
    return _serializer.serialize(delivery.model_dump(exclude_none=True))


def _notification(item: dict[str, Any]) -> StoredNotification:
    values = _plain(item)
    return StoredNotification.model_validate({
        name: values.get(name) for name in ("id", "userId", "kind", "title", "body", "link", "createdAt", "readAt",
                                            "sourceEventId")
    } | {"deliveries": values.get("deliveries", []), "channels": values.get("channels", {})})


class NotificationRepository:
    """Reads and writes a user's notifications, preferences, contact and devices, and the jobs' pointers."""

    def __init__(self, table_name: str, client: Any) -> None:
        self._table, self._client = table_name, client

    # ------------------------------------------------------------------ preferences and contact
    def preferences(self, user_id: str) -> tuple[NotificationPreferences, date | None]:
        """The user's preferences (the defaults when none are stored) and the local date of the last digest."""
        item = self._get(user_id, "PREFS")
        if item is None:
            return NotificationPreferences(), None
        values = _plain(item)
        last = values.get("lastDigestOn")
        document = values.get("document")
        preferences = NotificationPreferences.model_validate_json(document) if document else NotificationPreferences()
        if values.get("timezone"):  # the users service's setting wins over one a PUT stored before it was learnt
            preferences = preferences.model_copy(update={"timezone": values["timezone"]})
        return preferences, date.fromisoformat(last) if last else None

    def save_preferences(self, user_id: str, preferences: NotificationPreferences, at: str) -> None:
        self._client.update_item(
            TableName=self._table, Key=_key(user_id, "PREFS"),
            UpdateExpression="SET document = :document, updatedAt = :at",
            ExpressionAttributeValues=_typed({":document": preferences.model_dump_json(), ":at": at}))

    def set_timezone(self, user_id: str, timezone: str, version: str) -> bool:
        """Keep ``timezone`` (the users service's setting) unless one of a later ``version`` is kept already;
        whether it was kept. The other preferences stay as they are."""
        try:
            self._client.update_item(
                TableName=self._table, Key=_key(user_id, "PREFS"),
                UpdateExpression="SET #timezone = :timezone, timezoneVersion = :version",
                ConditionExpression="attribute_not_exists(timezoneVersion) OR timezoneVersion < :version",
                ExpressionAttributeNames={"#timezone": "timezone"},
                ExpressionAttributeValues=_typed({":timezone": timezone, ":version": version}))
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def contact(self, user_id: str) -> Contact:
        item = self._get(user_id, "CONTACT")
        return Contact() if item is None else Contact.model_validate(_plain(item))

    def save_contact(self, user_id: str, contact: Contact) -> None:
        self._client.put_item(TableName=self._table, Item={**_key(user_id, "CONTACT"),
                                                           **_typed(contact.model_dump())})

    # ------------------------------------------------------------------ creating
    def create(self, notification: StoredNotification, event: DomainEvent | None, digest: bool) -> str | None:
        """Write ``notification`` with its (event, recipient) marker, its NotificationCreated outbox item and its
        digest pointer in one transaction. Returns None when written, else the id of the notification the
        same event already made for this user (nothing is written)."""
        user_id, created = notification.userId, parse_iso(notification.createdAt)
        expires = epoch_seconds(created + RETENTION)
        note = {**_key(user_id, f"NOTE#{notification.id}"), **_typed({
            **notification.model_dump(exclude={"deliveries"}), "expiresAt": expires,
            "unreadPk": None if notification.readAt else f"USER#{user_id}",
        }), "deliveries": {"L": [_delivery(d) for d in notification.deliveries]}}
        marker = {**_key(user_id, f"SOURCE#{notification.sourceEventId}"),
                  **_typed({"notificationId": notification.id, "expiresAt": expires})}
        items: list[dict[str, Any]] = [
            {"Put": {"TableName": self._table, "Item": marker, "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Put": {"TableName": self._table, "Item": note, "ConditionExpression": "attribute_not_exists(pk)"}},
        ]
        if event is not None:
            items.append(outbox_put(self._table, event))
        if digest:
            items.append({"Put": {"TableName": self._table, "Item": {
                "pk": {"S": DIGEST}, "sk": {"S": f"{user_id}#{notification.id}"},
                **_typed({"userId": user_id, "notificationId": notification.id, "channel": "email"})}}})
        reasons = write_transaction(self._client, items)
        if reasons is None:
            return None
        if reasons[0] != CONDITION_FAILED:
            raise RuntimeError(f"notification {notification.id} not written: {reasons}")  # retried by SQS
        existing = self._get(user_id, f"SOURCE#{notification.sourceEventId}")
        return str(_plain(existing or {}).get("notificationId", ""))

    # ------------------------------------------------------------------ reading and marking
    def get(self, user_id: str, notification_id: str) -> StoredNotification | None:
        item = self._get(user_id, f"NOTE#{notification_id}")
        return None if item is None else _notification(item)

    def page(self, user_id: str, unread: bool, limit: int, cursor: str | None) -> Page[Notification]:
        """The user's notifications, newest first; ``unread`` lists only those not read yet."""
        args: dict[str, Any] = {"TableName": self._table, "Limit": limit, "ScanIndexForward": False}
        if unread:
            args |= {"IndexName": UNREAD_INDEX, "KeyConditionExpression": "unreadPk = :pk",
                     "ExpressionAttributeValues": {":pk": _user(user_id)}}
        else:
            args |= {"KeyConditionExpression": "pk = :pk AND begins_with(sk, :note)",
                     "ExpressionAttributeValues": {":pk": _user(user_id), ":note": {"S": "NOTE#"}}}
        if cursor is not None:
            start = decode_cursor(cursor)
            owner = start.get("unreadPk" if unread else "pk")
            if owner != _user(user_id) or not str(start.get("sk", {}).get("S", "")).startswith("NOTE#"):
                raise BadRequest("invalid cursor")
            args["ExclusiveStartKey"] = start
        page = self._client.query(**args)
        items = [_notification(item).public() for item in page.get("Items", [])]
        last = page.get("LastEvaluatedKey")
        return Page[Notification](items=items, next_cursor=encode_cursor(last) if last else None)

    def unread_count(self, user_id: str) -> int:
        args: dict[str, Any] = {"TableName": self._table, "IndexName": UNREAD_INDEX, "Select": "COUNT",
                                "KeyConditionExpression": "unreadPk = :pk",
                                "ExpressionAttributeValues": {":pk": _user(user_id)}}
        count = 0
        while True:
            page = self._client.query(**args)
            count += int(page.get("Count", 0))
            if "LastEvaluatedKey" not in page:
                return count
            args["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def mark_read(self, user_id: str, notification_id: str, at: str) -> bool:
        """Mark one notification read (a read one keeps its first ``readAt``); False when there is none."""
        try:
            self._client.update_item(
                TableName=self._table, Key=_key(user_id, f"NOTE#{notification_id}"),
                UpdateExpression="SET readAt = if_not_exists(readAt, :at) REMOVE unreadPk",
                ConditionExpression="attribute_exists(pk)", ExpressionAttributeValues={":at": {"S": at}})
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def mark_all_read(self, user_id: str, at: str) -> int:
        """Mark every unread notification read; how many there were."""
        marked = 0
        args: dict[str, Any] = {"TableName": self._table, "IndexName": UNREAD_INDEX, "ProjectionExpression": "sk",
                                "KeyConditionExpression": "unreadPk = :pk",
                                "ExpressionAttributeValues": {":pk": _user(user_id)}}
        while True:
            page = self._client.query(**args)
            for item in page.get("Items", []):
                marked += self.mark_read(user_id, item["sk"]["S"].removeprefix("NOTE#"), at)
            if "LastEvaluatedKey" not in page:
                return marked
            args["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def delete(self, user_id: str, notification_id: str) -> bool:
        """Delete one notification; False when there was none."""
        response = self._client.delete_item(TableName=self._table, Key=_key(user_id, f"NOTE#{notification_id}"),
                                            ReturnValues="ALL_OLD")
        return "Attributes" in response

    # ------------------------------------------------------------------ deliveries
    def record(self, user_id: str, notification_id: str, channel: SendChannel, deliveries: list[Delivery], *,
               state: ChannelState, expected: ChannelState) -> bool:
        """Append ``deliveries`` and move the channel from ``expected`` to ``state``; False when the channel
        was not in ``expected`` (another delivery of the same message got there first) or the notification
        is gone."""
        try:
            self._client.update_item(**self._record_args(user_id, notification_id, channel, deliveries,
                                                         state=state, expected=expected))
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def _record_args(self, user_id: str, notification_id: str, channel: SendChannel, deliveries: list[Delivery], *,
                     state: ChannelState, expected: ChannelState) -> dict[str, Any]:
        return {
            "TableName": self._table, "Key": _key(user_id, f"NOTE#{notification_id}"),
            "UpdateExpression": "SET deliveries = list_append(if_not_exists(deliveries, :none), :new), "
                                "channels.#channel = :state",
            "ConditionExpression": "channels.#channel = :expected",
            "ExpressionAttributeNames": {"#channel": channel},
            "ExpressionAttributeValues": {":none": {"L": []}, ":new": {"L": [_delivery(d) for d in deliveries]},
                                          ":state": {"S": state}, ":expected": {"S": expected}},
        }

    def hold(self, user_id: str, notification_id: str, channel: SendChannel, delivery: Delivery,
             release_at: datetime) -> bool:
        """Record a delivery held by quiet hours and point the release job at it, in one transaction."""
        update = self._record_args(user_id, notification_id, channel, [delivery], state="held", expected="pending")
        pointer = {"pk": {"S": HELD}, "sk": {"S": f"{to_iso(release_at)}#{user_id}#{notification_id}#{channel}"},
                   **_typed({"userId": user_id, "notificationId": notification_id, "channel": channel})}
        reasons = write_transaction(self._client, [
            {"Update": update}, {"Put": {"TableName": self._table, "Item": pointer}}])
        if reasons is None:
            return True
        if reasons[0] != CONDITION_FAILED:
            raise RuntimeError(f"notification {notification_id} not held: {reasons}")
        return False

    def held_due(self, now: datetime) -> list[Pointer]:
        """The held deliveries whose quiet hours have ended by ``now``, in release order."""
        items = self._query_all({"pk": {"S": HELD}, "below": {"S": f"{to_iso(now)}#~"}},
                                "pk = :pk AND sk <= :below")
        return [self._pointer(item) for item in items]

    def release(self, pointer: Pointer) -> bool:
        """Move a held channel back to pending and drop its pointer; False when the notification is gone or
        no longer held (the pointer is dropped either way)."""
        reasons = write_transaction(self._client, [
            {"Update": {"TableName": self._table, "Key": _key(pointer.userId, f"NOTE#{pointer.notificationId}"),
                        "UpdateExpression": "SET channels.#channel = :pending",
                        "ConditionExpression": "channels.#channel = :held",
                        "ExpressionAttributeNames": {"#channel": pointer.channel},
                        "ExpressionAttributeValues": {":pending": {"S": "pending"}, ":held": {"S": "held"}}}},
            {"Delete": {"TableName": self._table, "Key": pointer.key}},
        ])
        if reasons is None:
            return True
        self._client.delete_item(TableName=self._table, Key=pointer.key)
        return False

    def digest_queue(self) -> dict[str, list[Pointer]]:
        """Every email waiting for a digest, by user, oldest first."""
        queued: dict[str, list[Pointer]] = {}
        for item in self._query_all({"pk": {"S": DIGEST}}, "pk = :pk"):
            pointer = self._pointer(item)
            queued.setdefault(pointer.userId, []).append(pointer)
        return queued

    def finish_digest(self, user_id: str, pointers: list[Pointer], delivery: Delivery, sent_on: date) -> None:
        """Record the digest's delivery on each notification, drop the pointers, remember the local date."""
        for pointer in pointers:
            self.record(user_id, pointer.notificationId, "email", [delivery], state="done", expected="digest")
            self._client.delete_item(TableName=self._table, Key=pointer.key)
        self._client.update_item(TableName=self._table, Key=_key(user_id, "PREFS"),
                                 UpdateExpression="SET lastDigestOn = :day",
                                 ExpressionAttributeValues={":day": {"S": sent_on.isoformat()}})

    def drop_pointer(self, pointer: Pointer) -> None:
        self._client.delete_item(TableName=self._table, Key=pointer.key)

    @staticmethod
    def _pointer(item: dict[str, Any]) -> Pointer:
        values = _plain(item)
        return Pointer(values["userId"], values["notificationId"], values["channel"],
                       {"pk": item["pk"], "sk": item["sk"]})

    # ------------------------------------------------------------------ devices
    def devices(self, user_id: str) -> list[StoredDevice]:
        items = self._query_all({"pk": _user(user_id), "prefix": {"S": "DEVICE#"}},
                                "pk = :pk AND begins_with(sk, :prefix)")
        return [StoredDevice.model_validate(_plain(item)) for item in items]

    def save_device(self, user_id: str, device: StoredDevice) -> None:
        self._client.put_item(TableName=self._table, Item={**_key(user_id, f"DEVICE#{device.id}"),
                                                           **_typed(device.model_dump())})

    def delete_device(self, user_id: str, device_id: str) -> StoredDevice | None:
        response = self._client.delete_item(TableName=self._table, Key=_key(user_id, f"DEVICE#{device_id}"),
                                            ReturnValues="ALL_OLD")
        old = response.get("Attributes")
        return None if old is None else StoredDevice.model_validate(_plain(old))

    # ------------------------------------------------------------------ forgetting a user
    def purge(self, user_id: str) -> int:
        """Delete every item of the user's partition and their digest pointers; how many there were. Held
        pointers are left to the release job, which drops those whose notification is gone."""
        keys = [{"pk": item["pk"], "sk": item["sk"]} for item in self._query_all(
            {"pk": _user(user_id)}, "pk = :pk", projection="pk, sk")]
        keys += [{"pk": item["pk"], "sk": item["sk"]} for item in self._query_all(
            {"pk": {"S": DIGEST}, "prefix": {"S": f"{user_id}#"}}, "pk = :pk AND begins_with(sk, :prefix)",
            projection="pk, sk")]
        batch_delete(self._client, self._table, keys)  # BatchWriteIncomplete: retried by SQS
        return len(keys)

    # ------------------------------------------------------------------ helpers
    def _get(self, user_id: str, sk: str) -> dict[str, Any] | None:
        item: dict[str, Any] | None = self._client.get_item(
            TableName=self._table, Key=_key(user_id, sk), ConsistentRead=True).get("Item")
        return item

    def _query_all(self, values: dict[str, Any], condition: str, projection: str | None = None) -> list[
            dict[str, Any]]:
        return list(self._pages(values, condition, projection))

    def _pages(self, values: dict[str, Any], condition: str, projection: str | None) -> Iterator[dict[str, Any]]:
        args: dict[str, Any] = {"TableName": self._table, "KeyConditionExpression": condition, "ConsistentRead": True,
                                "ExpressionAttributeValues": {f":{name}": value for name, value in values.items()}}
        if projection:
            args["ProjectionExpression"] = projection
        while True:
            page = self._client.query(**args)
            yield from page.get("Items", [])
            if "LastEvaluatedKey" not in page:
                return
            args["ExclusiveStartKey"] = page["LastEvaluatedKey"]


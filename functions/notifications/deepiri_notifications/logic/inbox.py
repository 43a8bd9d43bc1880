"""The user's notification history: listing, unread count, marking read, deleting. Another user's
notification is answered as not found, like one that does not exist."""

from __future__ import annotations

from typing import Protocol

from deepiri_common.pagination import Page
from deepiri_common.problems import NotFound
from deepiri_notifications.models.notifications import Notification, ReadAll, UnreadCount


class Store(Protocol):
    def page(self, user_id: str, unread: bool, limit: int, cursor: str | None) -> Page[Notification]: ...
    def unread_count(self, user_id: str) -> int: ...
    def mark_read(self, user_id: str, notification_id: str, at: str) -> bool: ...
    def mark_all_read(self, user_id: str, at: str) -> int: ...
    def delete(self, user_id: str, notification_id: str) -> bool: ...
    def get(self, user_id: str, notification_id: str) -> Notification | None: ...


def history(store: Store, user_id: str, unread: bool, limit: int, cursor: str | None) -> Page[Notification]:
    """The user's notifications, newest first (only the unread ones when ``unread``)."""
    return store.page(user_id, unread, limit, cursor)


def unread_count(store: Store, user_id: str) -> UnreadCount:
    return UnreadCount(unread=store.unread_count(user_id))


def mark_read(store: Store, user_id: str, notification_id: str, now: str) -> Notification:
    """Mark one notification read; the notification as it is now."""
    if not store.mark_read(user_id, notification_id, now):
        raise NotFound("no such notification")
    notification = store.get(user_id, notification_id)
    if notification is None:  # deleted in between
        raise NotFound("no such notification")
    return Notification.model_validate(notification.model_dump())  # the stored-only fields are left out


def mark_all_read(store: Store, user_id: str, now: str) -> ReadAll:
    return ReadAll(marked=store.mark_all_read(user_id, now))


def delete(store: Store, user_id: str, notification_id: str) -> None:
    if not store.delete(user_id, notification_id):
        raise NotFound("no such notification")

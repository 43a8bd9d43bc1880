"""The user's notification preferences, with every kind spelled out, and the timezone they follow."""

from __future__ import annotations

from typing import Protocol

from deepiri_notifications.logic.catalogue import effective_preferences
from deepiri_notifications.models.preferences import NotificationPreferences


class Store(Protocol):
    def preferences(self, user_id: str) -> tuple[NotificationPreferences, object]: ...
    def save_preferences(self, user_id: str, preferences: NotificationPreferences, at: str) -> None: ...
    def set_timezone(self, user_id: str, timezone: str, at: str) -> None: ...


def read(store: Store, user_id: str) -> NotificationPreferences:
    """The stored preferences, or the defaults, with the channels of every kind."""
    return effective_preferences(store.preferences(user_id)[0])


def replace(store: Store, user_id: str, preferences: NotificationPreferences, now: str) -> NotificationPreferences:
    """Store ``preferences`` (kinds not named take their defaults); the result as :func:`read` shows it."""
    store.save_preferences(user_id, preferences, now)
    return effective_preferences(preferences)

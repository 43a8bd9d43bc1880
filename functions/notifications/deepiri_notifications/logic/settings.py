"""The user's notification preferences, with every kind spelled out, and the timezone they follow.

The timezone is the users service's setting (``PATCH /api/users/me``), learnt from UserRegistered and
UserSettingsChanged in event-time order; the preferences show it, and a ``PUT`` may repeat it but not
change it.
"""

from __future__ import annotations

from typing import Protocol

from deepiri_common.clock import is_valid_timezone, parse_iso, to_iso
from deepiri_common.problems import ValidationFailed
from deepiri_notifications.logic.catalogue import effective_preferences
from deepiri_notifications.models.preferences import NotificationPreferences

TIMEZONE_OWNER = "is the timezone of your account: change it with PATCH /api/users/me"


class Store(Protocol):
    def preferences(self, user_id: str) -> tuple[NotificationPreferences, object]: ...
    def save_preferences(self, user_id: str, preferences: NotificationPreferences, at: str) -> None: ...
    def set_timezone(self, user_id: str, timezone: str, version: str) -> bool: ...


def read(store: Store, user_id: str) -> NotificationPreferences:
    """The stored preferences, or the defaults, with the channels of every kind."""
    return effective_preferences(store.preferences(user_id)[0])


def replace(store: Store, user_id: str, preferences: NotificationPreferences, now: str) -> NotificationPreferences:
    """Store ``preferences`` (kinds not named take their defaults); the result as :func:`read` shows it.

    A ``timezone`` other than the account's is refused (422): the users service owns it."""
    timezone = store.preferences(user_id)[0].timezone
    if "timezone" in preferences.model_fields_set and preferences.timezone != timezone:
        raise ValidationFailed([{"field": "body.timezone", "message": TIMEZONE_OWNER}])
    kept = preferences.model_copy(update={"timezone": timezone})
    store.save_preferences(user_id, kept, now)
    return effective_preferences(kept)


def timezone_announced(store: Store, user_id: str, timezone: str, occurred_at: str, event_id: str) -> bool:
    """Follow the timezone the users service announced at ``occurred_at``; whether it was kept. An announcement
    older than the one kept changes nothing (events may arrive out of order), and the same one delivered twice
    is kept once; two of the same instant are ordered by their event ids (ULIDs). A name this runtime's
    timezone database does not know is not kept (the users service validates it; the databases may differ)."""
    if not is_valid_timezone(timezone):
        return False
    return store.set_timezone(user_id, timezone, f"{to_iso(parse_iso(occurred_at))}#{event_id}")

"""Presence rules: a user with no declared status is ``online`` while connected, else ``offline``.

Declaring a status emits PresenceUpdated (through the outbox), which reaches the user's other open
connections, so every device shows the same status.
"""

from __future__ import annotations

from typing import Protocol

from deepiri_common.clock import to_iso, utc_now
from deepiri_common.events import DomainEvent
from deepiri_realtime.models.connection import Connection
from deepiri_realtime.models.presence import Presence, PresenceUpdate, RealtimeMe


class PresenceStore(Protocol):
    def get(self, user_id: str) -> Presence | None: ...
    def put(self, presence: Presence, event: DomainEvent) -> None: ...


class ConnectionLister(Protocol):
    def for_user(self, user_id: str) -> list[Connection]: ...


def set_presence(store: PresenceStore, user_id: str, update: PresenceUpdate) -> Presence:
    """Record the status a user declares, and the PresenceUpdated event that announces it."""
    presence = Presence(userId=user_id, status=update.status, message=update.message, updatedAt=to_iso(utc_now()))
    event = DomainEvent.new("realtime", "PresenceUpdated", presence, actor=user_id)
    store.put(presence, event)
    return presence


def describe_me(store: PresenceStore, connections: ConnectionLister, user_id: str) -> RealtimeMe:
    """The caller's connections and effective presence."""
    open_connections = connections.for_user(user_id)
    declared = store.get(user_id)
    default = Presence(userId=user_id, status="online" if open_connections else "offline")
    return RealtimeMe(userId=user_id, presence=declared or default, connections=open_connections)

"""What the realtime rules need from storage and from the @connections API, as interfaces.

The repositories in ``dal/`` implement them; unit tests give in-memory fakes. ``Realtime`` bundles them
with the limits the WebSocket enforces, so a rule takes one argument for its collaborators.
"""

from __future__ import annotations

from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any, Protocol

from deepiri_common.events import DomainEvent
from deepiri_realtime.models.connection import Connection, Subscriber
from deepiri_realtime.models.presence import Presence, PresenceState
from deepiri_realtime.models.rooms import Room


class Connections(Protocol):
    def add(self, connection_id: str, user_id: str) -> Connection: ...
    def get(self, connection_id: str) -> Connection | None: ...
    def remove(self, connection_id: str) -> list[str]: ...
    def for_user(self, user_id: str) -> list[Connection]: ...
    def heartbeat(self, connection_id: str) -> None: ...
    def subscribe(self, connection_id: str, user_id: str, channel: str) -> None: ...
    def unsubscribe(self, connection_id: str, channel: str) -> None: ...
    def subscriptions(self, connection_id: str) -> list[str]: ...
    def subscribers(self, channel: str) -> list[Subscriber]: ...
    def count_message(self, connection_id: str, limit: int) -> bool: ...


class PresenceStore(Protocol):
    def get(self, user_id: str) -> PresenceState | None: ...
    def put(self, presence: Presence, event: DomainEvent) -> None: ...
    def set_online(self, user_id: str, online: bool, at: str, event: DomainEvent) -> bool: ...
    def online_users(self) -> list[str]: ...


class Rights(Protocol):
    def record(self, channel: str, user_id: str, holds: bool, at: str) -> None: ...
    def holds(self, channel: str, user_id: str) -> bool: ...
    def holders(self, channel: str) -> set[str]: ...


class Rooms(Protocol):
    def create(self, room: Room, members: list[str]) -> None: ...
    def get(self, room_id: str) -> Room | None: ...
    def replace_state(self, room_id: str, state: dict[str, Any], expected_version: int) -> int: ...


class Outbox(Protocol):
    def publish(self, event: DomainEvent) -> None: ...


class Pusher(Protocol):
    def send(self, connection_id: str, payload: bytes) -> None: ...
    def close(self, connection_id: str) -> None: ...


@dataclass(frozen=True)
class Limits:
    """What one connection may do: the largest frame (bytes) and messages per minute."""

    max_frame_bytes: int = 32 * 1024
    messages_per_minute: int = 100


@dataclass(frozen=True)
class Realtime:
    """The realtime service's collaborators. ``gone`` is the exception ``pusher`` raises for a connection
    that no longer exists; ``pool`` runs pushes in parallel (bounded)."""

    connections: Connections
    presence: PresenceStore
    rights: Rights
    rooms: Rooms
    pusher: Pusher
    gone: type[Exception]
    pool: Executor
    outbox: Outbox
    limits: Limits = Limits()

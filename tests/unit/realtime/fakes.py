"""In-memory stand-ins for the realtime ports (storage and the @connections API)."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from deepiri_common.clock import to_iso, utc_now
from deepiri_common.events import DomainEvent
from deepiri_realtime.dal.rooms import StaleVersion
from deepiri_realtime.logic.ports import Limits, Realtime
from deepiri_realtime.models.connection import Connection, Subscriber
from deepiri_realtime.models.presence import Presence, PresenceState
from deepiri_realtime.models.rooms import Room


class MemoryConnections:
    def __init__(self) -> None:
        self.items: dict[str, Connection] = {}
        # connection → {channel: the user who subscribed}: a push checks that user's rights, as the table's does
        self.subs: dict[str, dict[str, str]] = {}
        self.counts: dict[str, int] = {}

    def add(self, connection_id: str, user_id: str) -> Connection:
        now = to_iso(utc_now())
        self.items[connection_id] = Connection(connectionId=connection_id, userId=user_id, connectedAt=now,
                                               lastSeenAt=now)
        self.subs[connection_id] = {f"user:{user_id}": user_id}
        return self.items[connection_id]

    def get(self, connection_id: str) -> Connection | None:
        return self.items.get(connection_id)

    def remove(self, connection_id: str) -> list[str]:
        self.items.pop(connection_id, None)
        self.counts.pop(connection_id, None)
        return sorted(self.subs.pop(connection_id, {}))

    def for_user(self, user_id: str) -> list[Connection]:
        return [c for c in self.items.values() if c.userId == user_id]

    def heartbeat(self, connection_id: str) -> None:
        if connection_id in self.items:
            self.items[connection_id].lastSeenAt = to_iso(utc_now())

    def subscribe(self, connection_id: str, user_id: str, channel: str) -> None:
        self.subs.setdefault(connection_id, {})[channel] = user_id

    def unsubscribe(self, connection_id: str, channel: str) -> None:
        self.subs.get(connection_id, {}).pop(channel, None)

    def subscriptions(self, connection_id: str) -> list[str]:
        return sorted(self.subs.get(connection_id, {}))

    def subscribers(self, channel: str) -> list[Subscriber]:
        return [Subscriber(connectionId=cid, userId=channels[channel])
                for cid, channels in sorted(self.subs.items()) if channel in channels and cid in self.items]

    def count_message(self, connection_id: str, limit: int) -> bool:
        if self.counts.get(connection_id, 0) >= limit:
            return False
        self.counts[connection_id] = self.counts.get(connection_id, 0) + 1
        return True


class MemoryPresence:
    def __init__(self) -> None:
        self.items: dict[str, PresenceState] = {}
        self.events: list[DomainEvent] = []
        self.changed_at: dict[str, str] = {}  # when each user last went online or offline

    def get(self, user_id: str) -> PresenceState | None:
        return self.items.get(user_id)

    def put(self, presence: Presence, event: DomainEvent) -> None:
        online = self.items[presence.userId].online if presence.userId in self.items else False
        self.items[presence.userId] = PresenceState(userId=presence.userId, declared=presence, online=online)
        self.events.append(event)

    def set_online(self, user_id: str, online: bool, at: str, event: DomainEvent) -> bool:
        state = self.items.get(user_id) or PresenceState(userId=user_id)
        if state.online == online:
            return False
        self.items[user_id] = state.model_copy(update={"online": online})
        self.changed_at[user_id] = at
        self.events.append(event)
        return True

    def online_users(self) -> list[str]:
        return [user for user, state in self.items.items() if state.online]


class MemoryRights:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], tuple[bool, str]] = {}

    def record(self, channel: str, user_id: str, holds: bool, at: str) -> None:
        current = self.items.get((channel, user_id))
        if current is None or current[1] <= at:
            self.items[(channel, user_id)] = (holds, at)

    def holds(self, channel: str, user_id: str) -> bool:
        return self.items.get((channel, user_id), (False, ""))[0]

    def holders(self, channel: str) -> set[str]:
        return {user for (c, user), (holds, _) in self.items.items() if c == channel and holds}


class MemoryRooms:
    def __init__(self, rights: MemoryRights) -> None:
        self.items: dict[str, Room] = {}
        self.rights = rights

    def create(self, room: Room, members: list[str]) -> None:
        self.items[room.roomId] = room
        for member in members:
            self.rights.record(f"room:{room.roomId}", member, True, room.createdAt)

    def get(self, room_id: str) -> Room | None:
        return self.items.get(room_id)

    def replace_state(self, room_id: str, state: dict[str, Any], expected_version: int) -> int:
        room = self.items[room_id]
        if room.version != expected_version:
            raise StaleVersion(room_id)
        self.items[room_id] = room.model_copy(update={"state": state, "version": expected_version + 1})
        return expected_version + 1


class MemoryOutbox:
    def __init__(self) -> None:
        self.events: list[DomainEvent] = []

    def publish(self, event: DomainEvent) -> None:
        self.events.append(event)


class Gone(Exception):
    pass


class FakePusher:
    def __init__(self, gone: set[str] | None = None) -> None:
        self.gone = gone or set()
        self.sent: list[tuple[str, dict[str, Any]]] = []
        self.closed: list[str] = []

    def send(self, connection_id: str, payload: bytes) -> None:
        if connection_id in self.gone:
            raise Gone(connection_id)
        self.sent.append((connection_id, json.loads(payload)))

    def close(self, connection_id: str) -> None:
        self.closed.append(connection_id)

    def to(self, connection_id: str) -> list[dict[str, Any]]:
        return [frame for cid, frame in self.sent if cid == connection_id]


def memory_realtime(gone: set[str] | None = None, limits: Limits | None = None) -> Realtime:
    rights = MemoryRights()
    return Realtime(connections=MemoryConnections(), presence=MemoryPresence(), rights=rights,
                    rooms=MemoryRooms(rights), pusher=FakePusher(gone), gone=Gone,
                    pool=ThreadPoolExecutor(max_workers=4), outbox=MemoryOutbox(), limits=limits or Limits())

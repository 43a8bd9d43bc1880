"""Presence: online, away, busy or offline, from a user's connections, heartbeats and declarations.

A user is online from their first connection until their last one ends: by $disconnect, by being closed
(sessions revoked, flood), or by the presence sweep finding that none of their connections sent a
heartbeat (a ping or a presence message) within the heartbeat timeout. While online, others see the
status the user declared (``presence.set``, ``PUT /api/realtime/presence``; ``online`` by default).
Every change is announced as PresenceUpdated through the outbox; the fan-out pushes it to the user's
own connections and to their friends'. ``GET /api/realtime/presence`` answers for friends only.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from deepiri_common.clock import parse_iso, to_iso, utc_now
from deepiri_common.events import DomainEvent
from deepiri_realtime.logic.channels import friends_of
from deepiri_realtime.logic.ports import Connections, PresenceStore, Realtime
from deepiri_realtime.models.events import SERVICE
from deepiri_realtime.models.presence import Presence, PresenceState, PresenceUpdate, RealtimeMe


def _state(store: PresenceStore, user_id: str) -> PresenceState:
    return store.get(user_id) or PresenceState(userId=user_id)


def _announce(presence: Presence, user_id: str) -> DomainEvent:
    return DomainEvent.new(SERVICE, "PresenceUpdated", presence, actor=user_id)


def set_presence(store: PresenceStore, user_id: str, update: PresenceUpdate) -> Presence:
    """Record the status a user declares, and the PresenceUpdated event that announces it."""
    presence = Presence(userId=user_id, status=update.status, message=update.message, updatedAt=to_iso(utc_now()))
    store.put(presence, _announce(presence, user_id))
    return presence


def went_online(store: PresenceStore, user_id: str) -> bool:
    """The user's first connection opened: announce their declared status (once, however many race)."""
    state = _state(store, user_id)
    now = to_iso(utc_now())
    announced = state.shown().model_copy(update={"updatedAt": now})
    return store.set_online(user_id, True, now, _announce(announced, user_id))


def went_offline(store: PresenceStore, connections: Connections, user_id: str) -> bool:
    """A connection ended: when it was the user's last, announce them offline (once)."""
    if connections.for_user(user_id):
        return False
    state = _state(store, user_id)
    now = to_iso(utc_now())
    offline = state.shown().model_copy(update={"status": "offline", "updatedAt": now})
    return store.set_online(user_id, False, now, _announce(offline, user_id))


def describe_me(store: PresenceStore, connections: Connections, user_id: str) -> RealtimeMe:
    """The caller's connections and presence: the one they declared, else online while connected."""
    open_connections = connections.for_user(user_id)
    state = store.get(user_id)
    if state is not None and state.declared is not None:
        presence = state.declared
    else:
        presence = Presence(userId=user_id, status="online" if open_connections else "offline")
    return RealtimeMe(userId=user_id, presence=presence, connections=open_connections)


def friends_presence(s: Realtime, caller: str, user_ids: list[str]) -> list[Presence]:
    """The effective presence of each of ``user_ids`` who is the caller (or a friend of the caller)."""
    friends = friends_of(s, caller) | {caller}
    answer = []
    for user_id in dict.fromkeys(user_ids):
        if user_id in friends:
            state = s.presence.get(user_id)
            answer.append(state.effective() if state else Presence(userId=user_id, status="offline"))
    return answer


def sweep(s: Realtime, timeout: timedelta, now: datetime | None = None) -> int:
    """Close connections silent for longer than ``timeout`` and mark offline the users left with none.

    Reads only the users marked online. Returns how many users went offline.
    """
    cutoff = (now or utc_now()) - timeout
    offline = 0
    for user_id in s.presence.online_users():
        for connection in s.connections.for_user(user_id):
            if parse_iso(connection.lastSeenAt or connection.connectedAt) < cutoff:
                s.pusher.close(connection.connectionId)
                s.connections.remove(connection.connectionId)
        offline += went_offline(s.presence, s.connections, user_id)
    return offline

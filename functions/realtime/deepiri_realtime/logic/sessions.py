"""WebSocket sessions: a connection belongs to the user the $connect authorizer verified.

$connect checks the browser's Origin against the allow-list (a client that sends none, which no browser
does, is not refused for it) and records the connection subscribed to its own ``user:<id>`` channel;
a refused connection writes nothing. $disconnect forgets it. Every message is counted (more than the
per-minute limit: an error frame, then the connection is closed), refused when larger than the frame
limit, parsed, and authorized on its own; each gets its answer as frames. A frame that is not valid JSON
or not a known action gets an error frame, never a dropped connection.
A participant's ``duel.progress`` is forwarded through the outbox as DuelProgressReported (the
challenges service validates and applies it, and its DuelProgressed comes back as ``duel.update``).
When a user's sessions are revoked (logout everywhere, password change, disabled) or the user is
deleted, every connection of theirs is closed and forgotten at once.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from pydantic import TypeAdapter, ValidationError

from deepiri_common import safejson
from deepiri_common.events import DomainEvent
from deepiri_realtime.logic import rooms
from deepiri_realtime.logic.channels import may_join
from deepiri_realtime.logic.ports import Realtime
from deepiri_realtime.logic.presence import set_presence, went_offline, went_online
from deepiri_realtime.logic.replies import error, reply
from deepiri_realtime.models.channels import parse_channel
from deepiri_realtime.models.events import SERVICE, DuelProgressReported
from deepiri_realtime.models.messages import (
    ClientMessage,
    DuelProgress,
    Frame,
    Ping,
    PresenceSet,
    RoomJoin,
    RoomLeave,
    RoomUpdate,
    Subscribe,
    Unsubscribe,
)
from deepiri_realtime.models.presence import PresenceUpdate

_messages: TypeAdapter[ClientMessage] = TypeAdapter(ClientMessage)


def origin_allowed(origin: str | None, allowed: Iterable[str]) -> bool:
    """Whether a handshake's ``Origin`` is on the allow-list (``*`` allows any; no Origin is not a browser)."""
    allow = {o.strip().rstrip("/").lower() for o in allowed if o.strip()}
    if origin is None or "*" in allow:
        return True
    return origin.strip().rstrip("/").lower() in allow


def open_session(s: Realtime, connection_id: str, user_id: str) -> None:
    """Record a connection for ``user_id`` (authenticated by the authorizer, Origin already checked)."""
    s.connections.add(connection_id, user_id)
    went_online(s.presence, user_id)


def close_session(s: Realtime, connection_id: str) -> None:
    """Forget a connection and what it joined; closing twice is harmless."""
    connection = s.connections.get(connection_id)
    channels = s.connections.remove(connection_id)
    if connection is None:
        return
    for channel in channels:
        if parse_channel(channel)[0] == "room":
            # Removed above, yet the table's channel index (gsi1) may still list it for a moment: left out.
            rooms.announce_left(s, channel, connection.userId, connection_id)
    went_offline(s.presence, s.connections, connection.userId)


def end_user_sessions(s: Realtime, user_id: str) -> int:
    """Close and forget every connection of ``user_id`` (sessions revoked, user deleted). Returns how many."""
    connections = s.connections.for_user(user_id)
    for connection in connections:
        s.pusher.close(connection.connectionId)
        close_session(s, connection.connectionId)
    return len(connections)


def on_message(s: Realtime, connection_id: str, user_id: str, body: str | None) -> list[Frame]:
    """Handle one client message: the frames to send back (the caller closes the connection when the last
    one is the flood limit's error, see :func:`closes`)."""
    if not s.connections.count_message(connection_id, s.limits.messages_per_minute):
        return [error(429, f"more than {s.limits.messages_per_minute} messages a minute: closing the connection")]
    if len((body or "").encode()) > s.limits.max_frame_bytes:
        return [error(413, f"frames are limited to {s.limits.max_frame_bytes} bytes")]
    parsed = parse(body)
    if isinstance(parsed, Frame):
        return [parsed]
    return dispatch(s, connection_id, user_id, parsed)


def closes(frames: list[Frame]) -> bool:
    """Whether answering with ``frames`` ends the connection (the flood limit)."""
    return bool(frames) and frames[-1].type == "error" and frames[-1].data.get("status") == 429


def parse(body: str | None) -> ClientMessage | Frame:
    """The client message in ``body``, or the error frame that explains why it is not one."""
    try:
        # No body reads as "": "XXXX" in its place is equivalent (both fail with "Expecting value").
        return _messages.validate_python(safejson.loads(body or ""))
    except safejson.UnsafeJson as problem:
        return error(400, f"frame is not acceptable JSON: {problem}")
    except json.JSONDecodeError as problem:
        return error(400, f"frame is not JSON: {problem.msg}")
    except ValidationError as problem:
        return error(422, f"invalid frame fields: {', '.join(dict.fromkeys(_fields(problem)))}")


def _fields(problem: ValidationError) -> list[str]:
    """The fields a validation error names; a message's location starts with its action (the union's tag)."""
    names = []
    # Only each error's type and location are read: including the input is equivalent.
    for item in problem.errors(include_input=False):
        if item["type"] in ("union_tag_invalid", "union_tag_not_found"):
            names.append("action")
            # A tag error is pydantic's only error for that message: ``break`` here is equivalent.
            continue
        # Every message is flat: after its action, a location has one part at most (the field), so the
        # separator is never written (any other is equivalent).
        names.append(".".join(str(part) for part in item["loc"][1:]) or "(root)")
    return names


def _ping(s: Realtime, connection_id: str, user_id: str, message: Ping) -> list[Frame]:
    s.connections.heartbeat(connection_id)
    return [reply("pong", request_id=message.requestId)]


def _subscribe(s: Realtime, connection_id: str, user_id: str, message: Subscribe) -> list[Frame]:
    if not may_join(s, message.channel, user_id):
        return [error(403, f"not allowed to subscribe to {message.channel}", request_id=message.requestId)]
    s.connections.subscribe(connection_id, user_id, message.channel)
    return [reply("subscribed", channel=message.channel, request_id=message.requestId)]


def _unsubscribe(s: Realtime, connection_id: str, user_id: str, message: Unsubscribe) -> list[Frame]:
    s.connections.unsubscribe(connection_id, message.channel)
    return [reply("unsubscribed", channel=message.channel, request_id=message.requestId)]


def _presence(s: Realtime, connection_id: str, user_id: str, message: PresenceSet) -> list[Frame]:
    # The PresenceUpdated it announces reaches this connection too (its own user channel).
    s.connections.heartbeat(connection_id)
    set_presence(s.presence, user_id, PresenceUpdate(status=message.status))
    return []


def _room_join(s: Realtime, connection_id: str, user_id: str, message: RoomJoin) -> list[Frame]:
    return rooms.join(s, connection_id, user_id, message.roomId, message.requestId)


def _room_leave(s: Realtime, connection_id: str, user_id: str, message: RoomLeave) -> list[Frame]:
    return rooms.leave(s, connection_id, user_id, message.roomId, message.requestId)


def _room_update(s: Realtime, connection_id: str, user_id: str, message: RoomUpdate) -> list[Frame]:
    return rooms.update(s, connection_id, user_id, message, message.requestId)


def _duel_progress(s: Realtime, connection_id: str, user_id: str, message: DuelProgress) -> list[Frame]:
    if not s.rights.holds(f"duel:{message.duelId}", user_id):
        return [error(403, f"not a participant of duel:{message.duelId}", request_id=message.requestId)]
    report = DuelProgressReported(duelId=message.duelId, userId=user_id, progress=message.progress)
    s.outbox.publish(DomainEvent.new(SERVICE, "DuelProgressReported", report, actor=user_id))
    return []


_ACTIONS: dict[type[Any], Callable[[Realtime, str, str, Any], list[Frame]]] = {
    Ping: _ping, Subscribe: _subscribe, Unsubscribe: _unsubscribe, PresenceSet: _presence,
    RoomJoin: _room_join, RoomLeave: _room_leave, RoomUpdate: _room_update, DuelProgress: _duel_progress,
}


def dispatch(s: Realtime, connection_id: str, user_id: str, message: ClientMessage) -> list[Frame]:
    """Authorize and carry out one parsed message (each is authorized on its own)."""
    return _ACTIONS[type(message)](s, connection_id, user_id, message)

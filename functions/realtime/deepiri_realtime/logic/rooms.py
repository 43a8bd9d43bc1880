"""Collaboration rooms: a project's room (its members may join) or a user's room with invited friends.

The shared state is a JSON object with a version. ``room.update {patch, version}`` merges ``patch``
into the state (RFC 7396: a ``null`` removes a key) only when ``version`` is the room's current one;
a stale version gets an error frame carrying the current state and version. Members in the room get
``room.state`` after each update, and ``collaborator.joined`` / ``collaborator.left`` as people come
and go; the joiner gets the state on joining.
"""

from __future__ import annotations

import json
from typing import Any

from deepiri_common.clock import to_iso, utc_now
from deepiri_common.ids import new_ulid
from deepiri_common.problems import NotFound, PayloadTooLarge, ValidationFailed
from deepiri_realtime.dal.rooms import StaleVersion
from deepiri_realtime.logic.channels import friends_of, may_join
from deepiri_realtime.logic.fanout import push_frame
from deepiri_realtime.logic.ports import Realtime
from deepiri_realtime.logic.replies import error, reply
from deepiri_realtime.models.messages import Frame, RoomUpdate
from deepiri_realtime.models.rooms import Room, RoomCreate

MAX_STATE_BYTES = 32 * 1024


def create_room(s: Realtime, caller: str, body: RoomCreate) -> Room:
    """Create a room: for a project the caller is a member of, or the caller's own with invited friends."""
    if body.projectId is not None:
        if not s.rights.holds(f"project:{body.projectId}", caller):
            raise NotFound("no such project")
        if body.invite:
            raise ValidationFailed([{"field": "body.invite", "message": "a project room is open to its members"}])
        members: list[str] = []
    else:
        strangers = set(body.invite) - friends_of(s, caller)
        if strangers:
            raise ValidationFailed([{"field": "body.invite", "message": "only friends can be invited"}])
        members = [caller, *dict.fromkeys(i for i in body.invite if i != caller)]
    room = Room(roomId=new_ulid(), name=body.name, ownerId=caller, projectId=body.projectId,
                createdAt=to_iso(utc_now()))
    s.rooms.create(room, members)
    return room


def visible_room(s: Realtime, caller: str, room_id: str) -> Room:
    """The room, if the caller may join it (404 otherwise, so its existence never leaks)."""
    room = s.rooms.get(room_id)
    if room is None or not may_join(s, f"room:{room_id}", caller):
        raise NotFound("no such room")
    return room


def invite(s: Realtime, caller: str, room_id: str, user_id: str) -> None:
    """A member of a user room invites one of their friends."""
    room = visible_room(s, caller, room_id)
    if room.projectId is not None:
        raise ValidationFailed([{"field": "body.userId", "message": "a project room is open to its members"}])
    if user_id not in friends_of(s, caller):
        raise ValidationFailed([{"field": "body.userId", "message": "only friends can be invited"}])
    s.rights.record(f"room:{room_id}", user_id, True, to_iso(utc_now()))


def leave_room(s: Realtime, caller: str, room_id: str) -> None:
    """Give up one's invitation to a user room (a project room is left by leaving the project)."""
    room = visible_room(s, caller, room_id)
    if room.projectId is None:
        s.rights.record(f"room:{room_id}", caller, False, to_iso(utc_now()))


def _state_frame(room: Room, channel: str, *, request_id: str | None = None) -> Frame:
    return reply("room.state", {"roomId": room.roomId, "state": room.state, "version": room.version},
                 channel=channel, request_id=request_id)


def join(s: Realtime, connection_id: str, user_id: str, room_id: str, request_id: str | None) -> list[Frame]:
    channel = f"room:{room_id}"
    room = s.rooms.get(room_id)
    if room is None or not may_join(s, channel, user_id):
        return [error(403, f"not allowed to join {channel}", request_id=request_id)]
    s.connections.subscribe(connection_id, user_id, channel)
    push_frame(s, reply("collaborator.joined", {"roomId": room_id, "userId": user_id}, channel=channel),
               exclude=connection_id)
    return [_state_frame(room, channel, request_id=request_id)]


def leave(s: Realtime, connection_id: str, user_id: str, room_id: str, request_id: str | None) -> list[Frame]:
    channel = f"room:{room_id}"
    s.connections.unsubscribe(connection_id, channel)
    announce_left(s, channel, user_id, connection_id)
    return [reply("unsubscribed", channel=channel, request_id=request_id)]


def announce_left(s: Realtime, channel: str, user_id: str, connection_id: str) -> None:
    # Both callers have unsubscribed ``connection_id`` already, but the table's channel index (gsi1) is
    # eventually consistent and may still list it: it is left out, so it is never told of its own leaving.
    push_frame(s, reply("collaborator.left", {"roomId": channel.removeprefix("room:"), "userId": user_id},
                        channel=channel), exclude=connection_id)


def merge_patch(state: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """RFC 7396 JSON merge patch: objects merge key by key, ``null`` removes, anything else replaces.

    An object patched onto what is not an object (or onto nothing) is merged into an empty one, so its
    own ``null`` members are dropped rather than stored.
    """
    merged = dict(state)
    for name, value in patch.items():
        if value is None:
            merged.pop(name, None)
        elif isinstance(value, dict):
            current = merged.get(name)
            merged[name] = merge_patch(current if isinstance(current, dict) else {}, value)
        else:
            merged[name] = value
    return merged


def update(s: Realtime, connection_id: str, user_id: str, message: RoomUpdate,
           request_id: str | None) -> list[Frame]:
    """Apply a patch made from ``message.version``; members in the room get the new state."""
    channel = f"room:{message.roomId}"
    room = s.rooms.get(message.roomId)
    if room is None or channel not in s.connections.subscriptions(connection_id) or not may_join(s, channel, user_id):
        return [error(403, f"join {channel} before updating it", request_id=request_id)]
    stale = error(409, "the room changed since that version", request_id=request_id, roomId=room.roomId,
                  state=room.state, version=room.version)
    if message.version != room.version:
        return [stale]
    state = merge_patch(room.state, message.patch)
    if len(json.dumps(state).encode()) > MAX_STATE_BYTES:
        return [error(PayloadTooLarge.status, f"a room's state is limited to {MAX_STATE_BYTES} bytes",
                      request_id=request_id)]
    try:
        version = s.rooms.replace_state(room.roomId, state, message.version)
    except StaleVersion:
        current = s.rooms.get(room.roomId) or room
        return [error(409, "the room changed since that version", request_id=request_id, roomId=room.roomId,
                      state=current.state, version=current.version)]
    push_frame(s, _state_frame(room.model_copy(update={"state": state, "version": version}), channel))
    return []

"""Realtime REST routes under /api/realtime: the caller's connections and presence, friends' presence,
and collaboration rooms."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from deepiri_common.api import api_handler, create_resolver
from deepiri_common.identity import caller_id
from deepiri_common.routes import Routes
from deepiri_realtime import wiring
from deepiri_realtime.logic import rooms
from deepiri_realtime.logic.presence import describe_me, friends_presence, set_presence
from deepiri_realtime.models.presence import Presence, PresenceList, PresenceQuery, PresenceUpdate, RealtimeMe
from deepiri_realtime.models.rooms import Room, RoomCreate, RoomInvitation

app = create_resolver()
routes = Routes(app)


@routes.get("/api/realtime/me", scope="profile:read")
def get_me() -> RealtimeMe:
    """The caller's open WebSocket connections and presence."""
    s = wiring.realtime()
    return describe_me(s.presence, s.connections, caller_id(app))


@routes.put("/api/realtime/presence")
def put_presence(update: PresenceUpdate) -> Presence:
    """Declare a presence (online, away, busy, offline) with an optional message."""
    return set_presence(wiring.realtime().presence, caller_id(app), update)


@routes.get("/api/realtime/presence", scope="profile:read")
def get_presence(query: Annotated[PresenceQuery, Query()]) -> PresenceList:
    """The presence of the named users who are the caller's friends (others are left out)."""
    return PresenceList(items=friends_presence(wiring.realtime(), caller_id(app), query.userIds.split(",")))


@routes.post("/api/realtime/rooms", status=201)
def create_room(body: RoomCreate) -> Response[Room]:
    """Create a collaboration room: a project's (its members may join) or the caller's with invited friends."""
    room = rooms.create_room(wiring.realtime(), caller_id(app), body)
    return Response(status_code=HTTPStatus.CREATED, body=room, content_type="application/json")


@routes.get("/api/realtime/rooms/<id>")
def get_room(id: str) -> Room:
    """A room the caller may join, with its shared state and version."""
    return rooms.visible_room(wiring.realtime(), caller_id(app), id)


@routes.post("/api/realtime/rooms/<id>/invitations")
def invite_to_room(id: str, body: RoomInvitation) -> Response[None]:
    """Invite a friend to a user room."""
    rooms.invite(wiring.realtime(), caller_id(app), id, body.userId)
    return Response(status_code=HTTPStatus.NO_CONTENT)


@routes.post("/api/realtime/rooms/<id>/leave")
def leave_room(id: str) -> Response[None]:
    """Give up one's invitation to a user room."""
    rooms.leave_room(wiring.realtime(), caller_id(app), id)
    return Response(status_code=HTTPStatus.NO_CONTENT)


handler: Any = api_handler(app)

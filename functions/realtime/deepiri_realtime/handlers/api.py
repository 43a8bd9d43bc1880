"""Realtime REST routes under /api/realtime: the caller's connections and presence."""

from __future__ import annotations

from typing import Any

from deepiri_common.api import api_handler, create_resolver
from deepiri_common.identity import current_caller
from deepiri_common.routes import Routes
from deepiri_realtime import wiring
from deepiri_realtime.logic.presence import describe_me, set_presence
from deepiri_realtime.models.presence import Presence, PresenceUpdate, RealtimeMe

app = create_resolver()
routes = Routes(app)


@routes.get("/api/realtime/me", scope="profile:read")
def get_me() -> RealtimeMe:
    """The caller's open WebSocket connections and presence."""
    return describe_me(wiring.presence_repository(), wiring.connection_repository(), current_caller(app).user_id)


@routes.put("/api/realtime/presence")
def put_presence(update: PresenceUpdate) -> Presence:
    """Declare a presence (online, away, busy, offline) with an optional message."""
    return set_presence(wiring.presence_repository(), current_caller(app).user_id, update)


handler: Any = api_handler(app)

"""WebSocket sessions: a connection belongs to the user the $connect authorizer verified.

$connect records the connection, $disconnect forgets it, and frames on $default are answered
(``ping`` → ``pong``); a frame that is not valid JSON or not a known action gets an error frame,
never a dropped connection.
"""

from __future__ import annotations

import json
from typing import Protocol

from pydantic import ValidationError

from deepiri_common import safejson
from deepiri_common.clock import to_iso, utc_now
from deepiri_common.problems import field_errors
from deepiri_realtime.models.connection import Connection
from deepiri_realtime.models.messages import ClientMessage, ErrorFrame, Pong


class ConnectionStore(Protocol):
    def add(self, connection_id: str, user_id: str) -> Connection: ...
    def remove(self, connection_id: str) -> None: ...


def open_session(store: ConnectionStore, connection_id: str, user_id: str) -> Connection:
    """Record a connection for ``user_id`` (already authenticated by the authorizer)."""
    return store.add(connection_id, user_id)


def close_session(store: ConnectionStore, connection_id: str) -> None:
    """Forget a connection; closing twice is harmless."""
    store.remove(connection_id)


def answer(frame: str | None) -> Pong | ErrorFrame:
    """The reply to a client frame."""
    try:
        message = ClientMessage.model_validate(safejson.loads(frame or ""))
    except safejson.UnsafeJson as error:
        return ErrorFrame(status=400, detail=f"frame is not acceptable JSON: {error}")
    except json.JSONDecodeError as error:
        return ErrorFrame(status=400, detail=f"frame is not JSON: {error.msg}")
    except ValidationError as error:
        fields = ", ".join(e["field"] for e in field_errors(error.errors(include_input=False)))
        return ErrorFrame(status=422, detail=f"invalid frame fields: {fields}")
    return Pong(requestId=message.requestId, time=to_iso(utc_now()))

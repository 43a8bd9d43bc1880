"""WebSocket routes: $connect, $disconnect and $default of the realtime API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from deepiri_common.identity import caller_from_event
from deepiri_common.observability import logger, tracer
from deepiri_common.problems import Unauthorized
from deepiri_realtime import wiring
from deepiri_realtime.logic.sessions import close_session, closes, on_message, open_session, origin_allowed


def _origin(event: Mapping[str, Any]) -> str | None:
    """The handshake's Origin header (API Gateway keeps the client's spelling; the emulator lowercases)."""
    headers = event.get("headers") or {}
    return next((str(value) for name, value in headers.items() if name.lower() == "origin"), None)


def _connect(event: Mapping[str, Any], connection_id: str) -> dict[str, Any]:
    try:
        caller = caller_from_event(event)
    except Unauthorized:
        return {"statusCode": 401}
    if not origin_allowed(_origin(event), wiring.settings().origins):
        logger.info("origin refused", extra={"connectionId": connection_id, "origin": _origin(event)})
        return {"statusCode": 403}
    open_session(wiring.realtime(), connection_id, caller.user_id)
    logger.info("connected", extra={"connectionId": connection_id, "userId": caller.user_id})
    return {"statusCode": 200}


def _message(event: Mapping[str, Any], connection_id: str) -> dict[str, Any]:
    s = wiring.realtime()
    try:
        user_id = caller_from_event(event).user_id
    except Unauthorized:
        connection = s.connections.get(connection_id)
        if connection is None:
            s.pusher.close(connection_id)
            return {"statusCode": 200}
        user_id = connection.userId
    frames = on_message(s, connection_id, user_id, event.get("body"))
    for frame in frames:
        try:
            s.pusher.send(connection_id, frame.encode())
        except s.gone:
            close_session(s, connection_id)
            return {"statusCode": 200}
    if closes(frames):
        logger.warning("flood limit: closing", extra={"connectionId": connection_id, "userId": user_id})
        s.pusher.close(connection_id)
        close_session(s, connection_id)
    return {"statusCode": 200}


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = event.get("requestContext", {})
    # The event type is the gateway's; the route key follows the client's "action", so a frame
    # {"action": "$disconnect"} must not be mistaken for the connection closing.
    kind, connection_id = request.get("eventType"), request.get("connectionId", "")
    if kind == "CONNECT":
        return _connect(event, connection_id)
    if kind == "DISCONNECT":
        close_session(wiring.realtime(), connection_id)
        logger.info("disconnected", extra={"connectionId": connection_id})
        return {"statusCode": 200}
    return _message(event, connection_id)

"""WebSocket routes: $connect, $disconnect and $default of the realtime API."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from deepiri_common.identity import caller_from_event
from deepiri_common.observability import logger, tracer
from deepiri_common.problems import Unauthorized
from deepiri_realtime.dal.push import ConnectionGone
from deepiri_realtime.dependencies import connections, pusher
from deepiri_realtime.logic.sessions import answer, close_session, open_session


@logger.inject_lambda_context(correlation_id_path="requestContext.requestId")
@tracer.capture_lambda_handler
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    request = event.get("requestContext", {})
    # The event type is the gateway's; the route key follows the client's "action", so a frame
    # {"action": "$disconnect"} must not be mistaken for the connection closing.
    kind, connection_id = request.get("eventType"), request.get("connectionId", "")
    if kind == "CONNECT":
        try:
            caller = caller_from_event(event)
        except Unauthorized:
            return {"statusCode": 401}
        open_session(connections(), connection_id, caller.user_id)
        logger.info("connected", extra={"connectionId": connection_id, "userId": caller.user_id})
        return {"statusCode": 200}
    if kind == "DISCONNECT":
        close_session(connections(), connection_id)
        logger.info("disconnected", extra={"connectionId": connection_id})
        return {"statusCode": 200}
    reply = answer(event.get("body"))
    try:
        pusher().send(connection_id, reply.model_dump_json().encode())
    except ConnectionGone:
        close_session(connections(), connection_id)
    return {"statusCode": 200}

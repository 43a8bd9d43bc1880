"""Pushes frames to WebSocket connections through the API Gateway @connections API."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError


class ConnectionGone(Exception):
    """The connection no longer exists (the client left without a $disconnect)."""


class ConnectionPusher:
    """Wraps the apigatewaymanagementapi client; a 410 Gone becomes ``ConnectionGone``."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def send(self, connection_id: str, payload: bytes) -> None:
        try:
            self._client.post_to_connection(ConnectionId=connection_id, Data=payload)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if code in ("GoneException", "410") or status in (404, 410):
                raise ConnectionGone(connection_id) from error
            raise

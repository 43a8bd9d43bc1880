"""Pushes frames to WebSocket connections, and closes them, through the API Gateway @connections API."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError


class ConnectionGone(Exception):
    """The connection no longer exists (the client left without a $disconnect)."""


def _is_gone(error: ClientError) -> bool:
    code = error.response.get("Error", {}).get("Code", "")
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
    return code in ("GoneException", "410") or status in (404, 410)


class ConnectionPusher:
    """Wraps the apigatewaymanagementapi client; a 410 Gone becomes ``ConnectionGone``."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def send(self, connection_id: str, payload: bytes) -> None:
        try:
            self._client.post_to_connection(ConnectionId=connection_id, Data=payload)
        except ClientError as error:
            if _is_gone(error):
                raise ConnectionGone(connection_id) from error
            raise

    def close(self, connection_id: str) -> None:
        """Close the connection from the server side; one already gone is already closed."""
        try:
            self._client.delete_connection(ConnectionId=connection_id)
        except ClientError as error:
            if not _is_gone(error):
                raise

"""The realtime functions' configuration, validated at cold start."""

from __future__ import annotations

from pydantic import Field

from deepiri_common.settings import CommonSettings


class RealtimeSettings(CommonSettings):
    connections_table: str = Field(alias="CONNECTIONS_TABLE")
    ws_management_endpoint: str = Field(alias="WS_MANAGEMENT_ENDPOINT")
    connection_ttl_seconds: int = Field(default=2 * 60 * 60, alias="CONNECTION_TTL_SECONDS")

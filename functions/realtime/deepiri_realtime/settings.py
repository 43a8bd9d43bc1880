"""The realtime functions' configuration, validated at cold start."""

from __future__ import annotations

from pydantic import Field

from deepiri_common.settings import CommonSettings


class RealtimeSettings(CommonSettings):
    connections_table: str = Field(alias="CONNECTIONS_TABLE")
    ws_management_endpoint: str = Field(alias="WS_MANAGEMENT_ENDPOINT")
    connection_ttl_seconds: int = Field(default=2 * 60 * 60, alias="CONNECTION_TTL_SECONDS", ge=60)
    # Comma-separated browser origins allowed to open a WebSocket ("*": any).
    allowed_origins: str = Field(default="*", alias="ALLOWED_ORIGINS")
    max_frame_bytes: int = Field(default=32 * 1024, alias="MAX_FRAME_BYTES", ge=1024)
    messages_per_minute: int = Field(default=100, alias="MESSAGES_PER_MINUTE", ge=1)
    heartbeat_timeout_seconds: int = Field(default=120, alias="HEARTBEAT_TIMEOUT_SECONDS", ge=10)
    push_workers: int = Field(default=16, alias="PUSH_WORKERS", ge=1, le=64)

    @property
    def origins(self) -> list[str]:
        return [origin for origin in self.allowed_origins.split(",") if origin.strip()]

"""The gateway function's configuration, validated at cold start."""

from __future__ import annotations

from pydantic import Field

from deepiri_common.settings import CommonSettings
from deepiri_gateway.dal.sessions import REVOCATION_SECONDS


class GatewaySettings(CommonSettings):
    """What readiness checks: comma-separated table names and queue URLs, and the bus."""

    ready_tables: str = Field(default="", alias="READY_TABLES")
    ready_queues: str = Field(default="", alias="READY_QUEUES")
    dead_letter_queues: str = Field(default="", alias="READY_DEAD_LETTER_QUEUES")

    @property
    def tables(self) -> list[str]:
        return [name for name in self.ready_tables.split(",") if name]

    @property
    def queues(self) -> list[str]:
        return [url for url in self.ready_queues.split(",") if url]

    @property
    def dead_letter_urls(self) -> list[str]:
        return [url for url in self.dead_letter_queues.split(",") if url]


class AuthorizerSettings(CommonSettings):
    """What the authorizer needs beyond the common variables; the key set secret is mandatory here."""

    jwt_keys_secret: str = Field(min_length=1)
    users_table: str = Field(default="", alias="USERS_TABLE")
    gateway_cache_seconds: float = Field(default=0, ge=0, le=REVOCATION_SECONDS, alias="AUTHORIZER_CACHE_SECONDS")

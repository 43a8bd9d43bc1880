"""The gateway function's configuration, validated at cold start."""

from __future__ import annotations

from pydantic import Field

from deepiri_common.settings import CommonSettings


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

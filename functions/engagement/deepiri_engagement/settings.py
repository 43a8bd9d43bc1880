"""The engagement functions' configuration, validated at cold start."""

from __future__ import annotations

from pydantic import Field

from deepiri_common.settings import CommonSettings


class EngagementSettings(CommonSettings):
    engagement_table: str = Field(alias="ENGAGEMENT_TABLE")
    boards_table: str = Field(alias="BOARDS_TABLE")

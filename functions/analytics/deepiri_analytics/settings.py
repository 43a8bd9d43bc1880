"""The analytics functions' configuration, validated at cold start."""

from __future__ import annotations

from pydantic import Field

from deepiri_common.settings import CommonSettings


class AnalyticsSettings(CommonSettings):
    analytics_table: str = Field(alias="ANALYTICS_TABLE")
    archive_bucket: str = Field(alias="ARCHIVE_BUCKET")
    glue_database: str = Field(default="", alias="GLUE_DATABASE")
    athena_workgroup: str = Field(default="primary", alias="ATHENA_WORKGROUP")

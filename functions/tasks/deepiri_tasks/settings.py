"""The tasks service's configuration, validated at cold start."""

from __future__ import annotations

from pydantic import Field

from deepiri_common.settings import CommonSettings


class TasksSettings(CommonSettings):
    """Everything the tasks functions read from their environment."""

    tasks_table: str = Field(alias="TASKS_TABLE")
    attachments_bucket: str = Field(default="", alias="ATTACHMENTS_BUCKET")
    soft_delete_days: int = Field(default=30, alias="SOFT_DELETE_DAYS")
    default_reminder_lead_minutes: int = Field(default=60, alias="DEFAULT_REMINDER_LEAD_MINUTES")

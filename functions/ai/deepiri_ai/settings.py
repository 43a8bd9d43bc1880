"""The AI functions' configuration, validated at cold start."""

from __future__ import annotations

from pydantic import Field

from deepiri_common.settings import CommonSettings


class AiSettings(CommonSettings):
    ai_table: str = Field(alias="AI_TABLE")
    # the tasks service's API function, invoked with the caller's proxy event (deepiri_common.internal)
    tasks_api_function: str = Field(default="", alias="TASKS_API_FUNCTION")

"""The challenges functions' configuration, validated at cold start."""

from __future__ import annotations

from pydantic import Field

from deepiri_common.settings import CommonSettings


class ChallengesSettings(CommonSettings):
    challenges_table: str = Field(alias="CHALLENGES_TABLE")
    # The tasks service's API function, invoked with the caller's proxy event (deepiri_common.internal).
    tasks_api_function: str = Field(default="", alias="TASKS_API_FUNCTION")
    # The AI service's internal draft function (quiz and puzzle questions); any failure means "cannot".
    ai_draft_function: str = Field(default="", alias="AI_DRAFT_FUNCTION")

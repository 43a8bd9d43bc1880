"""The AI functions' configuration, validated at cold start."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from deepiri_common.settings import CommonSettings


class AiSettings(CommonSettings):
    ai_table: str = Field(alias="AI_TABLE")
    # the tasks service's API function, invoked with the caller's proxy event (deepiri_common.internal)
    tasks_api_function: str = Field(default="", alias="TASKS_API_FUNCTION")
    tasks_dependencies_function: str = Field(default="", alias="TASKS_DEPENDENCIES_FUNCTION")
    engagement_api_function: str = Field(default="", alias="ENGAGEMENT_API_FUNCTION")
    challenges_api_function: str = Field(default="", alias="CHALLENGES_API_FUNCTION")
    # Which engine answers (per stage): the local engine (default) or Amazon Bedrock, falling back to local.
    ai_provider: Literal["local", "bedrock"] = Field(default="local", alias="AI_PROVIDER")
    bedrock_model_id: str = Field(default="anthropic.claude-3-haiku-20240307-v1:0", alias="BEDROCK_MODEL_ID")
    bedrock_timeout_seconds: float = Field(default=8.0, gt=0, le=60, alias="BEDROCK_TIMEOUT_SECONDS")
    daily_token_budget: int = Field(default=20_000, ge=0, alias="AI_DAILY_TOKEN_BUDGET")
    breaker_threshold: int = Field(default=3, ge=1, alias="AI_BREAKER_THRESHOLD")
    breaker_cool_off_seconds: int = Field(default=60, ge=1, alias="AI_BREAKER_COOL_OFF_SECONDS")

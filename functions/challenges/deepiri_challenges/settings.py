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
    # Exact-time expiry (dal/schedules.py): the Scheduler group, the expiry job it invokes and the role it
    # invokes it as; without a group no schedule is made and the five-minute expiry job alone expires.
    expiry_schedule_group: str = Field(default="", alias="EXPIRY_SCHEDULE_GROUP")
    expiry_job_arn: str = Field(default="", alias="EXPIRY_JOB_ARN")
    expiry_scheduler_role_arn: str = Field(default="", alias="EXPIRY_SCHEDULER_ROLE_ARN")

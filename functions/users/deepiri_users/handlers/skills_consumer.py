"""TaskCompleted → skill XP (SQS batch, idempotent per event id, and guarded in the data by a marker)."""

from __future__ import annotations

from functools import cache
from typing import Any

from deepiri_common import aws
from deepiri_common.consumers import make_event_consumer
from deepiri_common.events import ReceivedEvent
from deepiri_common.observability import logger
from deepiri_common.settings import load_settings
from deepiri_users.dal.skills import SkillRepository
from deepiri_users.logic.skills import apply_task_completed
from deepiri_users.models.skills import TaskCompletedData
from deepiri_users.settings import UsersSettings


@cache
def repository() -> SkillRepository:
    return SkillRepository(load_settings(UsersSettings).users_table, aws.client("dynamodb"))


def credit_skills(event: ReceivedEvent) -> None:
    if event.detail_type != "TaskCompleted":
        logger.info("ignored", extra={"event": event.detail_type, "eventId": event.detail.id})
        return
    task = TaskCompletedData.model_validate(event.detail.data)
    points = apply_task_completed(repository(), event.detail.id, task)
    logger.info("skills credited", extra={"eventId": event.detail.id, "userId": task.userId, "skillPoints": points})


handler: Any = make_event_consumer(
    credit_skills, idempotency_table=lambda: load_settings(UsersSettings).idempotency_table, service="users-skills")

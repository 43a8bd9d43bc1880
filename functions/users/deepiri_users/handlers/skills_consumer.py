"""TaskCompleted → skill XP (SQS batch, idempotent per event id, and guarded in the data by a marker)."""

from __future__ import annotations

from functools import cache
from typing import Any

from deepiri_common import aws
from deepiri_common.consumers import Consumes, make_event_consumer
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


# What this consumer reads; the contract tests check each model against its producer's schema, and the
# UsersSkillsRule's detail-types against these keys.
CONSUMES: Consumes = {"TaskCompleted": TaskCompletedData}


def credit_skills(event: ReceivedEvent, task: TaskCompletedData) -> None:
    points = apply_task_completed(repository(), event.detail.id, task)
    logger.info("skills credited", extra={"eventId": event.detail.id, "userId": task.userId, "skillPoints": points})


handler: Any = make_event_consumer(
    credit_skills, consumes=CONSUMES,
    idempotency_table=lambda: load_settings(UsersSettings).idempotency_table, service="users-skills")

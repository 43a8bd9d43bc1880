"""The tasks service's queue of bus events: UserDeleted, IntegrationItemImported, ProjectDeleted
(SQS batch with partial failures, idempotent per event id)."""

from __future__ import annotations

from typing import Any

from deepiri_common.consumers import make_event_consumer
from deepiri_common.events import ReceivedEvent
from deepiri_common.observability import logger
from deepiri_common.settings import load_settings
from deepiri_tasks import dependencies as shared
from deepiri_tasks.dal.consumers import TaskMaintenance
from deepiri_tasks.dal.projects import ProjectRepository
from deepiri_tasks.logic import consumers
from deepiri_tasks.models.consumers import IntegrationItemImportedData, ProjectDeletedRef, UserDeletedData
from deepiri_tasks.settings import TasksSettings


def projects() -> ProjectRepository:
    return shared.projects()


def tasks() -> TaskMaintenance:
    return TaskMaintenance(shared.settings().tasks_table, shared.dynamodb())


def handle(event: ReceivedEvent) -> None:
    data = event.detail.data
    extra = {"event": event.detail_type, "eventId": event.detail.id}
    if event.detail_type == "UserDeleted":
        consumers.user_deleted(projects(), tasks(), UserDeletedData.model_validate(data).userId)
    elif event.detail_type == "IntegrationItemImported":
        outcome = consumers.integration_item_imported(tasks(), IntegrationItemImportedData.model_validate(data))
        extra["outcome"] = outcome
    elif event.detail_type == "ProjectDeleted":
        extra["detached"] = str(consumers.project_deleted(tasks(), ProjectDeletedRef.model_validate(data).projectId))
    else:
        logger.info("ignored", extra=extra)
        return
    logger.info("handled", extra=extra)


handler: Any = make_event_consumer(
    handle, idempotency_table=lambda: load_settings(TasksSettings).idempotency_table, service="tasks-projects")

"""The tasks service's queue of bus events: UserDeleted, IntegrationItemImported, ProjectDeleted
(SQS batch with partial failures, idempotent per event id)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from deepiri_common.consumers import Consumes, make_event_consumer
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


# What this consumer reads; the contract tests check each model against its producer's schema, and the
# TasksProjectsRule's detail-types against these keys.
CONSUMES: Consumes = {
    "UserDeleted": UserDeletedData,
    "IntegrationItemImported": IntegrationItemImportedData,
    "ProjectDeleted": ProjectDeletedRef,
}


def handle(event: ReceivedEvent, data: BaseModel) -> None:
    extra = {"event": event.detail_type, "eventId": event.detail.id}
    if isinstance(data, UserDeletedData):
        consumers.user_deleted(projects(), tasks(), data.userId)
    elif isinstance(data, IntegrationItemImportedData):
        extra["outcome"] = consumers.integration_item_imported(tasks(), data)
    elif isinstance(data, ProjectDeletedRef):
        extra["detached"] = str(consumers.project_deleted(tasks(), data.projectId))
    logger.info("handled", extra=extra)


handler: Any = make_event_consumer(
    handle, consumes=CONSUMES,
    idempotency_table=lambda: load_settings(TasksSettings).idempotency_table, service="tasks-projects")

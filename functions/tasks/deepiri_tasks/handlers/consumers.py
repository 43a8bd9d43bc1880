"""The tasks service's queue of bus events: the users service's UserRegistered, UserDeleted, UserBlocked and
UserUnblocked (its users directory), IntegrationItemImported, ProjectDeleted (SQS batch with partial
failures, idempotent per event id)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from deepiri_common.consumers import Consumes, make_event_consumer
from deepiri_common.events import ReceivedEvent
from deepiri_common.observability import logger
from deepiri_common.settings import load_settings
from deepiri_tasks import wiring
from deepiri_tasks.dal.consumers import TaskMaintenance
from deepiri_tasks.dal.directory import UserDirectory
from deepiri_tasks.dal.projects import ProjectRepository
from deepiri_tasks.logic import consumers, directory
from deepiri_tasks.models.consumers import (
    IntegrationItemImportedData,
    ProjectDeletedRef,
    UserBlockedData,
    UserDeletedData,
    UserRegisteredData,
    UserUnblockedData,
)
from deepiri_tasks.settings import TasksSettings


def projects() -> ProjectRepository:
    return wiring.project_repository()


def tasks() -> TaskMaintenance:
    return TaskMaintenance(wiring.settings().tasks_table, wiring.dynamodb_client())


def users() -> UserDirectory:
    return wiring.user_directory()


# What this consumer reads; the contract tests check each model against its producer's schema, and the
# TasksEvents application's detail-types against these keys.
CONSUMES: Consumes = {
    "UserRegistered": UserRegisteredData,
    "UserDeleted": UserDeletedData,
    "UserBlocked": UserBlockedData,
    "UserUnblocked": UserUnblockedData,
    "IntegrationItemImported": IntegrationItemImportedData,
    "ProjectDeleted": ProjectDeletedRef,
}


def handle(event: ReceivedEvent, data: BaseModel) -> None:
    extra = {"event": event.detail_type, "eventId": event.detail.id}
    if isinstance(data, UserRegisteredData):
        extra["recorded"] = str(directory.user_registered(users(), data.userId))
    elif isinstance(data, UserBlockedData | UserUnblockedData):
        at = directory.event_order(event.detail.occurredAt, event.detail.id)
        extra["recorded"] = str(directory.block_changed(users(), data.blockerId, data.blockedId,
                                                        blocking=isinstance(data, UserBlockedData), at=at))
    elif isinstance(data, UserDeletedData):
        consumers.user_deleted(projects(), tasks(), users(), data.userId)
    elif isinstance(data, IntegrationItemImportedData):
        extra["outcome"] = consumers.integration_item_imported(tasks(), data)
    elif isinstance(data, ProjectDeletedRef):
        extra["detached"] = str(consumers.project_deleted(tasks(), data.projectId))
    logger.info("handled", extra=extra)


handler: Any = make_event_consumer(
    handle, consumes=CONSUMES,
    idempotency_table=lambda: load_settings(TasksSettings).idempotency_table, service="tasks-projects")

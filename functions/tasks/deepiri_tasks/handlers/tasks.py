"""Task routes under /api/tasks: CRUD with ETags, status moves, completion and reopening, soft delete
and restore, history, listing and search. (Dependencies, graph, comments, time and attachments live in
their own handler modules.)"""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header, Query

from deepiri_common.api import api_handler, create_resolver
from deepiri_common.identity import caller_id
from deepiri_common.pagination import Page, PageQuery
from deepiri_common.problems import ValidationFailed
from deepiri_common.routes import Routes
from deepiri_tasks.handlers.params import READ, WRITE
from deepiri_tasks.logic import completion, tasks, versions
from deepiri_tasks.models.tasks import (
    CompleteRequest,
    Completion,
    StatusChange,
    Task,
    TaskCreate,
    TaskListQuery,
    TaskPatch,
    TaskVersion,
)
from deepiri_tasks.wiring import task_services

app = create_resolver()
routes = Routes(app)


IfMatch = Annotated[str | None, Header(alias="if-match", max_length=64,
                                     description='the ETag the change is based on, e.g. W/"3"')]


def _with_etag(task: Task, status: int = HTTPStatus.OK) -> Response[Task]:
    body: Any = task.model_dump(mode="json")  # Response[Task] names the model for the OpenAPI document
    return Response(status, "application/json", body, headers={"ETag": tasks.etag(task)})


@routes.post("/api/tasks", scope=WRITE, status=201)
def create_task(body: TaskCreate) -> Response[Task]:
    """Create a task."""
    task = tasks.create_task(task_services(), caller_id(app), body)
    response = _with_etag(task, HTTPStatus.CREATED)
    response.headers["Location"] = f"/api/tasks/{task.id}"
    return response


@routes.get("/api/tasks", scope=READ)
def list_tasks(query: Annotated[TaskListQuery, Query()]) -> Page[Task]:
    """Your tasks, filtered, sorted, searched and paginated."""
    return tasks.list_tasks(task_services(), caller_id(app), query)


@routes.get("/api/tasks/<id>", scope=READ)
def get_task(id: str) -> Response[Task]:
    """A task, with its ETag."""
    return _with_etag(tasks.get_task(task_services(), caller_id(app), id))


@routes.patch("/api/tasks/<id>", scope=WRITE)
def update_task(id: str, body: TaskPatch, if_match: IfMatch = None) -> Response[Task]:
    """Edit a task; If-Match (or version) must name the current version."""
    return _with_etag(tasks.update_task(task_services(), caller_id(app), id, body, tasks.parse_if_match(if_match)))


@routes.delete("/api/tasks/<id>", scope=WRITE)
def delete_task(id: str, if_match: IfMatch = None) -> Response[None]:
    """Soft-delete a task (restorable for 30 days)."""
    tasks.delete_task(task_services(), caller_id(app), id, tasks.parse_if_match(if_match))
    return Response(status_code=HTTPStatus.NO_CONTENT)


@routes.post("/api/tasks/<id>/restore", scope=WRITE)
def restore_task(id: str) -> Response[Task]:
    """Restore a soft-deleted task."""
    return _with_etag(tasks.restore_task(task_services(), caller_id(app), id))


@routes.post("/api/tasks/<id>/status", scope=WRITE)
def change_status(id: str, body: StatusChange, if_match: IfMatch = None) -> Response[Task]:
    """Move a task through the status machine; illegal moves answer 409 naming the allowed ones."""
    return _with_etag(tasks.change_status(task_services(), caller_id(app), id, body, tasks.parse_if_match(if_match)))


@routes.post("/api/tasks/<id>/complete", scope=WRITE)
def complete_task(id: str, body: CompleteRequest) -> Completion:
    """Complete a task (emits TaskCompleted once); open blockers answer 409."""
    return completion.complete_task(task_services(), caller_id(app), id, body)


@routes.post("/api/tasks/<id>/reopen", scope=WRITE)
def reopen_task(id: str) -> Response[Task]:
    """Reopen a done or cancelled task."""
    return _with_etag(completion.reopen_task(task_services(), caller_id(app), id))


@routes.get("/api/tasks/<id>/versions", scope=READ)
def list_versions(id: str, page: Annotated[PageQuery, Query()]) -> Page[TaskVersion]:
    """The task's history: each version with its changed fields and actor."""
    return versions.list_versions(task_services(), caller_id(app), id, page)


@routes.post("/api/tasks/<id>/versions/<version>/restore", scope=WRITE)
def restore_version(id: str, version: str) -> Response[Task]:
    """Restore a task to an earlier version."""
    if not version.isdigit() or len(version) > 10:
        raise ValidationFailed([{"field": "path.version", "message": "must be a version number"}])
    return _with_etag(versions.restore_version(task_services(), caller_id(app), id, int(version)))


# Third-party (OAuth) tokens reach only these routes, each behind one scope.

handler: Any = api_handler(app)

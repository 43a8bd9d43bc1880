"""Task dependency routes and the task graph:

    POST   /api/tasks/{id}/dependencies            {dependsOn, type} → 201 (409 naming a cycle)
    GET    /api/tasks/{id}/dependencies            both directions
    DELETE /api/tasks/{id}/dependencies/{otherId}  → 204
    GET    /api/tasks/graph?projectId=             nodes, edges, topological order, critical path
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from deepiri_common.api import api_handler, create_resolver
from deepiri_common.clock import utc_now
from deepiri_common.identity import current_caller
from deepiri_common.routes import Routes
from deepiri_tasks.handlers import graph_wiring as wiring
from deepiri_tasks.logic import dependencies_graph
from deepiri_tasks.models.graph import (
    PROJECT_ID_PATTERN,
    TASK_ID_PATTERN,
    Dependency,
    DependencyCreate,
    DependencyList,
    TaskGraph,
)

app = create_resolver()
routes = Routes(app)

TaskId = Annotated[str, Path(pattern=TASK_ID_PATTERN)]


def _me() -> str:
    return current_caller(app).user_id


@routes.get("/api/tasks/graph", scope="tasks:read")
def get_task_graph(projectId: Annotated[str | None, Query(pattern=PROJECT_ID_PATTERN)] = None) -> TaskGraph:
    """The dependency graph: nodes, edges, topological order and critical path."""
    return dependencies_graph.task_graph(wiring.tasks(), wiring.projects(), wiring.dependencies(),
                                         user_id=_me(), project_id=projectId)


@routes.post("/api/tasks/<id>/dependencies", scope="tasks:write")
def add_dependency(id: TaskId, body: DependencyCreate) -> Response[Dependency]:
    """Make the task depend on another; a cycle answers 409 naming it."""
    edge = dependencies_graph.add_dependency(wiring.tasks(), wiring.projects(), wiring.dependencies(),
                                             user_id=_me(), task_id=id, body=body, now=utc_now())
    return Response(status_code=HTTPStatus.CREATED.value, content_type="application/json", body=edge)


@routes.get("/api/tasks/<id>/dependencies", scope="tasks:read")
def list_dependencies(id: TaskId) -> DependencyList:
    """What the task depends on and what depends on it."""
    return dependencies_graph.list_dependencies(wiring.tasks(), wiring.projects(), wiring.dependencies(),
                                                user_id=_me(), task_id=id)


@routes.delete("/api/tasks/<id>/dependencies/<otherId>", scope="tasks:write")
def remove_dependency(id: TaskId, otherId: TaskId) -> Response[None]:
    """Remove a dependency."""
    dependencies_graph.remove_dependency(wiring.tasks(), wiring.projects(), wiring.dependencies(),
                                         user_id=_me(), task_id=id, other_id=otherId)
    return Response(status_code=HTTPStatus.NO_CONTENT.value)



handler = api_handler(app)

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
from aws_lambda_powertools.event_handler.openapi.params import Query

from deepiri_common.api import api_handler, create_resolver
from deepiri_common.clock import utc_now
from deepiri_common.identity import caller_id
from deepiri_common.routes import Routes
from deepiri_tasks import wiring
from deepiri_tasks.handlers.params import READ, WRITE, TaskId
from deepiri_tasks.logic import dependencies_graph
from deepiri_tasks.models.graph import (
    PROJECT_ID_PATTERN,
    Dependency,
    DependencyCreate,
    DependencyList,
    TaskGraph,
)

app = create_resolver()
routes = Routes(app)


@routes.get("/api/tasks/graph", scope=READ, problems=(404,))  # a project naming none of yours
def get_task_graph(projectId: Annotated[str | None, Query(pattern=PROJECT_ID_PATTERN)] = None) -> TaskGraph:
    """The dependency graph: nodes, edges, topological order and critical path."""
    return dependencies_graph.task_graph(wiring.task_facts(), wiring.project_repository(),
                                         wiring.dependency_repository(),
                                         user_id=caller_id(app), project_id=projectId)


@routes.post("/api/tasks/<id>/dependencies", scope=WRITE, status=201)
def add_dependency(id: TaskId, body: DependencyCreate) -> Response[Dependency]:
    """Make the task depend on another; a cycle answers 409 naming it."""
    edge = dependencies_graph.add_dependency(wiring.task_facts(), wiring.project_repository(),
                                             wiring.dependency_repository(),
                                             user_id=caller_id(app), task_id=id, body=body, now=utc_now())
    return Response(status_code=HTTPStatus.CREATED.value, content_type="application/json", body=edge)


@routes.get("/api/tasks/<id>/dependencies", scope=READ)
def list_dependencies(id: TaskId) -> DependencyList:
    """What the task depends on and what depends on it."""
    return dependencies_graph.list_dependencies(wiring.task_facts(), wiring.project_repository(),
                                                wiring.dependency_repository(),
                                                user_id=caller_id(app), task_id=id)


@routes.delete("/api/tasks/<id>/dependencies/<otherId>", scope=WRITE)
def remove_dependency(id: TaskId, otherId: TaskId) -> Response[None]:
    """Remove a dependency."""
    dependencies_graph.remove_dependency(wiring.task_facts(), wiring.project_repository(),
                                         wiring.dependency_repository(),
                                         user_id=caller_id(app), task_id=id, other_id=otherId)
    return Response(status_code=HTTPStatus.NO_CONTENT.value)


handler = api_handler(app)

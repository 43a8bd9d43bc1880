"""Task dependencies and the task graph.

- ``add_dependency``: the caller must be able to change the task and see the task it depends on
  (404 otherwise). A task cannot depend on itself (422). An ordering edge (blocks, precedes, subtask)
  that would close a cycle answers 409 with ``cycle``: the task ids in order, first = last. Adding
  the same edge again answers it unchanged; another type between the same two tasks is a 409.
- ``remove_dependency``: 404 when there is no such edge.
- ``list_dependencies``: both directions, only tasks the caller can see.
- ``task_graph``: the caller's personal tasks, or a project's tasks for its members (404 otherwise),
  with edges inside that set, a topological order and the critical path by estimateMinutes.

The cycle check reads the graph before the write; two concurrent inserts closing one cycle between
them are not caught (the graph still answers, with an empty order, and removing an edge repairs it).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from deepiri_common.clock import to_iso
from deepiri_common.problems import Conflict, NotFound, ValidationFailed
from deepiri_tasks.logic import graph
from deepiri_tasks.logic.access import ProjectAccess, can_read
from deepiri_tasks.logic.graph import TaskLookup
from deepiri_tasks.logic.tasks_access import find_visible, find_writable, is_visible
from deepiri_tasks.models.graph import (
    ORDERING_TYPES,
    Dependency,
    DependencyCreate,
    DependencyList,
    GraphEdge,
    GraphNode,
    TaskFacts,
    TaskGraph,
)


class GraphTasks(TaskLookup, Protocol):
    def facts_many(self, task_ids: Iterable[str]) -> dict[str, TaskFacts]: ...
    def scope_facts(self, scope: str) -> list[TaskFacts]: ...


class DependencyStore(Protocol):
    def depends_on(self, task_id: str) -> list[Dependency]: ...
    def dependents(self, task_id: str) -> list[Dependency]: ...
    def get(self, task_id: str, depends_on: str) -> Dependency | None: ...
    def add(self, edge: Dependency) -> str: ...
    def remove(self, task_id: str, depends_on: str) -> bool: ...


def add_dependency(tasks: GraphTasks, projects: ProjectAccess, store: DependencyStore, *, user_id: str,
                   task_id: str, body: DependencyCreate, now: datetime) -> Dependency:
    find_writable(tasks.facts, projects, task_id, user_id)
    if body.dependsOn == task_id:
        raise ValidationFailed([{"field": "body.dependsOn", "message": "a task cannot depend on itself"}])
    find_visible(tasks.facts, projects, body.dependsOn, user_id)
    existing = store.get(task_id, body.dependsOn)
    if existing is not None:
        return _same_or_conflict(existing, body)
    if body.type in ORDERING_TYPES:
        cycle = graph.find_cycle(task_id, body.dependsOn, lambda node: _ordering_successors(store, node))
        if cycle is not None:
            raise Conflict(f"the dependency would close a cycle: {' -> '.join(cycle)}", cycle=cycle)
    edge = Dependency(taskId=task_id, dependsOn=body.dependsOn, type=body.type, createdAt=to_iso(now))
    outcome = store.add(edge)
    if outcome == "missing":
        raise NotFound(f"task {body.dependsOn} not found")
    if outcome == "exists":
        current = store.get(task_id, body.dependsOn)
        if current is None:
            raise Conflict("the dependency changed concurrently; retry")
        return _same_or_conflict(current, body)
    return edge


def _same_or_conflict(existing: Dependency, body: DependencyCreate) -> Dependency:
    if existing.type != body.type:
        raise Conflict(f"task already depends on {body.dependsOn} as {existing.type}; remove it first")
    return existing


def _ordering_successors(store: DependencyStore, task_id: str) -> list[str]:
    return [d.dependsOn for d in store.depends_on(task_id) if d.type in ORDERING_TYPES]


def remove_dependency(tasks: GraphTasks, projects: ProjectAccess, store: DependencyStore, *, user_id: str,
                      task_id: str, other_id: str) -> None:
    find_writable(tasks.facts, projects, task_id, user_id)
    if not store.remove(task_id, other_id):
        raise NotFound(f"task {task_id} does not depend on {other_id}")


def list_dependencies(tasks: GraphTasks, projects: ProjectAccess, store: DependencyStore, *, user_id: str,
                      task_id: str) -> DependencyList:
    find_visible(tasks.facts, projects, task_id, user_id)
    forward, backward = store.depends_on(task_id), store.dependents(task_id)
    others = tasks.facts_many([d.dependsOn for d in forward] + [d.taskId for d in backward])
    seen = {other for other, facts in others.items() if is_visible(projects, facts, user_id)}
    return DependencyList(dependsOn=[d for d in forward if d.dependsOn in seen],
                          dependents=[d for d in backward if d.taskId in seen])


def task_graph(tasks: GraphTasks, projects: ProjectAccess, store: DependencyStore, *, user_id: str,
               project_id: str | None) -> TaskGraph:
    if project_id is not None and not can_read(projects.role_of(project_id, user_id)):
        raise NotFound(f"project {project_id} not found")
    scope = f"PROJECT#{project_id}" if project_id is not None else f"OWNER#{user_id}"
    members = sorted(tasks.scope_facts(scope), key=lambda t: t.id)
    ids = {t.id for t in members}
    edges = sorted(
        {(d.taskId, d.dependsOn, d.type) for t in members for d in store.depends_on(t.id) if d.dependsOn in ids}
    )
    ordering = [(a, b) for a, b, kind in edges if kind in ORDERING_TYPES]
    order = graph.topological_order(ids, ordering)
    path, minutes = graph.critical_path(order, ordering, {t.id: t.estimateMinutes for t in members}) \
        if order is not None else ([], 0)
    return TaskGraph(
        nodes=[GraphNode(id=t.id, title=t.title, status=t.status, estimateMinutes=t.estimateMinutes)
               for t in members],
        edges=[GraphEdge(from_=a, to=b, type=kind) for a, b, kind in edges],
        topologicalOrder=order or [],
        criticalPath=path,
        criticalPathMinutes=minutes,
    )

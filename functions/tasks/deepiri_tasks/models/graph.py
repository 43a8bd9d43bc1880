"""Task facts the extras (dependencies, graph, comments, attachments, timers, reminders) read, and the
dependency and graph shapes of the API."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

TASK_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
PROJECT_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"

DependencyType = Literal["blocks", "precedes", "related", "subtask"]
# Edges that order work: they may not form a cycle and they hold a task back from done.
ORDERING_TYPES: frozenset[str] = frozenset({"blocks", "precedes", "subtask"})
CLOSED_STATUSES: frozenset[str] = frozenset({"done", "cancelled"})


class TaskFacts(BaseModel):
    """What the extras need to know about a task (read from the core's task item, named as in ``Task``)."""

    model_config = ConfigDict(defer_build=True, frozen=True)

    id: str
    ownerId: str
    projectId: str | None = None
    assigneeIds: frozenset[str] = frozenset()
    status: str = "todo"
    title: str = ""
    dueAt: str | None = None
    estimateMinutes: int = 0

    @property
    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES


class DependencyCreate(BaseModel):
    """Body of ``POST /api/tasks/{id}/dependencies``: the task depends on ``dependsOn``."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    dependsOn: str = Field(pattern=TASK_ID_PATTERN)
    type: DependencyType


class Dependency(BaseModel):
    """An edge: ``taskId`` depends on ``dependsOn``."""

    model_config = ConfigDict(defer_build=True)

    taskId: str
    dependsOn: str
    type: DependencyType
    createdAt: str


class DependencyList(BaseModel):
    """Both directions: what the task depends on, and what depends on it."""

    model_config = ConfigDict(defer_build=True)

    dependsOn: list[Dependency]
    dependents: list[Dependency]


class GraphNode(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str
    title: str
    status: str
    estimateMinutes: int


class GraphEdge(BaseModel):
    """``from_`` depends on ``to``; ordering edges put ``to`` before ``from_``."""

    model_config = ConfigDict(defer_build=True, populate_by_name=True, serialize_by_alias=True)

    from_: str = Field(alias="from")
    to: str
    type: DependencyType


class TaskGraph(BaseModel):
    """The caller's personal tasks (or a project's) with their edges, an order to do them and the
    critical path (longest chain by estimateMinutes)."""

    model_config = ConfigDict(defer_build=True)

    nodes: list[GraphNode]
    edges: list[GraphEdge]
    topologicalOrder: list[str]
    criticalPath: list[str]
    criticalPathMinutes: int

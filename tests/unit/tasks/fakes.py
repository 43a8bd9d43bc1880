"""In-memory stand-ins for the task service's collaborators, so its use cases run without DynamoDB."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, cast

from deepiri_common.events import DomainEvent
from deepiri_common.problems import PreconditionFailed
from deepiri_tasks.dal.search_index import index_tokens
from deepiri_tasks.dal.tasks import ListFilter, TaskRepository
from deepiri_tasks.logic.tasks_access import TaskServices
from deepiri_tasks.models.projects import Role
from deepiri_tasks.models.tasks import Task, TaskVersion


class MemoryTasks:
    """The parts of ``TaskRepository`` the task use cases call, kept in dictionaries; a write whose
    ``before`` is not the stored version is refused as the table's condition would (412)."""

    def __init__(self, *tasks: Task) -> None:
        self.tasks: dict[str, Task] = {task.id: task for task in tasks}
        self.history: dict[str, list[TaskVersion]] = {}
        self.snapshots: dict[tuple[str, int], Task] = {}
        self.events: list[DomainEvent] = []
        self.writes = 0
        self.expiry: dict[str, int | None] = {}
        self.searched: list[tuple[str, str]] = []
        self.listed: list[dict[str, Any]] = []
        self.asked_many: list[str] = []

    def get(self, task_id: str) -> Task | None:
        task = self.tasks.get(task_id)
        return None if task is None or task.deletedAt is not None else task

    def get_including_deleted(self, task_id: str) -> Task | None:
        return self.tasks.get(task_id)

    def get_many(self, task_ids: Iterable[str]) -> dict[str, Task]:
        self.asked_many = list(task_ids)
        return {i: t for i in self.asked_many if (t := self.get(i)) is not None}

    def search_ids(self, scope: str, term: str) -> set[str]:
        """Ids of the live tasks of ``scope`` with a word of title or description starting with ``term``."""
        self.searched.append((scope, term))
        return {t.id for t in self.tasks.values() if t.deletedAt is None and _in_scope(t, scope)
                and any(word.startswith(term) for word in index_tokens(t.title, t.description))}

    def list_page(self, index: str, scope: str, *, ascending: bool, where: ListFilter, limit: int,
                  start: dict[str, Any] | None) -> tuple[list[Task], dict[str, Any] | None]:
        """Records the Query it was asked for; answers the live tasks of the scope, unfiltered."""
        self.listed.append({"index": index, "scope": scope, "ascending": ascending, "where": where,
                            "limit": limit, "start": start})
        found = [t for t in self.tasks.values() if t.deletedAt is None and _in_scope(t, scope)][:limit]
        return found, ({"pk": {"S": found[-1].id}} if len(found) == limit else None)

    def versions(self, task_id: str, limit: int, start: dict[str, Any] | None
                 ) -> tuple[list[TaskVersion], dict[str, Any] | None]:
        """Newest first, ``limit`` at a time; the key to continue from names the last version returned."""
        newest = sorted(self.history.get(task_id, []), key=lambda v: -v.version)
        if start is not None:
            newest = [v for v in newest if v.version < start["version"]]
        page = newest[:limit]
        return page, ({"version": page[-1].version} if len(newest) > limit else None)

    def snapshot_at(self, task_id: str, version: int) -> Task | None:
        return self.snapshots.get((task_id, version))

    def save(self, before: Task | None, after: Task, record: TaskVersion, events: list[DomainEvent],
             *, expires_at: int | None = None) -> None:
        stored = self.tasks.get(after.id)
        if (stored.version if stored else None) != (before.version if before else None):
            raise PreconditionFailed("stale version")
        self.tasks[after.id] = after
        self.history.setdefault(after.id, []).append(record)
        self.snapshots[(after.id, after.version)] = after
        self.events += events
        self.expiry[after.id] = expires_at
        self.writes += 1

    def types(self) -> list[str]:
        """The detail-types written to the outbox so far, in order."""
        return [event.detail_type for event in self.events]

    def data(self, detail_type: str) -> dict[str, Any]:
        """The data of the last event of ``detail_type``."""
        event = next(e for e in reversed(self.events) if e.detail_type == detail_type)
        return event.detail.data


def _in_scope(task: Task, scope: str) -> bool:
    kind, _, key = scope.partition("#")
    if kind == "OWNER":
        return task.projectId is None and task.ownerId == key
    if kind == "PROJECT":
        return task.projectId == key
    return key in task.assigneeIds


class FakeProjects:
    """A ProjectAccess: each project's members with their roles, and which projects are archived."""

    def __init__(self, members: dict[str, dict[str, Role]] | None = None, archived: set[str] | None = None) -> None:
        self.members, self.archived = members or {}, archived or set()

    def role_of(self, project_id: str, user_id: str) -> Role | None:
        return self.members.get(project_id, {}).get(user_id)

    def is_archived(self, project_id: str) -> bool:
        return project_id in self.archived


@dataclass
class Blockers:
    """A BlockerCheck answering from a map of task id → the ids of its open blockers."""

    open: dict[str, list[str]] = field(default_factory=dict)

    def open_blockers(self, task_id: str) -> list[str]:
        return list(self.open.get(task_id, []))


def services(
    tasks: MemoryTasks, projects: FakeProjects | None = None, blockers: Blockers | None = None
) -> TaskServices:
    """TaskServices over the fakes."""
    return TaskServices(tasks=cast(TaskRepository, tasks), projects=projects or FakeProjects(),
                        blockers=blockers or Blockers())

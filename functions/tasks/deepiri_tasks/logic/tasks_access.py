"""Who may see and change a task, and the collaborators every task use case works with: the one place
the rule lives, for the core and for the extras (dependencies, comments, attachments, timers).

A personal task (no project) is visible to its owner and its assignees; only its owner changes it. A
project task is visible to the project's members (any role); owner, admin and member roles (and the
task's owner) change it, viewers only read it; an archived project's tasks are read-only (409).
Collaborating on a task (commenting, tracking time) also admits its assignees, who work on it.
Anything the caller cannot see answers 404, so existence never leaks; a visible task the caller may
not change answers 403.

The rule reads only a task's ``ownerId``, ``projectId`` and ``assigneeIds`` (:class:`TaskHolders`), so
it applies alike to the core's ``Task`` and to the extras' ``TaskFacts``.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from deepiri_common.problems import Conflict, Forbidden, NotFound
from deepiri_tasks.dal.tasks import TaskRepository
from deepiri_tasks.logic.access import ProjectAccess, can_read, can_write_tasks
from deepiri_tasks.logic.status import BlockerCheck, NoBlockers
from deepiri_tasks.models.tasks import Task


@dataclass(frozen=True)
class TaskServices:
    """What the task use cases need: the repository, project roles, the blocker rule, the restore window."""

    tasks: TaskRepository
    projects: ProjectAccess
    blockers: BlockerCheck = field(default_factory=NoBlockers)
    soft_delete_days: int = 30


class TaskHolders(Protocol):
    """The fields of a task the access rule reads."""

    @property
    def ownerId(self) -> str: ...
    @property
    def projectId(self) -> str | None: ...
    @property
    def assigneeIds(self) -> Collection[str]: ...


T = TypeVar("T", bound=TaskHolders)


def is_visible(projects: ProjectAccess, task: TaskHolders, user_id: str) -> bool:
    """Whether ``user_id`` may read ``task``."""
    if task.projectId is None:
        return user_id == task.ownerId or user_id in task.assigneeIds
    return can_read(projects.role_of(task.projectId, user_id))


def can_change(projects: ProjectAccess, task: TaskHolders, user_id: str) -> bool:
    """Whether ``user_id`` may change ``task`` itself (or its dependencies and attachments)."""
    if task.projectId is None:
        return user_id == task.ownerId
    role = projects.role_of(task.projectId, user_id)
    return can_write_tasks(role) or (user_id == task.ownerId and can_read(role))


def can_collaborate(projects: ProjectAccess, task: TaskHolders, user_id: str) -> bool:
    """Whether ``user_id`` may work on ``task`` (comment, track time): who may change it, and its assignees."""
    return user_id in task.assigneeIds or can_change(projects, task, user_id)


def check_writable(projects: ProjectAccess, task: TaskHolders, user_id: str, *, collaborate: bool = False) -> None:
    """Raise unless ``user_id``, who can see ``task``, may change it (or, with ``collaborate``, work on
    it): 403 when not allowed, 409 when its project is archived."""
    allowed = can_collaborate if collaborate else can_change
    if not allowed(projects, task, user_id):
        if task.projectId is None:
            raise Forbidden("only the task's owner can change a personal task" if not collaborate
                            else "only the task's owner and assignees can work on a personal task")
        raise Forbidden("viewers cannot change the project's tasks")
    if task.projectId is not None and projects.is_archived(task.projectId):
        raise Conflict("the project is archived; its tasks are read-only")


def find_visible(get: Callable[[str], T | None], projects: ProjectAccess, task_id: str, user_id: str) -> T:
    """The live task ``get`` finds, if ``user_id`` may see it; 404 otherwise."""
    task = get(task_id)
    if task is None or not is_visible(projects, task, user_id):
        raise NotFound("task not found")
    return task


def find_writable(get: Callable[[str], T | None], projects: ProjectAccess, task_id: str, user_id: str,
                  *, collaborate: bool = False) -> T:
    """The live task ``get`` finds, if ``user_id`` may change it (or work on it, with ``collaborate``);
    404 when invisible, 403/409 as in the module doc."""
    task = find_visible(get, projects, task_id, user_id)
    check_writable(projects, task, user_id, collaborate=collaborate)
    return task


def require_visible(services: TaskServices, task_id: str, user_id: str) -> Task:
    """The live task, if ``user_id`` may see it; 404 otherwise."""
    return find_visible(services.tasks.get, services.projects, task_id, user_id)


def require_writable(services: TaskServices, task_id: str, user_id: str) -> Task:
    """The live task, if ``user_id`` may change it; 404 when invisible, 403/409 as in the module doc."""
    return find_writable(services.tasks.get, services.projects, task_id, user_id)


def require_project_reader(projects: ProjectAccess, project_id: str, user_id: str) -> None:
    if not can_read(projects.role_of(project_id, user_id)):
        raise NotFound("project not found")


def require_project_writer(projects: ProjectAccess, project_id: str, user_id: str) -> None:
    role = projects.role_of(project_id, user_id)
    if not can_read(role):
        raise NotFound("project not found")
    if not can_write_tasks(role):
        raise Forbidden("viewers cannot add tasks to the project")
    if projects.is_archived(project_id):
        raise Conflict("the project is archived; its tasks are read-only")

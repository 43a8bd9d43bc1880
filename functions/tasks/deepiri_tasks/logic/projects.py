"""Projects: create, list, read, edit (optimistic concurrency), archive and delete.

Every action first resolves the caller's role: a non-member gets 404 (existence never leaks), a member
lacking the role the action needs gets 403. Deleting a project removes it with its memberships and
invitations in one transaction and emits ProjectDeleted; the tasks consumer then detaches its tasks
(they become personal tasks of their owners).
"""

from __future__ import annotations

from collections.abc import Callable

from deepiri_common.clock import to_iso, utc_now
from deepiri_common.events import DomainEvent
from deepiri_common.ids import new_ulid
from deepiri_common.problems import Forbidden, NotFound
from deepiri_tasks.dal.projects import ProjectRepository
from deepiri_tasks.logic.access import can_manage, can_read, is_owner
from deepiri_tasks.models.projects import (
    SERVICE,
    Project,
    ProjectArchivedData,
    ProjectCreate,
    ProjectCreatedData,
    ProjectDeletedData,
    ProjectPage,
    ProjectPatch,
    ProjectUpdatedData,
    Role,
)


def require_role(repo: ProjectRepository, project_id: str, user_id: str,
                 allowed: Callable[[Role | None], bool], action: str) -> Role:
    """The caller's role, when it allows ``action``: 404 for a non-member, 403 for a member without it."""
    role = repo.role_of(project_id, user_id)
    # every role can read, so ``and`` for ``or`` refuses the same callers (equivalent)
    if role is None or not can_read(role):
        raise NotFound("no such project")
    if not allowed(role):
        raise Forbidden(f"your role ({role}) may not {action}")
    return role


def new_project(body: ProjectCreate, owner_id: str) -> Project:
    now = to_iso(utc_now())
    # archived=False is also the model's default (dropping it is equivalent)
    return Project(id=new_ulid(), name=body.name, description=body.description, startDate=body.startDate,
                   ownerId=owner_id, archived=False, version=1, createdAt=now, updatedAt=now, role="owner")


def created_event(project: Project) -> DomainEvent:
    data = ProjectCreatedData(projectId=project.id, name=project.name, ownerId=project.ownerId)
    return DomainEvent.new(SERVICE, "ProjectCreated", data, actor=project.ownerId)


def create_project(repo: ProjectRepository, user_id: str, body: ProjectCreate) -> Project:
    project = new_project(body, user_id)
    repo.create(project, created_event(project))
    return project


def list_projects(repo: ProjectRepository, user_id: str, limit: int, cursor: str | None) -> ProjectPage:
    projects, next_cursor = repo.projects_of(user_id, limit, cursor)
    return ProjectPage(items=projects, nextCursor=next_cursor)


def get_project(repo: ProjectRepository, user_id: str, project_id: str) -> Project:
    # can_read never refuses once require_role's 404 check passed: the text is never shown (equivalent)
    role = require_role(repo, project_id, user_id, can_read, "read the project")
    project = repo.project(project_id)
    if project is None:
        raise NotFound("no such project")
    return project.model_copy(update={"role": role})


def update_project(repo: ProjectRepository, user_id: str, project_id: str, patch: ProjectPatch) -> Project:
    """Apply the fields the patch names (``null`` clears description / startDate) at ``patch.version``."""
    current = get_project(repo, user_id, project_id)
    require_role(repo, project_id, user_id, can_manage, "edit the project")
    changes = patch.model_dump(exclude_unset=True, exclude={"version"})
    if changes.get("name", "") is None:  # only an explicit null is None: any other default is equivalent
        changes.pop("name")  # the name cannot be cleared
    updated = current.model_copy(update={**changes, "version": patch.version + 1,
                                         "updatedAt": to_iso(utc_now())})
    data = ProjectUpdatedData(projectId=project_id, version=updated.version, changed=sorted(changes))
    repo.update(updated, patch.version, user_id, DomainEvent.new(SERVICE, "ProjectUpdated", data, actor=user_id))
    return updated


def set_archived(repo: ProjectRepository, user_id: str, project_id: str, archived: bool) -> Project:
    """Archive (its tasks become read-only) or unarchive; emits ProjectArchived / ProjectUnarchived."""
    require_role(repo, project_id, user_id, can_manage, "archive the project")
    detail_type = "ProjectArchived" if archived else "ProjectUnarchived"
    data = ProjectArchivedData(projectId=project_id, archived=archived)
    repo.set_archived(project_id, archived, user_id, DomainEvent.new(SERVICE, detail_type, data, actor=user_id))
    return get_project(repo, user_id, project_id)


def delete_project(repo: ProjectRepository, user_id: str | None, project_id: str, *,
                   actor: str | None = None) -> None:
    """Delete the project (owner only, unless ``user_id`` is None: a consumer acting for the system)."""
    if user_id is not None:
        require_role(repo, project_id, user_id, is_owner, "delete the project")
    project = repo.project(project_id)
    if project is None:
        raise NotFound("no such project")
    members = [m.userId for m in repo.members(project_id)]
    data = ProjectDeletedData(projectId=project_id, ownerId=project.ownerId, memberIds=members)
    event = DomainEvent.new(SERVICE, "ProjectDeleted", data, actor=user_id or actor or "system")
    repo.delete(project_id, user_id, event)

"""Project routes under /api/projects: projects, members and invitations, archiving, templates."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query

from deepiri_common.api import api_handler, create_resolver
from deepiri_common.identity import current_caller
from deepiri_common.pagination import MAX_CURSOR_LENGTH
from deepiri_common.routes import Routes
from deepiri_tasks import dependencies as shared
from deepiri_tasks.dal.projects import ProjectRepository
from deepiri_tasks.dal.tasks import TaskRepository
from deepiri_tasks.dal.templates import TemplateRepository
from deepiri_tasks.logic import members, projects, templates
from deepiri_tasks.models.projects import (
    PROJECT_ID_PATTERN,
    USER_ID_PATTERN,
    Invitation,
    InvitationCreate,
    InvitationPage,
    Member,
    MemberPage,
    Project,
    ProjectCreate,
    ProjectPage,
    ProjectPatch,
    RoleChange,
    Transfer,
)
from deepiri_tasks.models.templates import FromTemplate, ProjectTemplate, TemplateList, TemplateSave

app = create_resolver()
routes = Routes(app)
READ, WRITE = "tasks:read", "tasks:write"  # what third-party (OAuth) tokens need

ProjectId = Annotated[str, Path(pattern=PROJECT_ID_PATTERN)]
UserId = Annotated[str, Path(pattern=USER_ID_PATTERN)]
Limit = Annotated[int, Query(ge=1, le=100)]
Cursor = Annotated[str | None, Query(max_length=MAX_CURSOR_LENGTH)]


def repository() -> ProjectRepository:
    return shared.projects()


def template_store() -> TemplateRepository:
    return TemplateRepository(shared.settings().tasks_table, shared.dynamodb())


def task_repository() -> TaskRepository:
    return shared.tasks()


def _me() -> str:
    return current_caller(app).user_id


def _created(body: Any) -> Response[Any]:
    return Response(status_code=HTTPStatus.CREATED.value, content_type="application/json", body=body)


def _no_content() -> Response[None]:
    return Response(status_code=HTTPStatus.NO_CONTENT.value)


# Literal paths first, so they never read as a project id.

@routes.get("/api/projects/templates", scope=READ)
def list_templates() -> TemplateList:
    """Project templates: the built-in ones and those you saved."""
    return templates.list_templates(template_store(), _me())


@routes.post("/api/projects/from-template", scope=WRITE)
def create_from_template(body: FromTemplate) -> Response[Project]:
    """Create a project, with its tasks, from a template."""
    return _created(templates.instantiate(repository(), template_store(), task_repository(), _me(), body))


@routes.get("/api/projects/invitations", scope=READ)
def list_my_invitations(limit: Limit = 20, cursor: Cursor = None) -> InvitationPage:
    """Your pending project invitations."""
    return members.my_invitations(repository(), _me(), limit, cursor)


@routes.post("/api/projects", scope=WRITE)
def create_project(body: ProjectCreate) -> Response[Project]:
    """Create a project; you are its owner."""
    return _created(projects.create_project(repository(), _me(), body))


@routes.get("/api/projects", scope=READ)
def list_projects(limit: Limit = 20, cursor: Cursor = None) -> ProjectPage:
    """The projects you are a member of."""
    return projects.list_projects(repository(), _me(), limit, cursor)


@routes.get("/api/projects/<projectId>", scope=READ)
def get_project(projectId: ProjectId) -> Project:
    """A project you are a member of."""
    return projects.get_project(repository(), _me(), projectId)


@routes.patch("/api/projects/<projectId>", scope=WRITE)
def update_project(projectId: ProjectId, body: ProjectPatch) -> Project:
    """Edit a project (owner or admin, with its version)."""
    return projects.update_project(repository(), _me(), projectId, body)


@routes.delete("/api/projects/<projectId>", scope=WRITE)
def delete_project(projectId: ProjectId) -> Response[None]:
    """Delete a project (owner); its tasks go with it."""
    projects.delete_project(repository(), _me(), projectId)
    return _no_content()


@routes.post("/api/projects/<projectId>/archive", scope=WRITE)
def archive_project(projectId: ProjectId) -> Project:
    """Archive a project: its tasks become read-only."""
    return projects.set_archived(repository(), _me(), projectId, True)


@routes.post("/api/projects/<projectId>/unarchive", scope=WRITE)
def unarchive_project(projectId: ProjectId) -> Project:
    """Bring an archived project back."""
    return projects.set_archived(repository(), _me(), projectId, False)


@routes.post("/api/projects/<projectId>/invitations", scope=WRITE)
def invite(projectId: ProjectId, body: InvitationCreate) -> Response[Invitation]:
    """Invite a user with a role (owner or admin)."""
    return _created(members.invite(repository(), _me(), projectId, body))


@routes.post("/api/projects/<projectId>/invitations/accept", scope=WRITE)
def accept_invitation(projectId: ProjectId) -> Member:
    """Accept your invitation: you become a member."""
    return members.accept(repository(), _me(), projectId)


@routes.post("/api/projects/<projectId>/invitations/decline", scope=WRITE)
def decline_invitation(projectId: ProjectId) -> Response[None]:
    """Decline your invitation."""
    members.decline(repository(), _me(), projectId)
    return _no_content()


@routes.get("/api/projects/<projectId>/members", scope=READ)
def list_members(projectId: ProjectId, limit: Limit = 50, cursor: Cursor = None) -> MemberPage:
    """The project's members and their roles."""
    return members.list_members(repository(), _me(), projectId, limit, cursor)


@routes.patch("/api/projects/<projectId>/members/<userId>", scope=WRITE)
def change_member_role(projectId: ProjectId, userId: UserId, body: RoleChange) -> Member:
    """Change a member's role (only the owner makes admins)."""
    return members.change_role(repository(), _me(), projectId, userId, body.role)


@routes.delete("/api/projects/<projectId>/members/<userId>", scope=WRITE)
def remove_member(projectId: ProjectId, userId: UserId) -> Response[None]:
    """Remove a member."""
    members.remove_member(repository(), _me(), projectId, userId)
    return _no_content()


@routes.post("/api/projects/<projectId>/leave", scope=WRITE)
def leave_project(projectId: ProjectId) -> Response[None]:
    """Leave a project (the owner transfers it first)."""
    members.leave(repository(), _me(), projectId)
    return _no_content()


@routes.post("/api/projects/<projectId>/transfer", scope=WRITE)
def transfer_project(projectId: ProjectId, body: Transfer) -> Member:
    """Hand the project to another member, who becomes its owner."""
    return members.transfer(repository(), _me(), projectId, body.userId)


@routes.post("/api/projects/<projectId>/template", scope=WRITE)
def save_template(projectId: ProjectId, body: TemplateSave) -> Response[ProjectTemplate]:
    """Save the project's shape as a template of yours."""
    return _created(templates.save_template(repository(), template_store(), _me(), projectId, body))



handler: Any = api_handler(app)

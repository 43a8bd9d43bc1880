"""Project routes under /api/projects: projects, members and invitations, archiving, templates."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response

from deepiri_common.api import api_handler, create_resolver
from deepiri_common.identity import caller_id
from deepiri_common.params import Cursor, Limit, no_content
from deepiri_common.routes import Routes
from deepiri_tasks import wiring
from deepiri_tasks.handlers.params import READ, WRITE, ProjectId, UserId
from deepiri_tasks.logic import members, projects, templates
from deepiri_tasks.models.projects import (
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


def _created(body: Any) -> Response[Any]:
    return Response(status_code=HTTPStatus.CREATED.value, content_type="application/json", body=body)


# Literal paths first, so they never read as a project id.

@routes.get("/api/projects/templates", scope=READ)
def list_templates() -> TemplateList:
    """Project templates: the built-in ones and those you saved."""
    return templates.list_templates(wiring.template_repository(), caller_id(app))


@routes.post("/api/projects/from-template", scope=WRITE, status=201)
def create_from_template(body: FromTemplate) -> Response[Project]:
    """Create a project, with its tasks, from a template."""
    return _created(templates.instantiate(wiring.project_repository(), wiring.template_repository(),
                    wiring.task_repository(), caller_id(app), body))


@routes.get("/api/projects/invitations", scope=READ)
def list_my_invitations(limit: Limit = 20, cursor: Cursor = None) -> InvitationPage:
    """Your pending project invitations."""
    return members.my_invitations(wiring.project_repository(), caller_id(app), limit, cursor)


@routes.post("/api/projects", scope=WRITE, status=201)
def create_project(body: ProjectCreate) -> Response[Project]:
    """Create a project; you are its owner."""
    return _created(projects.create_project(wiring.project_repository(), caller_id(app), body))


@routes.get("/api/projects", scope=READ)
def list_projects(limit: Limit = 20, cursor: Cursor = None) -> ProjectPage:
    """The projects you are a member of."""
    return projects.list_projects(wiring.project_repository(), caller_id(app), limit, cursor)


@routes.get("/api/projects/<projectId>", scope=READ)
def get_project(projectId: ProjectId) -> Project:
    """A project you are a member of."""
    return projects.get_project(wiring.project_repository(), caller_id(app), projectId)


@routes.patch("/api/projects/<projectId>", scope=WRITE)
def update_project(projectId: ProjectId, body: ProjectPatch) -> Project:
    """Edit a project (owner or admin, with its version)."""
    return projects.update_project(wiring.project_repository(), caller_id(app), projectId, body)


@routes.delete("/api/projects/<projectId>", scope=WRITE)
def delete_project(projectId: ProjectId) -> Response[None]:
    """Delete a project (owner); its tasks go with it."""
    projects.delete_project(wiring.project_repository(), caller_id(app), projectId)
    return no_content()


@routes.post("/api/projects/<projectId>/archive", scope=WRITE)
def archive_project(projectId: ProjectId) -> Project:
    """Archive a project: its tasks become read-only."""
    return projects.set_archived(wiring.project_repository(), caller_id(app), projectId, True)


@routes.post("/api/projects/<projectId>/unarchive", scope=WRITE)
def unarchive_project(projectId: ProjectId) -> Project:
    """Bring an archived project back."""
    return projects.set_archived(wiring.project_repository(), caller_id(app), projectId, False)


@routes.post("/api/projects/<projectId>/invitations", scope=WRITE, status=201)
def invite(projectId: ProjectId, body: InvitationCreate) -> Response[Invitation]:
    """Invite a user with a role (owner or admin); 404 for a user who does not exist or has a block with you."""
    invitation = members.invite(wiring.project_repository(), wiring.user_directory(), caller_id(app), projectId, body)
    return _created(invitation)


@routes.post("/api/projects/<projectId>/invitations/accept", scope=WRITE)
def accept_invitation(projectId: ProjectId) -> Member:
    """Accept your invitation: you become a member."""
    return members.accept(wiring.project_repository(), caller_id(app), projectId)


@routes.post("/api/projects/<projectId>/invitations/decline", scope=WRITE)
def decline_invitation(projectId: ProjectId) -> Response[None]:
    """Decline your invitation."""
    members.decline(wiring.project_repository(), caller_id(app), projectId)
    return no_content()


@routes.get("/api/projects/<projectId>/members", scope=READ)
def list_members(projectId: ProjectId, limit: Limit = 50, cursor: Cursor = None) -> MemberPage:
    """The project's members and their roles."""
    return members.list_members(wiring.project_repository(), caller_id(app), projectId, limit, cursor)


@routes.patch("/api/projects/<projectId>/members/<userId>", scope=WRITE)
def change_member_role(projectId: ProjectId, userId: UserId, body: RoleChange) -> Member:
    """Change a member's role (only the owner makes admins)."""
    return members.change_role(wiring.project_repository(), caller_id(app), projectId, userId, body.role)


@routes.delete("/api/projects/<projectId>/members/<userId>", scope=WRITE)
def remove_member(projectId: ProjectId, userId: UserId) -> Response[None]:
    """Remove a member."""
    members.remove_member(wiring.project_repository(), caller_id(app), projectId, userId)
    return no_content()


@routes.post("/api/projects/<projectId>/leave", scope=WRITE)
def leave_project(projectId: ProjectId) -> Response[None]:
    """Leave a project (the owner transfers it first)."""
    members.leave(wiring.project_repository(), caller_id(app), projectId)
    return no_content()


@routes.post("/api/projects/<projectId>/transfer", scope=WRITE)
def transfer_project(projectId: ProjectId, body: Transfer) -> Member:
    """Hand the project to another member, who becomes its owner."""
    return members.transfer(wiring.project_repository(), caller_id(app), projectId, body.userId)


@routes.post("/api/projects/<projectId>/template", scope=WRITE, status=201)
def save_template(projectId: ProjectId, body: TemplateSave) -> Response[ProjectTemplate]:
    """Save the project's shape as a template of yours."""
    return _created(templates.save_template(wiring.project_repository(), wiring.template_repository(), caller_id(app),
                    projectId, body))


handler: Any = api_handler(app)

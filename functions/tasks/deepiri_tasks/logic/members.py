"""Project membership: invitations, role changes, removal, leaving and ownership transfer.

Rules (the unit tests hold the full table): owner and admins invite, remove and re-role members and
viewers; only the owner makes, demotes or removes admins; the owner role moves only by transfer to an
existing member (the old owner becomes an admin); the owner can be neither removed nor leave (409).
An invitation names an existing user with no block between them and the inviter (``logic.directory``).
"""

from __future__ import annotations

from deepiri_common.clock import to_iso, utc_now
from deepiri_common.events import DomainEvent
from deepiri_common.problems import Conflict, Forbidden, NotFound
from deepiri_tasks.dal.projects import ProjectRepository
from deepiri_tasks.logic.access import can_manage, can_read, is_owner
from deepiri_tasks.logic.directory import Directory, require_invitable
from deepiri_tasks.logic.projects import get_project, require_role
from deepiri_tasks.models.projects import (
    SERVICE,
    GrantableRole,
    Invitation,
    InvitationCreate,
    InvitationPage,
    Member,
    MemberAddedData,
    MemberPage,
    MemberRemovedData,
    MemberRoleChangedData,
    Role,
)

ADMIN_ROLES: tuple[Role, ...] = ("owner", "admin")
OWNER_ROLES: tuple[Role, ...] = ("owner",)


def check_invite(actor: Role | None, role: GrantableRole) -> None:
    """Owner and admins invite; only the owner invites an admin."""
    if not can_manage(actor):
        raise Forbidden(f"your role ({actor}) may not invite")
    if role == "admin" and not is_owner(actor):
        raise Forbidden("only the owner may make admins")


def check_role_change(actor: Role | None, target: Role, new: GrantableRole) -> None:
    """Whether ``actor`` may give a ``target`` member the role ``new``; raises Forbidden / Conflict."""
    if not can_manage(actor):
        raise Forbidden(f"your role ({actor}) may not change roles")
    if target == "owner":
        raise Conflict("the owner role moves only by transfer")
    if (new == "admin" or target == "admin") and not is_owner(actor):
        raise Forbidden("only the owner may make or demote admins")


def check_removal(actor: Role | None, target: Role) -> None:
    """Whether ``actor`` may remove a ``target`` member; raises Forbidden / Conflict."""
    if not can_manage(actor):
        raise Forbidden(f"your role ({actor}) may not remove members")
    if target == "owner":
        raise Conflict("the owner cannot be removed; transfer the project first")
    if target == "admin" and not is_owner(actor):
        raise Forbidden("only the owner may remove admins")


def check_leave(role: Role) -> None:
    if role == "owner":
        raise Conflict("the owner must transfer the project before leaving")


def invite(repo: ProjectRepository, directory: Directory, user_id: str, project_id: str,
           body: InvitationCreate) -> Invitation:
    """Invite an existing user with no block between them and the inviter (404 otherwise, as for nobody)."""
    project = get_project(repo, user_id, project_id)
    check_invite(project.role, body.role)
    if body.userId == user_id:  # the inviter is a member already
        raise Conflict("the user is already a member of the project")
    require_invitable(directory, user_id, body.userId)
    invitation = Invitation(projectId=project_id, projectName=project.name, userId=body.userId, role=body.role,
                            invitedBy=user_id, invitedAt=to_iso(utc_now()))
    repo.invite(invitation)
    return invitation


def my_invitations(repo: ProjectRepository, user_id: str, limit: int, cursor: str | None) -> InvitationPage:
    return repo.invitations_of(user_id, limit, cursor)


def accept(repo: ProjectRepository, user_id: str, project_id: str) -> Member:
    invitation = repo.invitation(project_id, user_id)
    if invitation is None:
        raise NotFound("no such invitation")
    data = MemberAddedData(projectId=project_id, userId=user_id, role=invitation.role)
    repo.accept(invitation, DomainEvent.new(SERVICE, "MemberAdded", data, actor=user_id))
    member = repo.member(project_id, user_id)
    if member is None:
        raise NotFound("no such project")
    return member


def decline(repo: ProjectRepository, user_id: str, project_id: str) -> None:
    repo.decline(project_id, user_id)


def list_members(repo: ProjectRepository, user_id: str, project_id: str, limit: int,
                 cursor: str | None) -> MemberPage:
    # can_read never refuses once require_role's 404 check passed: the text is never shown (equivalent)
    require_role(repo, project_id, user_id, can_read, "list members")
    return repo.members_page(project_id, limit, cursor)


def _target(repo: ProjectRepository, project_id: str, user_id: str) -> Member:
    member = repo.member(project_id, user_id)
    if member is None:
        raise NotFound("no such member")
    return member


def change_role(repo: ProjectRepository, user_id: str, project_id: str, member_id: str,
                new: GrantableRole) -> Member:
    # can_read never refuses once require_role's 404 check passed: the text is never shown (equivalent)
    actor = require_role(repo, project_id, user_id, can_read, "change roles")
    target = _target(repo, project_id, member_id)
    check_role_change(actor, target.role, new)
    if target.role == new:
        return target
    data = MemberRoleChangedData(projectId=project_id, userId=member_id, oldRole=target.role, newRole=new)
    repo.change_role(project_id, member_id, old=target.role, new=new, actor=user_id,
                     actor_roles=OWNER_ROLES if "admin" in (new, target.role) else ADMIN_ROLES,
                     event=DomainEvent.new(SERVICE, "MemberRoleChanged", data, actor=user_id))
    return target.model_copy(update={"role": new})


def remove_member(repo: ProjectRepository, user_id: str, project_id: str, member_id: str) -> None:
    # can_read never refuses once require_role's 404 check passed: the text is never shown (equivalent)
    actor = require_role(repo, project_id, user_id, can_read, "remove members")
    if member_id == user_id:
        leave(repo, user_id, project_id)
        return
    target = _target(repo, project_id, member_id)
    check_removal(actor, target.role)
    data = MemberRemovedData(projectId=project_id, userId=member_id, reason="removed")
    repo.remove_member(project_id, target, user_id, OWNER_ROLES if target.role == "admin" else ADMIN_ROLES,
                       DomainEvent.new(SERVICE, "MemberRemoved", data, actor=user_id))


def leave(repo: ProjectRepository, user_id: str, project_id: str, *, reason: str = "left") -> None:
    # can_read never refuses once require_role's 404 check passed: the text is never shown (equivalent)
    role = require_role(repo, project_id, user_id, can_read, "leave")
    check_leave(role)
    data = MemberRemovedData.model_validate({"projectId": project_id, "userId": user_id, "reason": reason})
    # the removal is conditioned on the role only: any joinedAt is equivalent
    repo.remove_member(project_id, Member(userId=user_id, role=role, joinedAt=""), None, (),
                       DomainEvent.new(SERVICE, "MemberRemoved", data, actor=user_id))


def transfer(repo: ProjectRepository, user_id: str, project_id: str, new_owner_id: str) -> Member:
    """Make an existing member the owner; the caller (the owner) becomes an admin."""
    require_role(repo, project_id, user_id, is_owner, "transfer the project")
    if new_owner_id == user_id:
        raise Conflict("you already own the project")
    target = _target(repo, project_id, new_owner_id)
    events = [
        DomainEvent.new(SERVICE, "MemberRoleChanged", MemberRoleChangedData(
            projectId=project_id, userId=new_owner_id, oldRole=target.role, newRole="owner"), actor=user_id),
        DomainEvent.new(SERVICE, "MemberRoleChanged", MemberRoleChangedData(
            projectId=project_id, userId=user_id, oldRole="owner", newRole="admin"), actor=user_id),
    ]
    repo.transfer(project_id, user_id, target, events)
    return target.model_copy(update={"role": "owner"})

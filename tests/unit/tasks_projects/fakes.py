"""An in-memory ``ProjectRepository``: projects, members and invitations in dictionaries, and the events
each write would put in the outbox. Conditions the table enforces (versions) are enforced here too."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from deepiri_common.events import DomainEvent
from deepiri_common.problems import Conflict, PreconditionFailed
from deepiri_tasks.models.projects import Invitation, InvitationPage, Member, MemberPage, Project, Role

JOINED = "2026-03-01T12:00:00.000Z"


class MemoryProjects:
    def __init__(self) -> None:
        self.projects: dict[str, Project] = {}
        self.roles: dict[str, dict[str, Role]] = {}
        self.invites: dict[tuple[str, str], Invitation] = {}
        self.events: list[DomainEvent] = []
        self.calls: list[tuple[Any, ...]] = []

    def add(self, project: Project, **members: Role) -> Project:
        stored = project.model_copy(update={"role": None})
        self.projects[project.id] = stored
        self.roles[project.id] = {project.ownerId: "owner", **members}
        return stored

    def role_of(self, project_id: str, user_id: str) -> Role | None:
        return self.roles.get(project_id, {}).get(user_id)

    def is_archived(self, project_id: str) -> bool:
        project = self.projects.get(project_id)
        return project is not None and project.archived

    def project(self, project_id: str) -> Project | None:
        return self.projects.get(project_id)

    def member(self, project_id: str, user_id: str) -> Member | None:
        role = self.role_of(project_id, user_id)
        return None if role is None else Member(userId=user_id, role=role, joinedAt=JOINED)

    def invitation(self, project_id: str, user_id: str) -> Invitation | None:
        return self.invites.get((project_id, user_id))

    def projects_of(self, user_id: str, limit: int, cursor: str | None) -> tuple[list[Project], str | None]:
        self.calls.append(("projects_of", user_id, limit, cursor))
        mine = [p.model_copy(update={"role": self.roles[p.id][user_id]}) for p in self.projects.values()
                if user_id in self.roles.get(p.id, {})]
        return mine[:limit], ("next" if len(mine) > limit else None)

    def members_page(self, project_id: str, limit: int, cursor: str | None) -> MemberPage:
        self.calls.append(("members_page", project_id, limit, cursor))
        return MemberPage(items=self.members(project_id)[:limit])

    def members(self, project_id: str) -> list[Member]:
        return [Member(userId=u, role=r, joinedAt=JOINED) for u, r in sorted(self.roles.get(project_id, {}).items())]

    def memberships_of(self, user_id: str) -> list[tuple[str, Role]]:
        return [(pid, roles[user_id]) for pid, roles in sorted(self.roles.items()) if user_id in roles]

    def invitations_of(self, user_id: str, limit: int, cursor: str | None) -> InvitationPage:
        """``limit`` at a time, by project id; the cursor is the last project id of the previous page."""
        self.calls.append(("invitations_of", user_id, limit, cursor))
        mine = [i for (p, u), i in sorted(self.invites.items()) if u == user_id and (cursor is None or p > cursor)]
        return InvitationPage(items=mine[:limit], nextCursor=mine[limit - 1].projectId if len(mine) > limit else None)

    def create(self, project: Project, event: DomainEvent, extra: Sequence[dict[str, Any]] = ()) -> None:
        self.add(project)
        self.events.append(event)

    def update(self, project: Project, expected_version: int, actor: str, event: DomainEvent) -> None:
        if self.projects[project.id].version != expected_version:
            raise PreconditionFailed("stale")
        self.calls.append(("update", project.id, expected_version, actor))
        self.projects[project.id] = project.model_copy(update={"role": None})
        self.events.append(event)

    def delete(self, project_id: str, actor: str | None, event: DomainEvent) -> None:
        self.calls.append(("delete", project_id, actor))
        del self.projects[project_id]
        del self.roles[project_id]
        self.events.append(event)

    def set_archived(self, project_id: str, archived: bool, actor: str, event: DomainEvent) -> None:
        self.calls.append(("set_archived", project_id, archived, actor))
        self.projects[project_id] = self.projects[project_id].model_copy(update={"archived": archived})
        self.events.append(event)

    def invite(self, invitation: Invitation) -> None:
        if self.role_of(invitation.projectId, invitation.userId) is not None:
            raise Conflict("already a member")
        self.invites[(invitation.projectId, invitation.userId)] = invitation

    def accept(self, invitation: Invitation, event: DomainEvent) -> None:
        del self.invites[(invitation.projectId, invitation.userId)]
        self.roles.setdefault(invitation.projectId, {})[invitation.userId] = invitation.role
        self.events.append(event)

    def decline(self, project_id: str, user_id: str) -> None:
        self.invites.pop((project_id, user_id), None)

    def change_role(self, project_id: str, user_id: str, *, old: Role, new: Role, actor: str,
                    actor_roles: Sequence[Role], event: DomainEvent) -> None:
        self.calls.append(("change_role", project_id, user_id, old, new, actor, tuple(actor_roles)))
        self.roles[project_id][user_id] = new
        self.events.append(event)

    def remove_member(self, project_id: str, member: Member, actor: str | None, actor_roles: Sequence[Role],
                      event: DomainEvent) -> None:
        self.calls.append(("remove_member", project_id, member.userId, member.role, actor, tuple(actor_roles)))
        del self.roles[project_id][member.userId]
        self.events.append(event)

    def transfer(self, project_id: str, old_owner: str, new_owner: Member, events: Sequence[DomainEvent]) -> None:
        self.roles[project_id][new_owner.userId] = "owner"
        self.roles[project_id][old_owner] = "admin"
        self.events += events

    def types(self) -> list[str]:
        return [e.detail_type for e in self.events]


class MemoryDirectory:
    """An in-memory users directory with the table's rules: deletion is final, a block record changes
    only for a later event."""

    def __init__(self, *users: str) -> None:
        self.states: dict[str, str] = dict.fromkeys(users, "active")
        self.block_records: dict[tuple[str, str], tuple[bool, str]] = {}

    def register(self, user_id: str) -> bool:
        if user_id in self.states:
            return False
        self.states[user_id] = "active"
        return True

    def forget(self, user_id: str) -> None:
        self.states[user_id] = "deleted"

    def set_block(self, blocker: str, blocked: str, *, blocking: bool, at: str) -> bool:
        recorded = self.block_records.get((blocker, blocked))
        if recorded is not None and recorded[1] >= at:
            return False
        self.block_records[(blocker, blocked)] = (blocking, at)
        return True

    def exists(self, user_id: str) -> bool:
        return self.states.get(user_id) == "active"

    def blocks(self, blocker: str, blocked: str) -> bool:
        return self.block_records.get((blocker, blocked), (False, ""))[0]


LAUNCH_STAMP = "2026-03-01T12:00:00.000Z"


def launch_project(**members: Role) -> tuple[MemoryProjects, Any]:
    """A store holding project P1 ("Launch", owned by olga) with ``members`` by role; the store, and the
    store as the repository the use cases take."""
    store = MemoryProjects()
    store.add(Project(id="P1", name="Launch", ownerId="olga", version=1, createdAt=LAUNCH_STAMP,
                      updatedAt=LAUNCH_STAMP), **members)
    return store, store

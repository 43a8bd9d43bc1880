"""Who may do what in a project: the four member roles and the rules every route applies.

Non-members see nothing of a project (404, so existence never leaks); a member lacking the role an
action needs gets 403. Viewers read only. The owner role moves only by transfer; only the owner makes
admins, deletes the project or transfers it; owner and admins invite, remove members, edit, archive.
"""

from __future__ import annotations

from typing import Protocol

from deepiri_tasks.models.projects import Role

# Rank of each role; a higher rank includes every right of a lower one. Ranks are only compared with the
# viewer, member and admin minimums and the owner's own rights go by name (``is_owner``), so a change that
# keeps viewer < member < admin <= owner (viewer 0, admin 4, owner 3 or 5) is equivalent.
_RANK: dict[str, int] = {"viewer": 1, "member": 2, "admin": 3, "owner": 4}


class ProjectAccess(Protocol):
    """What the task routes need to know about a project (implemented by ``dal.projects.ProjectRepository``)."""

    def role_of(self, project_id: str, user_id: str) -> Role | None:
        """The role of ``user_id`` in the project, ``None`` for a non-member or a missing project."""

    def is_archived(self, project_id: str) -> bool:
        """Whether the project is archived (its tasks are then read-only)."""


def _at_least(role: Role | None, minimum: Role) -> bool:
    return role is not None and _RANK[role] >= _RANK[minimum]


def can_read(role: Role | None) -> bool:
    """Any member, viewers included, may read the project and its tasks."""
    return _at_least(role, "viewer")


def can_write_tasks(role: Role | None) -> bool:
    """Members, admins and the owner may create and change the project's tasks; viewers may not."""
    return _at_least(role, "member")


def can_manage(role: Role | None) -> bool:
    """Edit, archive, invite, change roles below admin and remove members: owner and admins."""
    return _at_least(role, "admin")


def is_owner(role: Role | None) -> bool:
    """Delete, transfer and make admins: the owner alone."""
    return role == "owner"

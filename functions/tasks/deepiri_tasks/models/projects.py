"""Projects, their members and invitations, as the API and the bus see them."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from deepiri_common.text import MultiLine, SingleLine

USER_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"
PROJECT_ID_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"
SERVICE = "tasks"

Role = Literal["owner", "admin", "member", "viewer"]
ROLES: tuple[Role, ...] = ("owner", "admin", "member", "viewer")
# Roles a member can be given by invitation or role change; "owner" moves only by transfer.
GrantableRole = Literal["admin", "member", "viewer"]


class ProjectCreate(BaseModel):
    """Body of ``POST /api/projects``."""

    model_config = ConfigDict(defer_build=True, extra="forbid", json_schema_extra={"examples": [{"name": "Launch"}]})

    name: SingleLine = Field(min_length=1, max_length=200)
    description: MultiLine | None = Field(default=None, max_length=5000)
    startDate: date | None = None


class ProjectPatch(BaseModel):
    """Body of ``PATCH /api/projects/{id}``; ``version`` is the one the client read (412 otherwise)."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    version: int = Field(ge=1, strict=True)
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    startDate: date | None = None


class Project(BaseModel):
    """A project; ``role`` is the caller's role in it."""

    model_config = ConfigDict(defer_build=True)

    id: str
    name: str
    description: str | None = None
    startDate: date | None = None
    ownerId: str
    archived: bool = False
    version: int
    createdAt: str
    updatedAt: str
    role: Role | None = None


class ProjectPage(BaseModel):
    model_config = ConfigDict(defer_build=True)

    items: list[Project]
    nextCursor: str | None = None


class Member(BaseModel):
    """One member of a project."""

    model_config = ConfigDict(defer_build=True)

    userId: str
    role: Role
    joinedAt: str


class MemberPage(BaseModel):
    model_config = ConfigDict(defer_build=True)

    items: list[Member]
    nextCursor: str | None = None


class InvitationCreate(BaseModel):
    """Body of ``POST /api/projects/{id}/invitations``."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    userId: str = Field(pattern=USER_ID_PATTERN)
    role: GrantableRole = "member"


class Invitation(BaseModel):
    """A pending invitation of ``userId`` into a project."""

    model_config = ConfigDict(defer_build=True)

    projectId: str
    projectName: str
    userId: str
    role: GrantableRole
    invitedBy: str
    invitedAt: str


class InvitationPage(BaseModel):
    model_config = ConfigDict(defer_build=True)

    items: list[Invitation]
    nextCursor: str | None = None


class RoleChange(BaseModel):
    """Body of ``PATCH /api/projects/{id}/members/{userId}``."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    role: GrantableRole


class Transfer(BaseModel):
    """Body of ``POST /api/projects/{id}/transfer``: the member who becomes the owner."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    userId: str = Field(pattern=USER_ID_PATTERN)


# ---- events (source deepiri.tasks) -----------------------------------------------------------------

class ProjectCreatedData(BaseModel):
    model_config = ConfigDict(defer_build=True)

    projectId: str
    name: str
    ownerId: str


class ProjectUpdatedData(BaseModel):
    model_config = ConfigDict(defer_build=True)

    projectId: str
    version: int
    changed: list[str]


class ProjectArchivedData(BaseModel):
    """ProjectArchived (``archived`` true) and ProjectUnarchived (false)."""

    model_config = ConfigDict(defer_build=True)

    projectId: str
    archived: bool


class ProjectDeletedData(BaseModel):
    model_config = ConfigDict(defer_build=True)

    projectId: str = Field(min_length=1)
    ownerId: str
    memberIds: list[str]


class MemberAddedData(BaseModel):
    model_config = ConfigDict(defer_build=True)

    projectId: str
    userId: str
    role: Role


MemberRemovalReason = Literal["removed", "left", "userDeleted"]


class MemberRemovedData(BaseModel):
    model_config = ConfigDict(defer_build=True)

    projectId: str
    userId: str
    reason: MemberRemovalReason


class MemberRoleChangedData(BaseModel):
    model_config = ConfigDict(defer_build=True)

    projectId: str
    userId: str
    oldRole: Role
    newRole: Role

"""Collaboration rooms: a shared state with a version, joined by a project's members or invited friends."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from deepiri_common.text import SingleLine

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]


class Room(BaseModel):
    roomId: str
    name: str
    ownerId: str
    projectId: str | None = None
    state: dict[str, Any] = Field(default_factory=dict)
    version: int = 1
    createdAt: str


class RoomCreate(BaseModel):
    """Body of ``POST /api/realtime/rooms``: a project's room (its members may join) or the caller's own
    room with invited friends."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[SingleLine, StringConstraints(min_length=1, max_length=100)]
    projectId: Id | None = None
    invite: list[Id] = Field(default_factory=list, max_length=50)


class RoomInvitation(BaseModel):
    """Body of ``POST /api/realtime/rooms/{roomId}/invitations``."""

    model_config = ConfigDict(extra="forbid")

    userId: Id

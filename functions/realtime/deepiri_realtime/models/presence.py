"""Presence: what a user tells others about their availability, and what they see of themselves."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from deepiri_realtime.models.connection import Connection

PresenceStatus = Literal["online", "away", "busy", "offline"]


class PresenceUpdate(BaseModel):
    """Body of ``PUT /api/realtime/presence``."""

    model_config = ConfigDict(extra="forbid")

    status: PresenceStatus
    message: str | None = Field(default=None, max_length=140)


class Presence(BaseModel):
    userId: str
    status: PresenceStatus
    message: str | None = None
    updatedAt: str | None = None


class PresenceState(BaseModel):
    """What the realtime table holds of a user: the presence they declared (None if never) and whether
    they are connected."""

    userId: str
    declared: Presence | None = None
    online: bool = False

    def shown(self) -> Presence:
        """The declared presence, or ``online`` for a user who never declared one."""
        return self.declared or Presence(userId=self.userId, status="online")

    def effective(self) -> Presence:
        """What others see: the declared status while connected, ``offline`` otherwise."""
        shown = self.shown()
        return shown if self.online else shown.model_copy(update={"status": "offline"})


class RealtimeMe(BaseModel):
    """The caller's own realtime state: their open connections and their presence."""

    userId: str
    presence: Presence
    connections: list[Connection]


UserIdList = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}(,[A-Za-z0-9_-]{1,64}){0,49}$")]


class PresenceQuery(BaseModel):
    """Query of ``GET /api/realtime/presence``: up to 50 comma-separated user ids."""

    model_config = ConfigDict(extra="forbid")

    userIds: UserIdList


class PresenceList(BaseModel):
    items: list[Presence]

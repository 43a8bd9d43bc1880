"""Presence: what a user tells others about their availability, and what they see of themselves."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

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


class RealtimeMe(BaseModel):
    """The caller's own realtime state: their open connections and their presence."""

    userId: str
    presence: Presence
    connections: list[Connection]

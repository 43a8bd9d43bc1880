"""Messages exchanged over the WebSocket: what clients send and the frames the server pushes.

A client message is JSON ``{"action": ..., ...}``; every server frame is
``{"type", "id", "ts", "channel", "data"}`` (plus ``requestId`` when it answers a message that had one).
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from deepiri_realtime.models.channels import ChannelName

FrameType = Literal[
    "pong", "subscribed", "unsubscribed", "notification", "xp.awarded", "level.up", "badge.earned",
    "streak.updated", "task.updated", "presence", "room.state", "collaborator.joined", "collaborator.left",
    "duel.update", "error",
]

RequestId = Annotated[str, Field(max_length=64)]
RoomId = Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
"""A room's or a duel's id as a client names it (what can follow ``room:`` or ``duel:`` in a channel name)."""


class _Message(BaseModel):
    model_config = ConfigDict(extra="forbid")

    requestId: RequestId | None = None


class Ping(_Message):
    action: Literal["ping"]


class Subscribe(_Message):
    action: Literal["subscribe"]
    channel: ChannelName


class Unsubscribe(_Message):
    action: Literal["unsubscribe"]
    channel: ChannelName


class PresenceSet(_Message):
    action: Literal["presence.set"]
    status: Literal["online", "away", "busy"]


class RoomJoin(_Message):
    action: Literal["room.join"]
    roomId: RoomId


class RoomLeave(_Message):
    action: Literal["room.leave"]
    roomId: RoomId


class RoomUpdate(_Message):
    action: Literal["room.update"]
    roomId: RoomId
    patch: dict[str, Any]
    version: int = Field(ge=1, strict=True)


class DuelProgress(_Message):
    """A participant's progress in a duel; the challenges service validates and applies it."""

    action: Literal["duel.progress"]
    duelId: RoomId
    progress: int = Field(ge=0, le=1_000_000, strict=True)


ClientMessage = Annotated[
    Ping | Subscribe | Unsubscribe | PresenceSet | RoomJoin | RoomLeave | RoomUpdate | DuelProgress,
    Field(discriminator="action"),
]


class Frame(BaseModel):
    """What the server sends: a pushed event (``id`` is the event id), a reply, or an error."""

    type: FrameType
    id: str
    ts: str
    channel: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)
    requestId: str | None = None

    def encode(self) -> bytes:
        """The frame as sent: ``requestId`` only when it answers a message that carried one."""
        return self.model_dump_json(exclude={"requestId"} if self.requestId is None else None).encode()

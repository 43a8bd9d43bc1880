"""Messages exchanged over the WebSocket: what clients send and what the server pushes."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class ClientMessage(BaseModel):
    """A frame sent by a client; ``action`` selects the route."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["ping"]
    requestId: str | None = Field(default=None, max_length=64)


class Pong(BaseModel):
    type: Literal["pong"] = "pong"
    requestId: str | None = None
    time: str


class ErrorFrame(BaseModel):
    type: Literal["error"] = "error"
    status: int
    detail: str


class EventFrame(BaseModel):
    """A domain event pushed to a recipient's connections."""

    type: Literal["event"] = "event"
    event: str
    id: str
    occurredAt: str
    data: dict[str, Any]

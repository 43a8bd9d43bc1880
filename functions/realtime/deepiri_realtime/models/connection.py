"""A live WebSocket connection and its subscriptions as the domain sees them."""

from __future__ import annotations

from pydantic import BaseModel


class Connection(BaseModel):
    connectionId: str
    userId: str
    connectedAt: str
    lastSeenAt: str | None = None


class Subscriber(BaseModel):
    """A connection subscribed to a channel, with the user it belongs to (checked again on every push)."""

    connectionId: str
    userId: str

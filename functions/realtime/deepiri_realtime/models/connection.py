"""A live WebSocket connection as the domain sees it."""

from __future__ import annotations

from pydantic import BaseModel


class Connection(BaseModel):
    connectionId: str
    userId: str
    connectedAt: str

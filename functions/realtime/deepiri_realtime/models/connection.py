"""A live WebSocket connection as the domain sees it."""

from __future__ import annotations

from pydantic import BaseModel


class Connection(BaseModel):
    connection_id: str
    user_id: str
    connected_at: str

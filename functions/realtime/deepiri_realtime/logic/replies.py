"""Frames the server sends in answer to a client: replies and errors, each with an id of its own."""

from __future__ import annotations

from typing import Any

from deepiri_common.clock import to_iso, utc_now
from deepiri_common.ids import new_ulid
from deepiri_realtime.models.messages import Frame, FrameType


def reply(kind: FrameType, data: dict[str, Any] | None = None, *, channel: str | None = None,
          request_id: str | None = None) -> Frame:
    """A frame answering a client."""
    return Frame(type=kind, id=new_ulid(), ts=to_iso(utc_now()), channel=channel, data=data or {},
                 requestId=request_id)


def error(status: int, detail: str, *, request_id: str | None = None, **extra: Any) -> Frame:
    """An error frame: ``data`` holds the HTTP-like ``status``, a ``detail`` and any ``extra`` fields."""
    return reply("error", {"status": status, "detail": detail, **extra}, request_id=request_id)

"""Reading a real WebSocket client's frames in the e2e tests: the next frame of a type, everything within
a while, or whether the server closed the connection."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection


def next_frame(socket: ClientConnection, kind: str, seconds: float = 30,
               where: Callable[[dict[str, Any]], bool] = lambda _: True) -> dict[str, Any]:
    """The next frame of type ``kind`` (matching ``where``), skipping others (this user's presence, say)."""
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        frame = json.loads(socket.recv(timeout=left))
        if frame["type"] == kind and where(frame):
            return frame
    raise AssertionError(f"no {kind} frame within {seconds}s")


def frames_within(socket: ClientConnection, seconds: float) -> list[dict[str, Any]]:
    """Every frame that arrives until none has for ``seconds``."""
    frames = []
    try:
        while True:
            frames.append(json.loads(socket.recv(timeout=seconds)))
    except TimeoutError:
        return frames


def closed_within(socket: ClientConnection, seconds: float) -> bool:
    """Whether the server closes the connection within ``seconds`` (frames meanwhile are skipped)."""
    deadline = time.monotonic() + seconds
    try:
        while time.monotonic() < deadline:
            socket.recv(timeout=max(0.1, deadline - time.monotonic()))
    except ConnectionClosed:
        return True
    except TimeoutError:
        return False
    return False

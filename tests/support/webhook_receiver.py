"""A webhook receiver on 127.0.0.1 for the integration and e2e suites: it keeps every delivery's raw body and
headers, and answers each path by its script.

The path names the behaviour: ``/ok/<name>`` answers 204; ``/flaky/<n>/<name>`` answers 503 to the first
``n`` deliveries on that path, then 204; ``/down/<name>`` always answers 500. ``<name>`` keeps tests apart.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    status: int
    at: float


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_POST(self) -> None:
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length)
        status = self.server.answer(self.path)
        self.server.record(Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body, status,
                                    time.time()))
        self.send_response(status)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


class _Server(ThreadingHTTPServer):
    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.received: list[Received] = []

    def answer(self, path: str) -> int:
        parts = path.strip("/").split("/")
        if parts[0] == "down":
            return 500
        if parts[0] == "flaky" and len(parts) > 1 and parts[1].isdigit():
            with self.lock:
                seen = sum(1 for r in self.received if r.path == path)
            return 503 if seen < int(parts[1]) else 204
        return 204

    def record(self, received: Received) -> None:
        with self.lock:
            self.received.append(received)


class WebhookReceiver:
    """The receiver, started on a free port of 127.0.0.1 in a daemon thread."""

    def __init__(self) -> None:
        self._server = _Server()
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def host(self) -> str:
        return "127.0.0.1"

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def received(self, path: str) -> list[Received]:
        with self._server.lock:
            return [r for r in self._server.received if r.path == path]

    def start(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

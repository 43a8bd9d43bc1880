"""Response models of the health routes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

Kind = Literal["table", "queue", "bus"]


class DependencyDown(Exception):
    """A dependency did not answer; the message says why (never a credential)."""


class Liveness(BaseModel):
    status: Literal["ok"] = "ok"
    service: str
    stage: str
    time: str


class DependencyCheck(BaseModel):
    name: str
    kind: Kind
    ok: bool
    detail: str | None = None


class Readiness(BaseModel):
    status: Literal["ready"] = "ready"
    checks: list[DependencyCheck]


class DeadLetterDepth(BaseModel):
    """How many messages wait in one dead-letter queue (``make dlq`` shows them, ``make redrive`` moves them)."""

    queue: str
    depth: int | None
    detail: str | None = None


class AdminReadiness(Readiness):
    """Readiness as an admin sees it: the dependency checks and every dead-letter queue's depth."""

    deadLetters: list[DeadLetterDepth]

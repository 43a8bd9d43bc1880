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
    """One dependency as an admin sees it: its name (a table name, a queue URL) and why it is down."""

    name: str
    kind: Kind
    ok: bool
    detail: str | None = None


class DependencyState(BaseModel):
    """One dependency as anyone sees it: what kind it is and whether it answers, never its name."""

    kind: Kind
    status: Literal["up", "down"]


class Readiness(BaseModel):
    """The open answer: up or down per dependency, nothing that names the infrastructure."""

    status: Literal["ready"] = "ready"
    dependencies: list[DependencyState]


class DeadLetterDepth(BaseModel):
    """How many messages wait in one dead-letter queue (``make dlq`` shows them, ``make redrive`` moves them)."""

    queue: str
    depth: int | None
    detail: str | None = None


class AdminReadiness(BaseModel):
    """Readiness as an admin sees it: each dependency by name and every dead-letter queue's depth."""

    status: Literal["ready"] = "ready"
    checks: list[DependencyCheck]
    deadLetters: list[DeadLetterDepth]

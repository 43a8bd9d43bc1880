"""Response models of the health routes."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel


class Liveness(BaseModel):
    status: Literal["ok"] = "ok"
    service: str
    stage: str
    time: str


class DependencyCheck(BaseModel):
    name: str
    kind: Literal["table", "queue", "bus"]
    ok: bool
    detail: str | None = None


class Readiness(BaseModel):
    status: Literal["ready"] = "ready"
    checks: list[DependencyCheck]

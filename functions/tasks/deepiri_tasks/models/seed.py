"""The payload of the invoke-only seeding function (``deepiri-<stage>-tasks-seed``) and its answer."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from deepiri_common.clock import Instant


class SeedStep(BaseModel):
    """One request of the tasks API, made as ``userId`` at the past instant ``at``."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    userId: str = Field(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$", description="the user the request is made as (a ULID)")
    at: Instant = Field(description="the instant the request is made at: not in the future, at most 400 days back")
    method: Literal["GET", "POST", "PATCH", "DELETE"]
    path: str = Field(pattern=r"^/api/(tasks|projects)(/[A-Za-z0-9_-]+)*$", max_length=200)
    body: dict[str, Any] | None = None


class SeedAnswer(BaseModel):
    """What the route answered: its status and its JSON body (a problem for a 4xx)."""

    model_config = ConfigDict(defer_build=True)

    statusCode: int
    body: Any = None

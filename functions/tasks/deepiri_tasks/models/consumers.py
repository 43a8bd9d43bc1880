"""The bus events the tasks service consumes: account lifecycle and blocks (its users directory), projects
and integrations."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field


class UserDeletedData(BaseModel):
    model_config = ConfigDict(defer_build=True)

    userId: str = Field(min_length=1)


class IntegrationItemImportedData(BaseModel):
    model_config = ConfigDict(defer_build=True)

    userId: str = Field(min_length=1)
    provider: Literal["github", "notion", "trello", "google"]
    externalRef: str = Field(min_length=1, max_length=500)
    title: str = Field(min_length=1, max_length=500)
    description: str | None = None
    dueAt: AwareDatetime | None = None
    status: str | None = None
    url: str | None = None
    tags: list[str] = Field(default_factory=list, max_length=20)


class ProjectDeletedRef(BaseModel):
    model_config = ConfigDict(defer_build=True)

    projectId: str = Field(min_length=1)


class UserRegisteredData(BaseModel):
    """``UserRegistered``: the user joins the tasks service's directory (only the id is kept). As loose as the
    producer's contract (a consumer never refuses what its producer may send)."""

    model_config = ConfigDict(defer_build=True)

    userId: str


class UserBlockedData(BaseModel):
    model_config = ConfigDict(defer_build=True)

    blockerId: str
    blockedId: str


class UserUnblockedData(BaseModel):
    model_config = ConfigDict(defer_build=True)

    blockerId: str
    blockedId: str

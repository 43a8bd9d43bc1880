"""The bus events the tasks service consumes for projects, integrations and account deletion."""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field


class UserDeletedData(BaseModel):
    userId: str = Field(min_length=1)


class IntegrationItemImportedData(BaseModel):
    userId: str = Field(min_length=1)
    provider: Literal["github", "notion", "trello"]
    externalRef: str = Field(min_length=1, max_length=500)
    title: str = Field(min_length=1, max_length=500)
    description: str | None = None
    dueAt: AwareDatetime | None = None
    status: str | None = None
    url: str | None = None


class ProjectDeletedRef(BaseModel):
    projectId: str = Field(min_length=1)

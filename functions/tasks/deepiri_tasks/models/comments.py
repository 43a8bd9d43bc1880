"""Task comments as the API and the bus see them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from deepiri_common.text import MultiLine

MAX_COMMENT_LENGTH = 5000
COMMENT_ID_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"


class CommentWrite(BaseModel):
    """Body of ``POST /api/tasks/{id}/comments`` and ``PATCH .../comments/{commentId}``."""

    model_config = ConfigDict(defer_build=True, extra="forbid")

    body: MultiLine = Field(min_length=1, max_length=MAX_COMMENT_LENGTH)


class Comment(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str
    taskId: str
    authorId: str
    body: str
    mentionedUserIds: list[str]
    createdAt: str
    updatedAt: str


class CommentPage(BaseModel):
    model_config = ConfigDict(defer_build=True)

    items: list[Comment]
    nextCursor: str | None = None


class TaskCommentedData(BaseModel):
    """``TaskCommented``: ``userId`` is the task's owner; ``mentionedUserIds`` only counts people who
    can see the task (project members, or the owner and assignees of a personal task)."""

    model_config = ConfigDict(defer_build=True)

    taskId: str
    commentId: str
    authorId: str
    mentionedUserIds: list[str]
    projectId: str | None
    userId: str

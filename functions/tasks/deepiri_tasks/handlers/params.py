"""The path parameters of the tasks routes, each checked against its id pattern, and their OAuth scopes."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Path

from deepiri_tasks.models.attachments import ATTACHMENT_ID_PATTERN
from deepiri_tasks.models.comments import COMMENT_ID_PATTERN
from deepiri_tasks.models.graph import TASK_ID_PATTERN
from deepiri_tasks.models.projects import PROJECT_ID_PATTERN, USER_ID_PATTERN

TaskId = Annotated[str, Path(pattern=TASK_ID_PATTERN)]
AttachmentId = Annotated[str, Path(pattern=ATTACHMENT_ID_PATTERN)]
CommentId = Annotated[str, Path(pattern=COMMENT_ID_PATTERN)]
ProjectId = Annotated[str, Path(pattern=PROJECT_ID_PATTERN)]
UserId = Annotated[str, Path(pattern=USER_ID_PATTERN)]

# What a third-party (OAuth) token needs on the tasks routes.
READ, WRITE = "tasks:read", "tasks:write"

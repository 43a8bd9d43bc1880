"""Task comment routes:

    POST   /api/tasks/{id}/comments               {body} → 201 (TaskCommented)
    GET    /api/tasks/{id}/comments?limit&cursor  oldest first
    PATCH  /api/tasks/{id}/comments/{commentId}   {body}, author only
    DELETE /api/tasks/{id}/comments/{commentId}   author only → 204
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from deepiri_common.api import api_handler, create_resolver
from deepiri_common.clock import utc_now
from deepiri_common.identity import caller_id
from deepiri_common.params import Cursor
from deepiri_common.routes import Routes
from deepiri_tasks import wiring
from deepiri_tasks.handlers.params import READ, WRITE, CommentId, TaskId
from deepiri_tasks.logic import comments
from deepiri_tasks.models.comments import Comment, CommentPage, CommentWrite

app = create_resolver()
routes = Routes(app)


@routes.post("/api/tasks/<id>/comments", scope=WRITE, status=201)
def add_comment(id: TaskId, body: CommentWrite) -> Response[Comment]:
    """Comment on a task; @mentions of members emit TaskCommented."""
    comment = comments.add_comment(wiring.task_facts(), wiring.project_repository(), wiring.comment_repository(),
                                   user_id=caller_id(app), task_id=id, body=body, now=utc_now())
    return Response(status_code=HTTPStatus.CREATED.value, content_type="application/json", body=comment)


@routes.get("/api/tasks/<id>/comments", scope=READ)
def list_comments(id: TaskId, limit: Annotated[int, Query(ge=1, le=100)] = 20,
                  cursor: Cursor = None) -> CommentPage:
    """The task's comments, oldest first, paginated."""
    return comments.list_comments(wiring.task_facts(), wiring.project_repository(), wiring.comment_repository(),
                                  user_id=caller_id(app), task_id=id, limit=limit, cursor=cursor)


@routes.patch("/api/tasks/<id>/comments/<commentId>", scope=WRITE)
def edit_comment(id: TaskId, commentId: CommentId, body: CommentWrite) -> Comment:
    """Edit your own comment."""
    return comments.edit_comment(wiring.task_facts(), wiring.project_repository(), wiring.comment_repository(),
                                 user_id=caller_id(app), task_id=id, comment_id=commentId, body=body, now=utc_now())


@routes.delete("/api/tasks/<id>/comments/<commentId>", scope=WRITE)
def delete_comment(id: TaskId, commentId: CommentId) -> Response[None]:
    """Delete your own comment (project admins may delete any)."""
    comments.delete_comment(wiring.task_facts(), wiring.project_repository(), wiring.comment_repository(),
                            user_id=caller_id(app), task_id=id, comment_id=commentId)
    return Response(status_code=HTTPStatus.NO_CONTENT.value)


handler = api_handler(app)

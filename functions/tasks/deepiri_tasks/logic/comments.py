"""Comments on a task.

- Anyone who can see the task reads its comments, oldest first, a page at a time; its owner,
  assignees and project members from member up may comment (see ``tasks_access.can_collaborate``).
- Only the author edits or deletes a comment (403 for anyone else who can see it; 404 for the rest).
- ``@<userId>`` tokens mention people; a mention counts only for someone who can see the task (project
  members, or the owner and assignees of a personal task) and never for the author.
- Every new comment publishes ``TaskCommented`` through the outbox, in the comment's transaction;
  an edit publishes nothing.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Protocol

from deepiri_common.clock import to_iso
from deepiri_common.events import DomainEvent
from deepiri_common.ids import new_ulid
from deepiri_common.problems import Forbidden, NotFound
from deepiri_tasks.logic.access import ProjectAccess
from deepiri_tasks.logic.graph import TaskLookup
from deepiri_tasks.logic.tasks_access import find_visible, find_writable, is_visible
from deepiri_tasks.models.comments import Comment, CommentPage, CommentWrite, TaskCommentedData
from deepiri_tasks.models.graph import TaskFacts

SERVICE = "tasks"
# "@alice" counts, "bob@example.com" does not: the @ must start a word.
_MENTION = re.compile(r"(?<![\w@.])@([A-Za-z0-9_-]{1,64})(?![\w-])")


class CommentStore(Protocol):
    def get(self, task_id: str, comment_id: str) -> Comment | None: ...
    def page(self, task_id: str, limit: int, cursor: str | None) -> CommentPage: ...
    def add(self, comment: Comment, event: DomainEvent) -> None: ...
    def update(self, comment: Comment) -> bool: ...
    def delete(self, task_id: str, comment_id: str, author_id: str) -> bool: ...


def parse_mentions(body: str) -> list[str]:
    """The user ids ``@``-mentioned in ``body``, each once, in order of first appearance."""
    return list(dict.fromkeys(_MENTION.findall(body)))


def eligible_mentions(projects: ProjectAccess, task: TaskFacts, author_id: str, candidates: list[str]) -> list[str]:
    """The mentioned ids that can see the task, without the author."""
    return [user_id for user_id in candidates if user_id != author_id and is_visible(projects, task, user_id)]


def add_comment(tasks: TaskLookup, projects: ProjectAccess, store: CommentStore, *, user_id: str, task_id: str,
                body: CommentWrite, now: datetime) -> Comment:
    task = find_writable(tasks.facts, projects, task_id, user_id, collaborate=True)
    mentioned = eligible_mentions(projects, task, user_id, parse_mentions(body.body))
    at = to_iso(now)
    comment = Comment(id=new_ulid(int(now.timestamp() * 1000)), taskId=task_id, authorId=user_id, body=body.body,
                      mentionedUserIds=mentioned, createdAt=at, updatedAt=at)
    data = TaskCommentedData(taskId=task_id, commentId=comment.id, authorId=user_id, mentionedUserIds=mentioned,
                             projectId=task.projectId, userId=task.ownerId)
    store.add(comment, DomainEvent.new(SERVICE, "TaskCommented", data, actor=user_id))
    return comment


def _own_comment(tasks: TaskLookup, projects: ProjectAccess, store: CommentStore, *, user_id: str, task_id: str,
                 comment_id: str) -> Comment:
    find_visible(tasks.facts, projects, task_id, user_id)
    comment = store.get(task_id, comment_id)
    if comment is None:
        raise NotFound(f"comment {comment_id} not found")
    if comment.authorId != user_id:
        raise Forbidden("only the author may change a comment")
    return comment


def edit_comment(tasks: TaskLookup, projects: ProjectAccess, store: CommentStore, *, user_id: str, task_id: str,
                 comment_id: str, body: CommentWrite, now: datetime) -> Comment:
    comment = _own_comment(tasks, projects, store, user_id=user_id, task_id=task_id, comment_id=comment_id)
    task = find_visible(tasks.facts, projects, task_id, user_id)
    mentioned = eligible_mentions(projects, task, user_id, parse_mentions(body.body))
    edited = comment.model_copy(update={"body": body.body, "mentionedUserIds": mentioned, "updatedAt": to_iso(now)})
    if not store.update(edited):
        raise NotFound(f"comment {comment_id} not found")
    return edited


def delete_comment(tasks: TaskLookup, projects: ProjectAccess, store: CommentStore, *, user_id: str, task_id: str,
                   comment_id: str) -> None:
    _own_comment(tasks, projects, store, user_id=user_id, task_id=task_id, comment_id=comment_id)
    if not store.delete(task_id, comment_id, user_id):
        raise NotFound(f"comment {comment_id} not found")


def list_comments(tasks: TaskLookup, projects: ProjectAccess, store: CommentStore, *, user_id: str, task_id: str,
                  limit: int, cursor: str | None) -> CommentPage:
    find_visible(tasks.facts, projects, task_id, user_id)
    return store.page(task_id, limit, cursor)

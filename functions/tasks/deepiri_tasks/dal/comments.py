"""Task comments in the tasks table: ``TASK#<taskId> / COMMENT#<commentId ULID>`` (so a Query lists
them oldest first). A new comment and its ``TaskCommented`` outbox item are one transaction; edits
and deletes are conditional on the author."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from deepiri_common.events import DomainEvent
from deepiri_common.outbox import outbox_put
from deepiri_common.pagination import decode_cursor, encode_cursor
from deepiri_common.problems import BadRequest
from deepiri_tasks.dal.graph import plain, task_key, transact
from deepiri_tasks.models.comments import Comment, CommentPage

PREFIX = "COMMENT#"


class CommentRepository:
    def __init__(self, table_name: str, client: Any) -> None:
        self._table, self._client = table_name, client

    def get(self, task_id: str, comment_id: str) -> Comment | None:
        item = self._client.get_item(TableName=self._table, Key=task_key(task_id, PREFIX + comment_id),
                                     ConsistentRead=True).get("Item")
        return None if item is None else _comment(plain(item))

    def page(self, task_id: str, limit: int, cursor: str | None) -> CommentPage:
        args: dict[str, Any] = {
            "TableName": self._table, "Limit": limit, "ScanIndexForward": True,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": f"TASK#{task_id}"}, ":prefix": {"S": PREFIX}},
        }
        if cursor:
            start = decode_cursor(cursor)
            # A cursor only moves within this task's comments.
            if start.get("pk") != {"S": f"TASK#{task_id}"} or not str(start.get("sk", {}).get("S", "")).startswith(
                    PREFIX) or set(start) != {"pk", "sk"}:
                raise BadRequest("invalid cursor")
            args["ExclusiveStartKey"] = start
        response = self._client.query(**args)
        last = response.get("LastEvaluatedKey")
        return CommentPage(items=[_comment(plain(i)) for i in response.get("Items", [])],
                           nextCursor=encode_cursor(last) if last else None)

    def add(self, comment: Comment, event: DomainEvent) -> None:
        transact(self._client, [
            {"Put": {"TableName": self._table, "Item": _item(comment),
                     "ConditionExpression": "attribute_not_exists(pk)"}},
            outbox_put(self._table, event),
        ])

    def update(self, comment: Comment) -> bool:
        try:
            self._client.put_item(TableName=self._table, Item=_item(comment),
                                  ConditionExpression="authorId = :author",
                                  ExpressionAttributeValues={":author": {"S": comment.authorId}})
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def delete(self, task_id: str, comment_id: str, author_id: str) -> bool:
        try:
            self._client.delete_item(TableName=self._table, Key=task_key(task_id, PREFIX + comment_id),
                                     ConditionExpression="authorId = :author",
                                     ExpressionAttributeValues={":author": {"S": author_id}})
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True


def _item(comment: Comment) -> dict[str, Any]:
    return {
        **task_key(comment.taskId, PREFIX + comment.id),
        "kind": {"S": "comment"},
        "commentId": {"S": comment.id},
        "taskId": {"S": comment.taskId},
        "authorId": {"S": comment.authorId},
        "body": {"S": comment.body},
        "mentionedUserIds": {"L": [{"S": u} for u in comment.mentionedUserIds]},
        "createdAt": {"S": comment.createdAt},
        "updatedAt": {"S": comment.updatedAt},
    }


def _comment(item: dict[str, Any]) -> Comment:
    return Comment(id=item["commentId"], taskId=item["taskId"], authorId=item["authorId"], body=item["body"],
                   mentionedUserIds=list(item.get("mentionedUserIds") or []), createdAt=item["createdAt"],
                   updatedAt=item["updatedAt"])

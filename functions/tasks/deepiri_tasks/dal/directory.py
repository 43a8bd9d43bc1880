"""The tasks service's directory of users, in the tasks table, fed by the users service's events: the
tasks service never reads the users table, yet knows who exists and who blocked whom.

    DIRECTORY#<userId> / USER                  the user exists (``state = active``) or was deleted
                                               (``state = deleted``, kept so a late UserRegistered
                                               cannot bring them back)
    DIRECTORY#<blockerId> / BLOCK#<blockedId>  whether the blocker blocks the other (``blocking``), as of
                                               the event ordered ``at``

Events arrive at least once and in any order: a deletion is final, and a block item changes only for an
event later than the one it records (``at`` orders events by time, then id).
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

USER_SK = "USER"
BLOCK_PREFIX = "BLOCK#"


class UserDirectory:
    """``client`` is a boto3 DynamoDB client."""

    def __init__(self, table_name: str, client: Any) -> None:
        self._table, self._client = table_name, client

    def register(self, user_id: str) -> bool:
        """Record that the user exists; False when the user is known already (or was deleted)."""
        return self._put({**_key(user_id, USER_SK), "state": {"S": "active"}}, "attribute_not_exists(pk)", {})

    def forget(self, user_id: str) -> None:
        """Record that the user was deleted, for good."""
        self._client.put_item(TableName=self._table, Item={**_key(user_id, USER_SK), "state": {"S": "deleted"}})

    def set_block(self, blocker: str, blocked: str, *, blocking: bool, at: str) -> bool:
        """Record whether ``blocker`` blocks ``blocked`` as of ``at``; False when a later event is recorded."""
        item = {**_key(blocker, f"{BLOCK_PREFIX}{blocked}"), "blocking": {"BOOL": blocking}, "at": {"S": at}}
        return self._put(item, "attribute_not_exists(pk) OR #at < :at", {":at": {"S": at}}, {"#at": "at"})

    def exists(self, user_id: str) -> bool:
        item = self._get(_key(user_id, USER_SK))
        return item is not None and item.get("state", {}).get("S") == "active"

    def blocks(self, blocker: str, blocked: str) -> bool:
        item = self._get(_key(blocker, f"{BLOCK_PREFIX}{blocked}"))
        return item is not None and bool(item.get("blocking", {}).get("BOOL"))

    def _get(self, key: dict[str, Any]) -> dict[str, Any] | None:
        item: dict[str, Any] | None = self._client.get_item(TableName=self._table, Key=key,
                                                            ConsistentRead=True).get("Item")
        return item

    def _put(self, item: dict[str, Any], condition: str, values: dict[str, Any],
             names: dict[str, str] | None = None) -> bool:
        args: dict[str, Any] = {"TableName": self._table, "Item": item, "ConditionExpression": condition}
        if values:
            args["ExpressionAttributeValues"] = values
        if names:
            args["ExpressionAttributeNames"] = names
        try:
            self._client.put_item(**args)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True


def _key(user_id: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": f"DIRECTORY#{user_id}"}, "sk": {"S": sk}}

"""Reads the social graph the social part of the service owns: ``USER#<a> / FRIEND#<b>`` means a and b
are friends (the agreed key shape). Accounts only ever ask yes or no."""

from __future__ import annotations

from typing import Any

from deepiri_users.dal.items import key, user_pk


class DynamoFriendshipReader:
    """``FriendshipReader`` on the users table."""

    def __init__(self, table_name: str, client: Any) -> None:
        self._table, self._client = table_name, client

    def are_friends(self, user_id: str, other_id: str) -> bool:
        response = self._client.get_item(
            TableName=self._table, Key=key(user_pk(user_id), f"FRIEND#{other_id}"), ProjectionExpression="pk"
        )
        return "Item" in response

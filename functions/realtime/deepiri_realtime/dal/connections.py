"""The connections repository: connections, their channel subscriptions and their message counters.

A connection (``CONN#<id>`` / ``CONN``) is written with its subscription to its own ``user:<id>``
channel in one transaction. Every item of a connection expires by TTL (``expiresAt``, 2 hours: API
Gateway's longest connection), so a connection whose $disconnect never arrived does not linger.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from deepiri_common.clock import epoch_seconds, to_iso, utc_now
from deepiri_common.problems import Conflict
from deepiri_realtime.dal.table import Table, conditions_as_conflicts, encode, key
from deepiri_realtime.models.channels import user_channel
from deepiri_realtime.models.connection import Connection, Subscriber


def _connection(item: dict[str, Any]) -> Connection:
    return Connection(connectionId=item["pk"].removeprefix("CONN#"), userId=item["userId"],
                      connectedAt=item["connectedAt"], lastSeenAt=item.get("lastSeenAt"))


class ConnectionRepository:
    """Stores, lists and forgets WebSocket connections and what they subscribe to."""

    def __init__(self, table: Table, ttl: timedelta) -> None:
        self._table, self._ttl = table, ttl

    def add(self, connection_id: str, user_id: str) -> Connection:
        now = utc_now()
        expires = epoch_seconds(now + self._ttl)
        connection = {"pk": f"CONN#{connection_id}", "sk": "CONN", "gsi1pk": f"USER#{user_id}",
                      "gsi1sk": f"CONN#{connection_id}", "userId": user_id, "connectedAt": to_iso(now),
                      "lastSeenAt": to_iso(now), "expiresAt": expires}
        self._table.transact([
            {"Put": {"TableName": self._table.name, "Item": encode(connection)}},
            {"Put": {"TableName": self._table.name, "Item": encode(self._subscription(
                connection_id, user_id, user_channel(user_id), expires))}},
        ])
        return _connection(connection)

    def get(self, connection_id: str) -> Connection | None:
        item = self._table.get(f"CONN#{connection_id}", "CONN")
        return _connection(item) if item else None

    def remove(self, connection_id: str) -> list[str]:
        """Forget the connection and everything it holds; returns the channels it was subscribed to."""
        items = list(self._table.query(f"CONN#{connection_id}"))
        self._table.delete_many([(item["pk"], item["sk"]) for item in items])
        return [item["sk"].removeprefix("SUB#") for item in items if item["sk"].startswith("SUB#")]

    def for_user(self, user_id: str) -> list[Connection]:
        return [_connection(item) for item in self._table.query(f"USER#{user_id}", "CONN#", index="gsi1")]

    def heartbeat(self, connection_id: str) -> None:
        """Record that the connection is alive now (a ping or any presence message)."""
        try:
            with conditions_as_conflicts():
                self._table.client.update_item(
                    TableName=self._table.name, Key=key(f"CONN#{connection_id}", "CONN"),
                    UpdateExpression="SET lastSeenAt = :now", ConditionExpression="attribute_exists(pk)",
                    ExpressionAttributeValues=encode({":now": to_iso(utc_now())}),
                )
        except Conflict:
            return  # the connection is gone: nothing to keep alive

    def subscribe(self, connection_id: str, user_id: str, channel: str) -> None:
        expires = epoch_seconds(utc_now() + self._ttl)
        self._table.put(self._subscription(connection_id, user_id, channel, expires))

    def unsubscribe(self, connection_id: str, channel: str) -> None:
        self._table.delete(f"CONN#{connection_id}", f"SUB#{channel}")

    def subscriptions(self, connection_id: str) -> list[str]:
        return [item["sk"].removeprefix("SUB#") for item in self._table.query(f"CONN#{connection_id}", "SUB#")]

    def subscribers(self, channel: str) -> list[Subscriber]:
        return [Subscriber(connectionId=item["pk"].removeprefix("CONN#"), userId=item["userId"])
                for item in self._table.query(f"CHAN#{channel}", index="gsi1")]

    def count_message(self, connection_id: str, limit: int) -> bool:
        """Count one message in the connection's current minute; False once ``limit`` were already counted.

        A conditional ADD, so concurrent messages of one connection never both slip under the limit.
        """
        now = utc_now()
        try:
            with conditions_as_conflicts():
                self._table.client.update_item(
                    TableName=self._table.name, Key=key(f"CONN#{connection_id}", f"RATE#{now:%Y%m%d%H%M}"),
                    UpdateExpression="ADD #messages :one SET expiresAt = :expires",
                    ConditionExpression="attribute_not_exists(#messages) OR #messages < :limit",
                    ExpressionAttributeNames={"#messages": "messages"},
                    ExpressionAttributeValues=encode(
                        {":one": 1, ":limit": limit, ":expires": epoch_seconds(now + timedelta(minutes=5))}),
                )
        except Conflict:
            return False
        return True

    def _subscription(self, connection_id: str, user_id: str, channel: str, expires: int) -> dict[str, Any]:
        return {"pk": f"CONN#{connection_id}", "sk": f"SUB#{channel}", "gsi1pk": f"CHAN#{channel}",
                "gsi1sk": f"CONN#{connection_id}", "userId": user_id, "expiresAt": expires}

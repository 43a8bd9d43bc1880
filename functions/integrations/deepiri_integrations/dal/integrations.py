"""The integrations table. A user's partition (``pk = USER#<id>``) holds

- ``sk = CONN#<provider>``: the connection as a JSON ``doc`` (its tokens sealed by KMS, never in clear)
  with ``version`` (every change is conditioned on it) and ``syncKey = CONN#<provider>`` (index
  ``connections``: the scheduled sync reads each provider's connections by Query, never a scan);
- ``sk = ITEM#<provider>#<externalRef>``: an imported item with the provider's ``updatedAt`` (an import
  is published only when it is newer: nothing twice) and its state at the provider (``open``/``closed``).

Elsewhere: ``ACCOUNT#<provider>#<login>`` (which user a webhook's assignee is), ``STATE#<nonce>`` (an
authorization in flight, deleted when used, expiring by TTL), ``DELIVERY#<provider>#<id>`` (a webhook
delivery already handled, for a week), ``BREAKER#<provider>`` (the provider's circuit breaker). Outbox
items are written in the same transaction as the change they announce.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from botocore.exceptions import ClientError

from deepiri_common.clock import epoch_seconds, parse_iso, to_iso
from deepiri_common.events import DomainEvent
from deepiri_common.outbox import outbox_put
from deepiri_common.pagination import query_all, query_items
from deepiri_common.problems import Conflict
from deepiri_common.transactions import CONDITION_FAILED, batch_delete, write_transaction
from deepiri_integrations.models.connections import ImportedItem, PendingAuthorization, StoredConnection

CONNECTIONS = "connections"
DELIVERY_MEMORY = timedelta(days=7)


class VersionConflict(Conflict):
    """The connection changed since it was read (409: the caller may retry)."""


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _conn_key(user_id: str, provider: str) -> dict[str, Any]:
    return {"pk": _s(f"USER#{user_id}"), "sk": _s(f"CONN#{provider}")}


def _item_key(user_id: str, provider: str, ref: str) -> dict[str, Any]:
    return {"pk": _s(f"USER#{user_id}"), "sk": _s(f"ITEM#{provider}#{ref}")}


def _account_key(provider: str, login: str) -> dict[str, Any]:
    return {"pk": _s(f"ACCOUNT#{provider}#{login.lower()}"), "sk": _s("ACCOUNT")}


class IntegrationsRepository:
    def __init__(self, table: str, client: Any) -> None:
        self._table = table
        self._client = client

    # ---------------------------------------------------------------- authorizations in flight
    def save_state(self, pending: PendingAuthorization) -> None:
        self._client.put_item(TableName=self._table, Item={
            "pk": _s(f"STATE#{pending.nonce}"), "sk": _s("STATE"), "doc": _s(pending.model_dump_json()),
            "expiresAt": {"N": str(epoch_seconds(pending.expiresAt))}})

    def take_state(self, nonce: str) -> PendingAuthorization | None:
        """The authorization of ``nonce``, deleted as it is read (a state is used once); None if none."""
        try:
            old = self._client.delete_item(TableName=self._table, Key={"pk": _s(f"STATE#{nonce}"), "sk": _s("STATE")},
                                           ConditionExpression="attribute_exists(pk)", ReturnValues="ALL_OLD")
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return None
            raise
        return PendingAuthorization.model_validate_json(old["Attributes"]["doc"]["S"])

    # ---------------------------------------------------------------- connections
    def connect(self, connection: StoredConnection, event: DomainEvent) -> None:
        """Store a new (or renewed) connection, who its provider account is, and IntegrationConnected."""
        self._transact([
            {"Put": {"TableName": self._table, "Item": self._connection_item(connection)}},
            {"Put": {"TableName": self._table, "Item": {**_account_key(connection.provider, connection.account),
                                                          "userId": _s(connection.userId)}}},
            outbox_put(self._table, event),
        ])

    def connection(self, user_id: str, provider: str) -> StoredConnection | None:
        item = self._client.get_item(TableName=self._table, Key=_conn_key(user_id, provider),
                                     ConsistentRead=True).get("Item")
        return StoredConnection.model_validate_json(item["doc"]["S"]) if item else None

    def connections(self, user_id: str) -> list[StoredConnection]:
        items = query_all(self._client, TableName=self._table,
                          KeyConditionExpression="pk = :pk AND begins_with(sk, :c)",
                          ExpressionAttributeValues={":pk": _s(f"USER#{user_id}"), ":c": _s("CONN#")})
        return [StoredConnection.model_validate_json(item["doc"]["S"]) for item in items]

    def connected_users(self, provider: str) -> Iterator[str]:
        """The ids of every user connected to ``provider`` (index ``connections``), page by page."""
        args: dict[str, Any] = {"TableName": self._table, "IndexName": CONNECTIONS,
                                "KeyConditionExpression": "syncKey = :k",
                                "ExpressionAttributeValues": {":k": _s(f"CONN#{provider}")}}
        for item in query_items(self._client, **args):
            yield item["pk"]["S"].removeprefix("USER#")

    def save(self, connection: StoredConnection, events: list[DomainEvent] | None = None) -> StoredConnection:
        """Write ``connection`` if it is still at the version it was read at; returns it one version on."""
        saved = connection.model_copy(update={"version": connection.version + 1})
        put = {"Put": {"TableName": self._table, "Item": self._connection_item(saved),
                       "ConditionExpression": "version = :seen",
                       "ExpressionAttributeValues": {":seen": {"N": str(connection.version)}}}}
        self._transact([put, *(outbox_put(self._table, event) for event in events or [])])
        return saved

    def account_user(self, provider: str, login: str) -> str | None:
        item = self._client.get_item(TableName=self._table, Key=_account_key(provider, login)).get("Item")
        return item["userId"]["S"] if item else None

    def forget(self, connection: StoredConnection) -> None:
        """Delete the connection, its account link and every imported item's record."""
        items = query_all(self._client, TableName=self._table, ProjectionExpression="pk, sk",
                          KeyConditionExpression="pk = :pk AND begins_with(sk, :i)",
                          ExpressionAttributeValues={":pk": _s(f"USER#{connection.userId}"),
                                                     ":i": _s(f"ITEM#{connection.provider}#")})
        keys = [_conn_key(connection.userId, connection.provider), *[{"pk": i["pk"], "sk": i["sk"]} for i in items]]
        if self.account_user(connection.provider, connection.account) == connection.userId:
            keys.append(_account_key(connection.provider, connection.account))
        batch_delete(self._client, self._table, keys)

    def _connection_item(self, connection: StoredConnection) -> dict[str, Any]:
        return {**_conn_key(connection.userId, connection.provider), "doc": _s(connection.model_dump_json()),
                "version": {"N": str(connection.version)}, "syncKey": _s(f"CONN#{connection.provider}")}

    # ---------------------------------------------------------------- imported items
    def record_import(self, user_id: str, provider: str, item: ImportedItem, event: DomainEvent) -> bool:
        """Remember ``item`` and publish its import, only if it is new or newer at the provider than the
        last one recorded (last writer by the provider's timestamp); False when it is not."""
        record = {**_item_key(user_id, provider, item.externalRef), "updatedAt": _s(to_iso(item.updatedAt)),
                  "state": _s("closed" if item.status == "done" else "open"), "repository": _s(item.repository)}
        put = {"Put": {"TableName": self._table, "Item": record,
                       "ConditionExpression": "attribute_not_exists(pk) OR updatedAt < :new",
                       "ExpressionAttributeValues": {":new": _s(to_iso(item.updatedAt))}}}
        reasons = write_transaction(self._client, [put, outbox_put(self._table, event)])
        if reasons is None:
            return True
        if reasons[0] == CONDITION_FAILED:
            return False
        raise VersionConflict("the import raced another; retry")

    def item_state(self, user_id: str, provider: str, ref: str) -> str | None:
        """``open`` or ``closed`` at the provider as last seen, or None for an item never imported."""
        item = self._client.get_item(TableName=self._table, Key=_item_key(user_id, provider, ref),
                                     ConsistentRead=True).get("Item")
        return item["state"]["S"] if item else None

    def item_record(self, user_id: str, provider: str, ref: str) -> tuple[str, datetime | None] | None:
        """The item's state at the provider and the provider's timestamp of its last recorded change."""
        item = self._client.get_item(TableName=self._table, Key=_item_key(user_id, provider, ref),
                                     ConsistentRead=True).get("Item")
        if not item:
            return None
        updated = item.get("updatedAt", {}).get("S")
        return item["state"]["S"], parse_iso(updated) if updated else None

    def mark_closed(self, user_id: str, provider: str, ref: str) -> None:
        self._client.update_item(TableName=self._table, Key=_item_key(user_id, provider, ref),
                                 UpdateExpression="SET #s = :closed", ConditionExpression="attribute_exists(pk)",
                                 ExpressionAttributeNames={"#s": "state"},
                                 ExpressionAttributeValues={":closed": _s("closed")})

    # ---------------------------------------------------------------- webhook deliveries
    def delivery_seen(self, provider: str, delivery_id: str) -> bool:
        key = {"pk": _s(f"DELIVERY#{provider}#{delivery_id}"), "sk": _s("DELIVERY")}
        return "Item" in self._client.get_item(TableName=self._table, ConsistentRead=True, Key=key)

    def remember_delivery(self, provider: str, delivery_id: str, now: datetime) -> None:
        self._client.put_item(TableName=self._table, Item={
            "pk": _s(f"DELIVERY#{provider}#{delivery_id}"), "sk": _s("DELIVERY"),
            "expiresAt": {"N": str(epoch_seconds(now + DELIVERY_MEMORY))}})

    # ---------------------------------------------------------------- circuit breaker
    def breaker(self, provider: str) -> tuple[int, datetime | None]:
        """Consecutive failures and the instant the breaker is open until (None: closed)."""
        item = self._client.get_item(TableName=self._table, ConsistentRead=True,
                                     Key={"pk": _s(f"BREAKER#{provider}"), "sk": _s("BREAKER")}).get("Item")
        if not item:
            return 0, None
        until = item.get("openUntil", {}).get("S")
        return int(item["failures"]["N"]), parse_iso(until) if until else None

    def save_breaker(self, provider: str, failures: int, open_until: datetime | None) -> None:
        item: dict[str, Any] = {"pk": _s(f"BREAKER#{provider}"), "sk": _s("BREAKER"),
                                "failures": {"N": str(failures)}}
        if open_until is not None:
            item["openUntil"] = _s(to_iso(open_until))
        self._client.put_item(TableName=self._table, Item=item)

    def _transact(self, items: list[dict[str, Any]]) -> None:
        if write_transaction(self._client, items) is not None:
            raise VersionConflict("the connection changed meanwhile; retry")

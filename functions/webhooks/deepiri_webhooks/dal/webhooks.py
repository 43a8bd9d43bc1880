"""The webhooks table.

- ``pk = USER#<userId>``, ``sk = SUB#<subscriptionId>``: a subscription (its secret sealed, never in clear);
- ``pk = SUB#<subscriptionId>``, ``sk = DLV#<deliveryId>`` (a ULID: key order is time order): a delivery,
  its body and every attempt; a dead one carries ``deadPk = SUB#<subscriptionId>``, the key of the sparse
  ``dead`` index that lists a subscription's dead letters;
- ``pk = SUB#<subscriptionId>``, ``sk = EVENT#<eventId>``: the marker that makes one delivery per
  (subscription, event), written in the delivery's transaction under ``attribute_not_exists``.

Deliveries and markers expire by TTL (``expiresAt``) 30 days after they are made.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any, TypeVar

from pydantic import BaseModel

from deepiri_common.attributes import TypeDeserializer, TypeSerializer
from deepiri_common.clock import epoch_seconds, parse_iso
from deepiri_common.pagination import Page, decode_cursor, encode_cursor, query_all
from deepiri_common.problems import BadRequest
from deepiri_common.transactions import CONDITION_FAILED, batch_delete, write_transaction
from deepiri_webhooks.models.subscriptions import (
    DeliveryStatus,
    StoredWebhookDelivery,
    StoredWebhookSubscription,
    WebhookAttempt,
)

_serializer, _deserializer = TypeSerializer(), TypeDeserializer()
RETENTION = timedelta(days=30)
DEAD_INDEX = "dead"
M = TypeVar("M", bound=BaseModel)


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _typed(values: dict[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in values.items() if value is not None}


def _model(model: type[M], item: dict[str, Any]) -> M:
    values = {name: _deserializer.deserialize(value) for name, value in item.items()}
    return model.model_validate({name: values.get(name) for name in model.model_fields if name in values})


def _start_key(cursor: str | None, expected: dict[str, str]) -> dict[str, Any] | None:
    """The ExclusiveStartKey of ``cursor``, which must hold exactly the ``expected`` key names, each a string
    starting with the expected prefix (so a cursor moves only within the caller's own partition)."""
    if cursor is None:
        return None
    start = decode_cursor(cursor)
    if set(start) != set(expected):
        raise BadRequest("invalid cursor")
    for name, prefix in expected.items():
        value = start[name]
        if not (isinstance(value, dict) and set(value) == {"S"} and isinstance(value["S"], str)
                and value["S"].startswith(prefix)):
            raise BadRequest("invalid cursor")
    return start


class WebhookRepository:
    """Reads and writes subscriptions and their deliveries."""

    def __init__(self, table_name: str, client: Any) -> None:
        self._table, self._client = table_name, client

    # ------------------------------------------------------------------ subscriptions
    def count_subscriptions(self, user_id: str) -> int:
        answer = self._client.query(
            TableName=self._table, Select="COUNT", KeyConditionExpression="pk = :pk AND begins_with(sk, :sub)",
            ExpressionAttributeValues={":pk": _s(f"USER#{user_id}"), ":sub": _s("SUB#")})
        return int(answer.get("Count", 0))

    def create_subscription(self, subscription: StoredWebhookSubscription) -> None:
        self._client.put_item(
            TableName=self._table, ConditionExpression="attribute_not_exists(pk)",
            Item={"pk": _s(f"USER#{subscription.userId}"), "sk": _s(f"SUB#{subscription.id}"),
                  **_typed(subscription.model_dump())})

    def subscriptions(self, user_id: str, limit: int, cursor: str | None) -> Page[StoredWebhookSubscription]:
        pk = f"USER#{user_id}"
        args: dict[str, Any] = {
            "TableName": self._table, "Limit": limit,
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :sub)",
            "ExpressionAttributeValues": {":pk": _s(pk), ":sub": _s("SUB#")}}
        start = _start_key(cursor, {"pk": pk, "sk": "SUB#"})
        if start is not None:
            if start["pk"]["S"] != pk:
                raise BadRequest("invalid cursor")
            args["ExclusiveStartKey"] = start
        answer = self._client.query(**args)
        last = answer.get("LastEvaluatedKey")
        items = [_model(StoredWebhookSubscription, item) for item in answer.get("Items", [])]
        return Page[StoredWebhookSubscription](items=items, next_cursor=encode_cursor(last) if last else None)

    def all_subscriptions(self, user_id: str) -> list[StoredWebhookSubscription]:
        items = query_all(self._client, TableName=self._table,
                          KeyConditionExpression="pk = :pk AND begins_with(sk, :sub)",
                          ExpressionAttributeValues={":pk": _s(f"USER#{user_id}"), ":sub": _s("SUB#")})
        return [_model(StoredWebhookSubscription, item) for item in items]

    def subscription(self, user_id: str, subscription_id: str) -> StoredWebhookSubscription | None:
        item = self._client.get_item(TableName=self._table, ConsistentRead=True,
                                     Key={"pk": _s(f"USER#{user_id}"), "sk": _s(f"SUB#{subscription_id}")}).get("Item")
        return None if item is None else _model(StoredWebhookSubscription, item)

    def delete_subscription(self, user_id: str, subscription_id: str) -> bool:
        """Delete the subscription, then its deliveries and markers; whether it existed."""
        try:
            self._client.delete_item(TableName=self._table, ConditionExpression="attribute_exists(pk)",
                                     Key={"pk": _s(f"USER#{user_id}"), "sk": _s(f"SUB#{subscription_id}")})
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        keys = query_all(self._client, TableName=self._table, ProjectionExpression="pk, sk",
                         KeyConditionExpression="pk = :pk",
                         ExpressionAttributeValues={":pk": _s(f"SUB#{subscription_id}")})
        batch_delete(self._client, self._table, keys)
        return True

    def replace_secret(self, user_id: str, subscription_id: str, sealed: str,
                       at: str) -> StoredWebhookSubscription | None:
        try:
            answer = self._client.update_item(
                TableName=self._table, Key={"pk": _s(f"USER#{user_id}"), "sk": _s(f"SUB#{subscription_id}")},
                ConditionExpression="attribute_exists(pk)",
                UpdateExpression="SET sealedSecret = :sealed, secretRotatedAt = :at",
                ExpressionAttributeValues={":sealed": _s(sealed), ":at": _s(at)}, ReturnValues="ALL_NEW")
        except self._client.exceptions.ConditionalCheckFailedException:
            return None
        return _model(StoredWebhookSubscription, answer["Attributes"])

    # ------------------------------------------------------------------ deliveries
    def create_delivery(self, delivery: StoredWebhookDelivery) -> str | None:
        pk = _s(f"SUB#{delivery.subscriptionId}")
        expires = epoch_seconds(parse_iso(delivery.createdAt) + RETENTION)
        marker = {"pk": pk, "sk": _s(f"EVENT#{delivery.eventId}"),
                  **_typed({"deliveryId": delivery.id, "expiresAt": expires})}
        item = {"pk": pk, "sk": _s(f"DLV#{delivery.id}"),
                **_typed({**delivery.model_dump(exclude_none=True), "expiresAt": expires})}
        reasons = write_transaction(self._client, [
            {"Put": {"TableName": self._table, "Item": marker, "ConditionExpression": "attribute_not_exists(pk)"}},
            {"Put": {"TableName": self._table, "Item": item}},
        ])
        if reasons is None:
            return None
        if reasons[0] != CONDITION_FAILED:
            raise RuntimeError(f"delivery transaction cancelled: {reasons}")  # a concurrent write: retried
        held = self._client.get_item(TableName=self._table, ConsistentRead=True,
                                     Key={"pk": pk, "sk": marker["sk"]}).get("Item") or {}
        return str(held.get("deliveryId", {}).get("S", ""))

    def delivery(self, subscription_id: str, delivery_id: str) -> StoredWebhookDelivery | None:
        item = self._client.get_item(TableName=self._table, ConsistentRead=True,
                                     Key={"pk": _s(f"SUB#{subscription_id}"), "sk": _s(f"DLV#{delivery_id}")}
                                     ).get("Item")
        return None if item is None else _model(StoredWebhookDelivery, item)

    def deliveries(self, subscription_id: str, limit: int, cursor: str | None) -> Page[StoredWebhookDelivery]:
        pk = f"SUB#{subscription_id}"
        return self._page({"KeyConditionExpression": "pk = :pk AND begins_with(sk, :dlv)",
                           "ExpressionAttributeValues": {":pk": _s(pk), ":dlv": _s("DLV#")}},
                          limit, _start_key(cursor, {"pk": pk, "sk": "DLV#"}), "pk", pk)

    def dead_letters(self, subscription_id: str, limit: int, cursor: str | None) -> Page[StoredWebhookDelivery]:
        pk = f"SUB#{subscription_id}"
        return self._page({"IndexName": DEAD_INDEX, "KeyConditionExpression": "deadPk = :pk",
                           "ExpressionAttributeValues": {":pk": _s(pk)}},
                          limit, _start_key(cursor, {"pk": pk, "sk": "DLV#", "deadPk": pk}), "deadPk", pk)

    def _page(self, args: dict[str, Any], limit: int, start: dict[str, Any] | None, owner: str,
              pk: str) -> Page[StoredWebhookDelivery]:
        query: dict[str, Any] = {"TableName": self._table, "Limit": limit, "ScanIndexForward": False, **args}
        if start is not None:
            if start[owner]["S"] != pk or start["pk"]["S"] != pk:
                raise BadRequest("invalid cursor")
            query["ExclusiveStartKey"] = start
        answer = self._client.query(**query)
        last = answer.get("LastEvaluatedKey")
        items = [_model(StoredWebhookDelivery, item) for item in answer.get("Items", [])]
        return Page[StoredWebhookDelivery](items=items, next_cursor=encode_cursor(last) if last else None)

    def record_attempt(self, delivery: StoredWebhookDelivery, attempt: WebhookAttempt, status: DeliveryStatus, *,
                       next_attempt_at: str | None = None, dead_reason: str | None = None) -> None:
        sets = ["#status = :status", "attempts = list_append(if_not_exists(attempts, :none), :attempt)"]
        values: dict[str, Any] = {":status": status, ":attempt": [attempt.model_dump()], ":none": []}
        removes = []
        if next_attempt_at is not None:
            sets.append("nextAttemptAt = :next")
            values[":next"] = next_attempt_at
        else:
            removes.append("nextAttemptAt")
        if status == "delivered":
            sets.append("deliveredAt = :at")
            values[":at"] = attempt.at
        if status == "dead":
            sets += ["deadAt = :at", "deadReason = :reason", "deadPk = :deadPk"]
            values |= {":at": attempt.at, ":reason": dead_reason or "dead", ":deadPk": f"SUB#{delivery.subscriptionId}"}
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        self._client.update_item(
            TableName=self._table, Key={"pk": _s(f"SUB#{delivery.subscriptionId}"), "sk": _s(f"DLV#{delivery.id}")},
            UpdateExpression=expression, ExpressionAttributeNames={"#status": "status"},
            ExpressionAttributeValues=_typed(values))

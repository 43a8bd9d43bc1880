"""The realtime table through the low-level DynamoDB client: items in and out, and the AWS-error boundary.

Keys (single table): ``CONN#<connectionId>`` holds ``CONN`` (the connection), ``SUB#<channel>`` (its
subscriptions) and ``RATE#<minute>`` (its message counter); ``USER#<userId>`` / ``PRESENCE``;
``RIGHT#<channel>`` / ``USER#<userId>`` (who may join a project, duel, challenge or room channel, and
``friends:<userId>``: who the user's friends are); ``ROOM#<roomId>`` / ``ROOM``; and the outbox.
The ``gsi1`` index lists a user's connections (``USER#<id>``), a channel's subscribers
(``CHAN#<channel>``) and the users online (``ONLINE``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import ClientError

from deepiri_common.attributes import TypeDeserializer, TypeSerializer
from deepiri_common.problems import Conflict
from deepiri_common.transactions import batch_delete

_serializer, _deserializer = TypeSerializer(), TypeDeserializer()
_CONFLICTS = {"ConditionalCheckFailedException", "TransactionCanceledException", "TransactionConflictException"}


def encode(item: Mapping[str, Any]) -> dict[str, Any]:
    """A Python mapping as DynamoDB attribute values (``None`` values are left out)."""
    return {name: _serializer.serialize(value) for name, value in item.items() if value is not None}


def decode(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


def key(pk: str, sk: str) -> dict[str, dict[str, str]]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


@contextmanager
def conditions_as_conflicts() -> Iterator[None]:
    """A failed condition or a cancelled transaction becomes ``Conflict``; other errors pass through."""
    try:
        yield
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in _CONFLICTS:
            raise Conflict("the item changed") from None
        raise


class Table:
    """One realtime table: the queries and writes the repositories share."""

    def __init__(self, name: str, client: Any) -> None:
        self.name, self.client = name, client

    def get(self, pk: str, sk: str) -> dict[str, Any] | None:
        item = self.client.get_item(TableName=self.name, Key=key(pk, sk), ConsistentRead=True).get("Item")
        return decode(item) if item else None

    def query(self, pk: str, prefix: str = "", *, index: str | None = None) -> Iterator[dict[str, Any]]:
        """Every item under ``pk`` (on the table, or ``gsi1`` when ``index`` is given) whose sort key starts
        with ``prefix``, following pages."""
        hash_name, range_name = ("gsi1pk", "gsi1sk") if index else ("pk", "sk")
        condition = f"{hash_name} = :pk" + (f" AND begins_with({range_name}, :prefix)" if prefix else "")
        request: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": condition,
            "ExpressionAttributeValues": encode({":pk": pk, ":prefix": prefix or None}),
        }
        if index:
            request["IndexName"] = index
        while True:
            page = self.client.query(**request)
            yield from (decode(item) for item in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def put(self, item: Mapping[str, Any]) -> None:
        self.client.put_item(TableName=self.name, Item=encode(item))

    def delete(self, pk: str, sk: str) -> None:
        self.client.delete_item(TableName=self.name, Key=key(pk, sk))

    def delete_many(self, keys: list[tuple[str, str]]) -> None:
        """Delete items 25 at a time (BatchWriteItem), retrying what DynamoDB leaves unprocessed."""
        batch_delete(self.client, self.name, [key(pk, sk) for pk, sk in keys])

    def transact(self, items: list[dict[str, Any]]) -> None:
        with conditions_as_conflicts():
            self.client.transact_write_items(TransactItems=items)

"""What the Trello and Notion integrations keep in the integrations table besides connections and items:

- ``DELIVERY#<provider>#<id>``: a webhook delivery, claimed in the same transaction as the outbox items of the
  work it queues (a replay finds it and queues nothing; a failure claims nothing, so the provider's retry
  is handled), remembered for a week;
- ``WATCH#<provider>#<container>`` / ``USER#<id>``: which users import from a Trello board (a webhook names
  the board, not the user), written by the sync;
- ``WEBHOOKKEY#<provider>``: Notion's webhook verification token, sealed by KMS, kept from the first
  verification request (a later one never replaces it);
- the write-back's echo on ``ITEM#<provider>#<ref>``: the provider's timestamp of the change Deepiri made,
  so reading that change back is not a newer version and imports nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from botocore.exceptions import ClientError

from deepiri_common.clock import epoch_seconds, to_iso
from deepiri_common.events import DomainEvent
from deepiri_common.outbox import outbox_put
from deepiri_common.pagination import query_all
from deepiri_common.transactions import CONDITION_FAILED, write_transaction
from deepiri_integrations.dal.integrations import DELIVERY_MEMORY, VersionConflict

MAX_QUEUED = 50  # outbox items one delivery may queue (a transaction holds 100 items)


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def _condition_failed(error: ClientError) -> bool:
    return error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class ProviderState:
    def __init__(self, table: str, client: Any) -> None:
        self._table = table
        self._client = client

    def claim_delivery(self, provider: str, delivery_id: str, events: list[DomainEvent], now: datetime) -> bool:
        """Remember the delivery and queue ``events`` at once; False (nothing queued) when it was seen before."""
        claim = {"Put": {"TableName": self._table, "ConditionExpression": "attribute_not_exists(pk)", "Item": {
            "pk": _s(f"DELIVERY#{provider}#{delivery_id}"), "sk": _s("DELIVERY"),
            "expiresAt": {"N": str(epoch_seconds(now + DELIVERY_MEMORY))}}}}
        reasons = write_transaction(self._client, [claim, *(outbox_put(self._table, e) for e in events[:MAX_QUEUED])])
        if reasons is None:
            return True
        if reasons[0] == CONDITION_FAILED:
            return False
        raise VersionConflict("the delivery raced another; retry")

    def watch(self, provider: str, container: str, user_id: str) -> None:
        self._client.put_item(TableName=self._table, Item={
            "pk": _s(f"WATCH#{provider}#{container}"), "sk": _s(f"USER#{user_id}")})

    def watchers(self, provider: str, container: str) -> list[str]:
        items = query_all(self._client, TableName=self._table, KeyConditionExpression="pk = :pk",
                          ExpressionAttributeValues={":pk": _s(f"WATCH#{provider}#{container}")})
        return [item["sk"]["S"].removeprefix("USER#") for item in items]

    def webhook_key(self, provider: str) -> str | None:
        item = self._client.get_item(TableName=self._table, ConsistentRead=True,
                                     Key={"pk": _s(f"WEBHOOKKEY#{provider}"), "sk": _s("KEY")}).get("Item")
        return item["sealed"]["S"] if item else None

    def keep_webhook_key(self, provider: str, sealed: str) -> bool:
        """Keep the sealed key unless one is kept already; False when one was."""
        try:
            self._client.put_item(TableName=self._table, ConditionExpression="attribute_not_exists(pk)", Item={
                "pk": _s(f"WEBHOOKKEY#{provider}"), "sk": _s("KEY"), "sealed": _s(sealed)})
        except ClientError as error:
            if _condition_failed(error):
                return False
            raise
        return True

    def record_echo(self, user_id: str, provider: str, ref: str, echoed_at: datetime | None) -> None:
        """The item is closed at the provider by Deepiri's write-back, as of ``echoed_at`` (the provider's
        timestamp of that change); an older timestamp never replaces a newer one."""
        key = {"pk": _s(f"USER#{user_id}"), "sk": _s(f"ITEM#{provider}#{ref}")}
        names = {"#s": "state"}
        if echoed_at is not None:
            try:
                self._client.update_item(
                    TableName=self._table, Key=key, UpdateExpression="SET #s = :closed, updatedAt = :at",
                    ConditionExpression="attribute_exists(pk) AND updatedAt < :at", ExpressionAttributeNames=names,
                    ExpressionAttributeValues={":closed": _s("closed"), ":at": _s(to_iso(echoed_at))})
                return
            except ClientError as error:
                if not _condition_failed(error):
                    raise
        try:
            self._client.update_item(TableName=self._table, Key=key, UpdateExpression="SET #s = :closed",
                                     ConditionExpression="attribute_exists(pk)", ExpressionAttributeNames=names,
                                     ExpressionAttributeValues={":closed": _s("closed")})
        except ClientError as error:
            if not _condition_failed(error):
                raise

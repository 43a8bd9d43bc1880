"""The metric repository: one item per sample, ``pk = METRIC#<userId>#<metric>``,
``sk = <UTC ISO time>#<ulid>`` (so a time range is one key-condition Query), expiring by TTL
(``expiresAt``)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from deepiri_common.clock import epoch_seconds, to_iso
from deepiri_common.pagination import query_all
from deepiri_users.models.metrics import MetricSample


class MetricRepository:
    """Stores and reads a user's samples; ``client`` is a boto3 DynamoDB client."""

    def __init__(self, table_name: str, client: Any) -> None:
        self._table, self._client = table_name, client

    def add(self, user_id: str, sample: MetricSample, expires_at: datetime) -> None:
        self._client.put_item(TableName=self._table, Item={
            "pk": {"S": _pk(user_id, sample.metric)},
            "sk": {"S": f"{sample.at}#{sample.id}"},
            "kind": {"S": "metric"},
            "value": {"N": str(Decimal(str(sample.value)))},
            "at": {"S": sample.at},
            "expiresAt": {"N": str(epoch_seconds(expires_at))},
        })

    def between(self, user_id: str, metric: str, start: datetime, end: datetime) -> list[MetricSample]:
        """Samples with ``start <= at < end``: ``<end>#<ulid>`` sorts after ``<end>``, so BETWEEN is half-open."""
        args: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :from AND :to",
            "ExpressionAttributeValues": {":pk": {"S": _pk(user_id, metric)}, ":from": {"S": to_iso(start)},
                                          ":to": {"S": to_iso(end)}},
            "ProjectionExpression": "sk, #v, #at",
            "ExpressionAttributeNames": {"#v": "value", "#at": "at"},
        }
        return [MetricSample(id=i["sk"]["S"].rsplit("#", 1)[1], metric=metric, value=float(i["value"]["N"]),
                             at=i["at"]["S"]) for i in query_all(self._client, **args)]


def _pk(user_id: str, metric: str) -> str:
    return f"METRIC#{user_id}#{metric}"

"""Shared state that guards the Bedrock provider, in the AI table:

- ``pk = BREAKER``, ``sk = <model id>``: the circuit breaker every instance reads (``failures`` in a row,
  ``openUntil`` epoch seconds); failures are counted with an atomic ADD, and the breaker opens for
  ``cool_off`` seconds when they reach the threshold;
- ``pk = USER#<id>``, ``sk = BUDGET#<UTC date>``: tokens the user spent that day (atomic ADD), expiring
  two days later (TTL).
"""

from __future__ import annotations

from typing import Any

BREAKER_PK = "BREAKER"


class Guards:
    """The breaker and the token budgets."""

    def __init__(self, table_name: str, client: Any) -> None:
        self._table, self._client = table_name, client

    def breaker_open_until(self, model_id: str) -> float:
        item = self._client.get_item(TableName=self._table, ConsistentRead=True,
                                     Key={"pk": {"S": BREAKER_PK}, "sk": {"S": model_id}}).get("Item") or {}
        return float(item.get("openUntil", {}).get("N", "0"))

    def record_failure(self, model_id: str, now: float, threshold: int, cool_off: int) -> None:
        """Count a failure; the one that reaches ``threshold`` opens the breaker until ``now + cool_off``."""
        key = {"pk": {"S": BREAKER_PK}, "sk": {"S": model_id}}
        answer = self._client.update_item(TableName=self._table, Key=key, UpdateExpression="ADD failures :one",
                                          ExpressionAttributeValues={":one": {"N": "1"}}, ReturnValues="ALL_NEW")
        if int(answer["Attributes"]["failures"]["N"]) >= threshold:
            self._client.update_item(TableName=self._table, Key=key,
                                     UpdateExpression="SET openUntil = :until, failures = :zero",
                                     ExpressionAttributeValues={":until": {"N": str(int(now + cool_off))},
                                                                ":zero": {"N": "0"}})

    def record_success(self, model_id: str) -> None:
        self._client.update_item(TableName=self._table, Key={"pk": {"S": BREAKER_PK}, "sk": {"S": model_id}},
                                 UpdateExpression="SET failures = :zero",
                                 ExpressionAttributeValues={":zero": {"N": "0"}})

    def open_breaker(self, model_id: str, until: float) -> None:
        """Open the breaker until ``until`` (operators, and tests of the fallback)."""
        self._client.put_item(TableName=self._table, Item={"pk": {"S": BREAKER_PK}, "sk": {"S": model_id},
                                                           "failures": {"N": "0"}, "openUntil": {"N": str(int(until))}})

    def tokens_spent(self, user_id: str, day: str) -> int:
        item = self._client.get_item(TableName=self._table, ConsistentRead=True,
                                     Key={"pk": {"S": f"USER#{user_id}"}, "sk": {"S": f"BUDGET#{day}"}}).get("Item")
        return int(item["tokens"]["N"]) if item else 0

    def spend(self, user_id: str, day: str, tokens: int, expires_at: int) -> int:
        """Add ``tokens`` to the user's day; the day's total."""
        answer = self._client.update_item(
            TableName=self._table, Key={"pk": {"S": f"USER#{user_id}"}, "sk": {"S": f"BUDGET#{day}"}},
            UpdateExpression="ADD tokens :n SET expiresAt = :exp",
            ExpressionAttributeValues={":n": {"N": str(max(0, tokens))}, ":exp": {"N": str(expires_at)}},
            ReturnValues="UPDATED_NEW")
        return int(answer["Attributes"]["tokens"]["N"])

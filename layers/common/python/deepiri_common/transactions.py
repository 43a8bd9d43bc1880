"""DynamoDB write transactions as the repositories read their outcome."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

CONDITION_FAILED = "ConditionalCheckFailed"


def write_transaction(client: Any, items: list[dict[str, Any]]) -> list[str] | None:
    """Run ``TransactWriteItems``: None when it committed, else each item's cancellation reason code.

    An item that did not cause the cancellation has the code ``"None"``; a cancellation with no
    ``ConditionalCheckFailed`` among them was a concurrent transaction. Any other error raises.
    """
    try:
        client.transact_write_items(TransactItems=items)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
            raise
        return [str(reason.get("Code") or "None") for reason in error.response.get("CancellationReasons") or []]
    return None

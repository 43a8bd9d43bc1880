"""DynamoDB write transactions as the repositories read their outcome, and batch writes that retry what
DynamoDB leaves unprocessed."""

from __future__ import annotations

import time
from collections.abc import Callable
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
        # botocore's ClientError always carries "Error": its default is never read (equivalent mutants)
        if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
            raise
        return [str(reason.get("Code") or "None") for reason in error.response.get("CancellationReasons") or []]
    return None


BATCH_WRITE_LIMIT = 25  # requests in one BatchWriteItem
BATCH_WRITE_ATTEMPTS = 8  # sends of one batch at most: DynamoDB may leave items unprocessed when throttled
BATCH_WRITE_BACKOFF_SECONDS = 0.05  # before the second send; doubled before each later one


class BatchWriteIncomplete(RuntimeError):
    """DynamoDB left items unprocessed after every attempt (a transient failure: the caller retries)."""


def batch_write(client: Any, table: str, requests: list[dict[str, Any]],
                sleep: Callable[[float], None] = time.sleep) -> None:
    """Send ``PutRequest`` / ``DeleteRequest`` entries to ``table`` 25 at a time, sending again what
    DynamoDB leaves unprocessed (with exponential backoff) up to ``BATCH_WRITE_ATTEMPTS`` times per batch;
    :class:`BatchWriteIncomplete` if some are still left."""
    for start in range(0, len(requests), BATCH_WRITE_LIMIT):
        pending = requests[start:start + BATCH_WRITE_LIMIT]
        for attempt in range(BATCH_WRITE_ATTEMPTS):
            if attempt:
                sleep(BATCH_WRITE_BACKOFF_SECONDS * 2 ** (attempt - 1))
            unprocessed = client.batch_write_item(RequestItems={table: pending}).get("UnprocessedItems") or {}
            # absent: nothing left (any empty default ends the loop alike: equivalent mutants)
            pending = unprocessed.get(table, [])
            if not pending:
                break
        else:
            raise BatchWriteIncomplete(f"{len(pending)} items of {table} left unwritten after "
                                       f"{BATCH_WRITE_ATTEMPTS} attempts")


def batch_delete(client: Any, table: str, keys: list[dict[str, Any]],
                 sleep: Callable[[float], None] = time.sleep) -> None:
    """Delete the items of ``keys`` (typed key attributes) from ``table``, as :func:`batch_write` does."""
    batch_write(client, table, [{"DeleteRequest": {"Key": key}} for key in keys], sleep)

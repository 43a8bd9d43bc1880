"""A write transaction's outcome as repositories read it: committed, or each item's cancellation reason."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from deepiri_common import transactions
from deepiri_common.transactions import CONDITION_FAILED, write_transaction


class FakeDynamo:
    def __init__(self, error: ClientError | None = None) -> None:
        self.error = error
        self.calls: list[list[dict[str, Any]]] = []

    def transact_write_items(self, TransactItems: list[dict[str, Any]]) -> None:
        self.calls.append(TransactItems)
        if self.error is not None:
            raise self.error


def _cancelled(*codes: str | None) -> ClientError:
    reasons = [{"Code": code} if code else {} for code in codes]
    return ClientError({"Error": {"Code": "TransactionCanceledException"}, "CancellationReasons": reasons},
                       "TransactWriteItems")


def test_given_a_committed_transaction_then_none_and_the_items_were_sent() -> None:
    client = FakeDynamo()
    assert write_transaction(client, [{"Put": {}}]) is None
    assert client.calls == [[{"Put": {}}]]


def test_given_a_cancellation_then_each_items_reason_code_in_order() -> None:
    reasons = write_transaction(FakeDynamo(_cancelled("None", CONDITION_FAILED, None)), [{}, {}, {}])
    assert reasons == ["None", "ConditionalCheckFailed", "None"]


def test_given_another_error_then_it_is_raised() -> None:
    throttled = ClientError({"Error": {"Code": "ProvisionedThroughputExceededException"}}, "TransactWriteItems")
    with pytest.raises(ClientError):
        write_transaction(FakeDynamo(throttled), [{}])


class FlakyBatches:
    """A BatchWriteItem that leaves the last item of each call unprocessed ``misses`` times in all."""

    def __init__(self, misses: int) -> None:
        self.misses = misses
        self.calls: list[list[dict[str, Any]]] = []

    def batch_write_item(self, RequestItems: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
        (table, requests), = RequestItems.items()
        self.calls.append(requests)
        if self.misses and len(requests) > 0:
            self.misses -= 1
            return {"UnprocessedItems": {table: requests[-1:]}}
        return {"UnprocessedItems": {}}


def _deletes(n: int) -> list[dict[str, Any]]:
    return [{"pk": {"S": f"USER#{i}"}, "sk": {"S": "X"}} for i in range(n)]


def test_given_more_than_25_keys_then_they_are_deleted_in_batches_of_25() -> None:
    client = FlakyBatches(misses=0)
    transactions.batch_delete(client, "t", _deletes(60), sleep=lambda _: None)
    assert [len(call) for call in client.calls] == [25, 25, 10]
    assert client.calls[0][0] == {"DeleteRequest": {"Key": {"pk": {"S": "USER#0"}, "sk": {"S": "X"}}}}


def test_given_unprocessed_items_then_only_they_are_sent_again_after_a_growing_pause() -> None:
    client, pauses = FlakyBatches(misses=3), list[float]()
    transactions.batch_write(client, "t", [{"PutRequest": {"Item": {"n": {"N": "1"}}}}] * 2, sleep=pauses.append)
    assert [len(call) for call in client.calls] == [2, 1, 1, 1]
    assert pauses == [0.05, 0.1, 0.2]


def test_given_items_unprocessed_on_every_attempt_then_the_write_fails_naming_how_many() -> None:
    client = FlakyBatches(misses=100)
    with pytest.raises(transactions.BatchWriteIncomplete, match="1 items of t left unwritten after 8 attempts"):
        transactions.batch_delete(client, "t", _deletes(3), sleep=lambda _: None)
    assert len(client.calls) == transactions.BATCH_WRITE_ATTEMPTS == 8
    assert transactions.BATCH_WRITE_LIMIT == 25


def test_given_nothing_to_write_then_nothing_is_sent() -> None:
    client = FlakyBatches(misses=0)
    transactions.batch_delete(client, "t", [], sleep=lambda _: None)
    assert client.calls == []


def test_given_unprocessed_deletes_then_they_wait_on_the_pause_given() -> None:
    client, pauses = FlakyBatches(misses=2), list[float]()

    transactions.batch_delete(client, "t", _deletes(2), sleep=pauses.append)

    assert pauses == [0.05, 0.1] and [len(call) for call in client.calls] == [2, 1, 1]

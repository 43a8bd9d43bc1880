"""A write transaction's outcome as repositories read it: committed, or each item's cancellation reason."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

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

"""The consumer's idempotency record, as an operator reading the idempotency table sees it: what a claim
writes (when it expires, how long a crashed attempt holds the event), which items a new attempt may take
over and which it must leave, and how the handled mark is kept. The table is the template's, in moto's
in-process DynamoDB; the clock is fixed so each written number is known to the millisecond."""

from __future__ import annotations

import hashlib
import io
import json
import time
from collections.abc import Iterator
from typing import Any, cast

import pytest
from botocore.exceptions import ClientError
from moto import mock_aws
from pydantic import BaseModel, ConfigDict

from deepiri_common import aws
from deepiri_common.consumers import (
    COMPLETED,
    DEFAULT_FUNCTION_NAME,
    IDEMPOTENCY_TTL_SECONDS,
    IN_PROGRESS,
    EventInProgress,
    IdempotencyRecords,
    make_event_consumer,
)
from deepiri_common.events import DomainEvent, ReceivedEvent
from tests.support import template
from tests.support.flows import sqs_of_events
from tests.support.lambda_context import FakeLambdaContext

NOW = 1_800_000_000.75  # a fixed instant with a fraction of a second: seconds and milliseconds round apart
KEY = "fn.deepiri_common.consumers._idempotent.<locals>.run#abc"


@pytest.fixture
def table(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    template.fake_credentials(monkeypatch)
    with mock_aws():
        yield template.create("IdempotencyTable")["IdempotencyTable"]


class Client:
    """The DynamoDB client, with every call it is asked for recorded (name, arguments); ``strip_item`` makes a
    failed condition come back without the item that stood in the way, as an older API version answers."""

    def __init__(self, strip_item: bool = False) -> None:
        self.inner = aws.client("dynamodb")
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.strip_item = strip_item

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.inner, name)

        def call(**kwargs: Any) -> Any:
            self.calls.append((name, kwargs))
            try:
                return method(**kwargs)
            except ClientError as exc:
                if self.strip_item:
                    cast("dict[str, Any]", exc.response).pop("Item", None)
                raise

        return call

    def names(self) -> list[str]:
        return [name for name, _ in self.calls]


def _records(table: str, client: Any = None, now: float = NOW) -> IdempotencyRecords:
    return IdempotencyRecords(table, client or aws.client("dynamodb"), clock=lambda: now)


def _item(table: str, key: str = KEY) -> dict[str, Any] | None:
    item: dict[str, Any] | None = aws.client("dynamodb").get_item(TableName=table, Key={"id": {"S": key}}).get("Item")
    return item


def _put(table: str, status: str, expiration: int, in_progress_expiration: int | None = None) -> None:
    item: dict[str, Any] = {"id": {"S": KEY}, "status": {"S": status}, "expiration": {"N": str(expiration)}}
    if in_progress_expiration is not None:
        item["in_progress_expiration"] = {"N": str(in_progress_expiration)}
    aws.client("dynamodb").put_item(TableName=table, Item=item)


def test_given_a_new_event_when_claimed_then_the_item_expires_after_the_retention_and_bounds_a_crash_by_the_time_left(
    table: str,
) -> None:
    assert _records(table).claim(KEY, 5_000) is True

    assert _item(table) == {
        "id": {"S": KEY}, "status": {"S": "INPROGRESS"},
        "expiration": {"N": str(1_800_000_000 + IDEMPOTENCY_TTL_SECONDS)},
        "in_progress_expiration": {"N": str(1_800_000_000_750 + 5_000)},
    }


def test_given_no_time_left_known_when_claimed_then_the_claim_holds_until_the_item_expires(table: str) -> None:
    assert _records(table).claim(KEY, None) is True

    item = _item(table)
    assert item is not None and "in_progress_expiration" not in item
    assert item["expiration"] == {"N": str(1_800_000_000 + IDEMPOTENCY_TTL_SECONDS)}


def test_given_a_claimed_event_when_completed_then_it_is_marked_handled_for_the_retention_from_then(table: str) -> None:
    _records(table).claim(KEY, 5_000)

    _records(table, now=NOW + 100.5).complete(KEY)

    assert _item(table) == {
        "id": {"S": KEY}, "status": {"S": "COMPLETED"},
        "expiration": {"N": str(1_800_000_101 + IDEMPOTENCY_TTL_SECONDS)},
        "in_progress_expiration": {"N": str(1_800_000_000_750 + 5_000)},
    }


def test_given_a_handled_event_still_remembered_when_claimed_again_then_it_is_not_handled_again(table: str) -> None:
    _put(table, COMPLETED, expiration=int(NOW))  # expires at this very second: not yet past

    assert _records(table).claim(KEY, 5_000) is False

    assert _item(table) == {"id": {"S": KEY}, "status": {"S": "COMPLETED"}, "expiration": {"N": str(int(NOW))}}


def test_given_a_handled_event_whose_record_expired_when_claimed_then_it_is_taken_over(table: str) -> None:
    _put(table, COMPLETED, expiration=int(NOW) - 1)

    assert _records(table).claim(KEY, 5_000) is True

    item = _item(table)
    assert item is not None and item["status"] == {"S": "INPROGRESS"}


def test_given_an_attempt_still_within_its_time_when_claimed_then_the_event_is_in_progress_and_its_claim_stands(
    table: str,
) -> None:
    held_until_ms = 1_800_000_000_750  # this very millisecond: not yet past
    _put(table, IN_PROGRESS, expiration=int(NOW) + 3600, in_progress_expiration=held_until_ms)

    with pytest.raises(EventInProgress, match="run#abc"):
        _records(table).claim(KEY, 5_000)

    item = _item(table)
    assert item is not None and item["in_progress_expiration"] == {"N": str(held_until_ms)}


def test_given_an_attempt_past_its_time_when_claimed_then_the_event_is_taken_over(table: str) -> None:
    _put(table, IN_PROGRESS, expiration=int(NOW) + 3600, in_progress_expiration=1_800_000_000_749)

    assert _records(table).claim(KEY, 5_000) is True

    item = _item(table)
    assert item is not None and item["in_progress_expiration"] == {"N": str(1_800_000_000_750 + 5_000)}


def test_given_an_attempt_without_a_time_bound_when_claimed_then_it_holds_the_event_until_its_record_expires(
    table: str,
) -> None:
    _put(table, IN_PROGRESS, expiration=int(NOW) + 3600)

    with pytest.raises(EventInProgress):
        _records(table).claim(KEY, 5_000)

    _put(table, IN_PROGRESS, expiration=int(NOW) - 1)
    assert _records(table).claim(KEY, 5_000) is True


def test_given_a_completed_record_with_an_old_time_bound_when_claimed_then_the_bound_does_not_reopen_it(
    table: str,
) -> None:
    # A handled event keeps the time bound of the attempt that handled it, long past.
    _put(table, COMPLETED, expiration=int(NOW) + 3600, in_progress_expiration=1_000)

    assert _records(table).claim(KEY, 5_000) is False


def test_given_a_refused_claim_then_the_holder_comes_back_with_the_refusal_and_is_not_read_again(table: str) -> None:
    _put(table, COMPLETED, expiration=int(NOW) + 3600)
    client = Client()

    assert _records(table, client).claim(KEY, 5_000) is False

    assert client.names() == ["put_item"]  # one request per redelivery of a handled event


def test_given_a_refusal_without_the_holder_then_it_is_read_consistently_before_deciding(table: str) -> None:
    client = Client(strip_item=True)
    _put(table, COMPLETED, expiration=int(NOW) + 3600)
    assert _records(table, client).claim(KEY, 5_000) is False

    _put(table, IN_PROGRESS, expiration=int(NOW) + 3600)
    with pytest.raises(EventInProgress):
        _records(table, client).claim(KEY, 5_000)

    reads = [kwargs for name, kwargs in client.calls if name == "get_item"]
    assert reads == [{"TableName": table, "Key": {"id": {"S": KEY}}, "ConsistentRead": True}] * 2


def test_given_a_held_record_gone_before_it_is_read_then_the_event_counts_as_in_progress(table: str) -> None:
    class Vanishing(Client):
        """The holder deletes its record between the refused claim and the read (its callback failed)."""

        def __getattr__(self, name: str) -> Any:
            if name == "get_item":
                self.inner.delete_item(TableName=table, Key={"id": {"S": KEY}})
            return super().__getattr__(name)

    _put(table, IN_PROGRESS, expiration=int(NOW) + 3600)

    with pytest.raises(EventInProgress):  # retried: the next delivery finds the event free
        _records(table, Vanishing(strip_item=True)).claim(KEY, 5_000)


def test_given_a_table_that_does_not_exist_when_claiming_then_the_error_is_raised_as_it_is(table: str) -> None:
    with pytest.raises(ClientError) as raised:
        _records(f"{table}-missing").claim(KEY, 5_000)

    assert raised.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_given_a_released_claim_then_the_next_attempt_may_claim_the_event(table: str) -> None:
    _records(table).claim(KEY, 5_000)

    _records(table).release(KEY)

    assert _item(table) is None
    assert _records(table).claim(KEY, 5_000) is True


def test_given_a_function_and_an_event_key_then_the_record_id_is_the_one_powertools_wrote() -> None:
    digest = hashlib.md5(b'"realtime#01J0"', usedforsecurity=False).hexdigest()

    key = IdempotencyRecords.key("deepiri-dev-realtime-events", "realtime#01J0")

    assert key == f"deepiri-dev-realtime-events.deepiri_common.consumers._idempotent.<locals>.run#{digest}"


class XpData(BaseModel):
    model_config = ConfigDict(extra="allow")
    userId: str


def _consumer(handled: list[ReceivedEvent], table: str) -> Any:
    return make_event_consumer(lambda event, data: handled.append(event), consumes={"XpAwarded": XpData},
                               idempotency_table=table, service="realtime", dead_letters=lambda: None)  # type: ignore[arg-type,return-value]


def _event() -> DomainEvent:
    return DomainEvent.new("engagement", "XpAwarded", {"userId": "u1"}, actor="system")


def _scan(table: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = aws.client("dynamodb").scan(TableName=table)["Items"]
    return items


def test_given_a_redelivered_event_then_the_skip_is_logged_with_the_event(table: str, log_output: io.StringIO) -> None:
    event, handled = _event(), list[ReceivedEvent]()
    consume = _consumer(handled, table)

    consume(sqs_of_events(event), FakeLambdaContext())
    consume(sqs_of_events(event), FakeLambdaContext())

    assert len(handled) == 1
    lines = [json.loads(line) for line in log_output.getvalue().splitlines()]
    [line] = [r for r in lines if r["message"] == "already handled"]
    assert (line["level"], line["event"], line["eventId"]) == ("INFO", "XpAwarded", event.detail.id)


def test_given_two_functions_consuming_one_event_then_each_handles_it_once_under_its_own_name(table: str) -> None:
    event, handled = _event(), list[ReceivedEvent]()
    consume = _consumer(handled, table)

    for name in ("deepiri-dev-a", "deepiri-dev-b", "deepiri-dev-a"):
        consume(sqs_of_events(event), FakeLambdaContext(function_name=name))

    assert len(handled) == 2
    assert sorted(item["id"]["S"] for item in _scan(table)) == [
        IdempotencyRecords.key(name, f"realtime#{event.detail.id}") for name in ("deepiri-dev-a", "deepiri-dev-b")]


def test_given_no_lambda_context_then_the_record_is_named_after_the_default_function_and_bounded_by_its_expiry(
    table: str,
) -> None:
    event, handled = _event(), list[ReceivedEvent]()

    assert _consumer(handled, table)(sqs_of_events(event), None) == {"batchItemFailures": []}

    [item] = _scan(table)
    assert item["id"]["S"] == IdempotencyRecords.key(DEFAULT_FUNCTION_NAME, f"realtime#{event.detail.id}")
    assert DEFAULT_FUNCTION_NAME == "test-func"
    assert "in_progress_expiration" not in item


def test_given_the_functions_time_left_then_a_claim_is_held_that_long_at_most(table: str) -> None:
    before_ms = int(time.time() * 1000)
    _consumer([], table)(sqs_of_events(_event()), FakeLambdaContext(remaining_ms=1_234))
    after_ms = int(time.time() * 1000)

    [item] = _scan(table)
    # Claimed at some instant between the two readings of the clock, held 1,234 ms from it.
    assert before_ms + 1_234 <= int(item["in_progress_expiration"]["N"]) <= after_ms + 1_234


def test_given_an_event_that_is_not_an_sqs_batch_then_the_invocation_fails_saying_so(table: str) -> None:
    with pytest.raises(ValueError, match=r"^not an SQS event: no Records list$"):
        _consumer([], table)({"detail-type": "XpAwarded"}, FakeLambdaContext())
    with pytest.raises(ValueError, match=r"^not an SQS event: no Records list$"):
        _consumer([], table)({"Records": {"messageId": "m0"}}, FakeLambdaContext())

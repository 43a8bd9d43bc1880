"""Cursors are opaque, round-trip any LastEvaluatedKey, and refuse anything a client made up."""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any

import pytest
from pydantic import ValidationError

from deepiri_common.pagination import (
    MAX_CURSOR_LENGTH,
    Page,
    PageQuery,
    decode_cursor,
    encode_cursor,
    query_all,
    query_items,
)
from deepiri_common.problems import BadRequest


@pytest.mark.parametrize(
    "key",
    [
        {"pk": {"S": "USER#01HZX"}, "sk": {"S": "TASK#01HZY"}, "gsi1sk": {"N": "1700000000"}},
        {"pk": "USER#01HZX", "sk": "TASK#01HZY", "score": Decimal("1500"), "ratio": Decimal("0.25")},
    ],
    ids=["attribute-value form", "plain values"],
)
def test_given_a_last_evaluated_key_when_encoded_and_decoded_then_it_comes_back_equal(
    key: dict[str, Any],
) -> None:
    cursor = encode_cursor(key)

    assert decode_cursor(cursor) == key
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def test_given_plain_numbers_when_decoded_then_they_are_types_boto3_accepts() -> None:
    decoded = decode_cursor(encode_cursor({"score": Decimal("1500"), "ratio": Decimal("0.25")}))

    assert isinstance(decoded["score"], int)
    assert isinstance(decoded["ratio"], Decimal)


def _b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "not a cursor!",
        "%%%",
        "A",
        _b64("{not json"),
        _b64("[1, 2]"),
        _b64("{}"),
        base64.urlsafe_b64encode(b"\xff\xfe\xfd").decode(),
        "A" * 5000,
    ],
)
def test_given_a_malformed_cursor_when_decoded_then_bad_request(cursor: str) -> None:
    with pytest.raises(BadRequest) as raised:
        decode_cursor(cursor)

    assert raised.value.detail == "invalid cursor"


def test_given_no_query_values_when_paging_then_twenty_items_from_the_start() -> None:
    query = PageQuery()

    assert (query.limit, query.cursor) == (20, None)


@pytest.mark.parametrize("limit", [0, 101, -5])
def test_given_a_limit_outside_1_to_100_when_paging_then_it_is_refused(limit: int) -> None:
    with pytest.raises(ValidationError):
        PageQuery(limit=limit)


def test_given_a_page_when_serialized_then_the_cursor_is_named_next_cursor() -> None:
    page = Page[str](items=["a", "b"], next_cursor="abc")

    assert page.model_dump(mode="json") == {"items": ["a", "b"], "nextCursor": "abc"}
    assert Page[int].model_validate({"items": [1], "nextCursor": None}).next_cursor is None


def test_given_a_query_spanning_three_pages_when_read_whole_then_every_item_once_and_the_args_untouched() -> None:
    class ThreePages:
        def __init__(self) -> None:
            self.calls: list[dict[str, object]] = []

        def query(self, **args: object) -> dict[str, object]:
            self.calls.append(args)
            page = len(self.calls)
            response: dict[str, object] = {"Items": [{"n": page * 10 + i} for i in range(2)]}
            if page < 3:
                response["LastEvaluatedKey"] = {"k": page}
            return response

    client = ThreePages()
    args = {"TableName": "t", "KeyConditionExpression": "pk = :p"}
    items = query_all(client, **args)
    assert [i["n"] for i in items] == [10, 11, 20, 21, 30, 31]
    assert [c.get("ExclusiveStartKey") for c in client.calls] == [None, {"k": 1}, {"k": 2}]
    assert "ExclusiveStartKey" not in args


def test_given_a_query_read_item_by_item_then_a_page_is_read_only_when_the_one_before_is_used_up() -> None:
    class Pages:
        def __init__(self) -> None:
            self.calls = 0

        def query(self, **args: object) -> dict[str, object]:
            self.calls += 1
            return {"Items": [{"n": self.calls}], "LastEvaluatedKey": {"k": self.calls}}  # never ends

    client = Pages()
    items = query_items(client, TableName="t")
    assert client.calls == 0  # nothing read before the first item is asked for
    assert [next(items)["n"], next(items)["n"]] == [1, 2]
    assert client.calls == 2


@pytest.mark.parametrize("length", [1, 2, 3, 4, 5, 6])
def test_given_cursors_of_every_padding_length_when_decoded_then_each_round_trips(length: int) -> None:
    # Unpadded base64 lengths end on 0, 2 or 3 modulo 4; each must get its own padding back
    key = {"pk": "a" * length}
    cursor = encode_cursor(key)

    assert "=" not in cursor
    assert decode_cursor(cursor) == key


def test_given_the_same_key_in_any_order_then_the_cursor_is_one_compact_string() -> None:
    first, second = encode_cursor({"pk": "P", "sk": "S"}), encode_cursor({"sk": "S", "pk": "P"})

    assert first == second
    assert base64.urlsafe_b64decode(first + "=" * (-len(first) % 4)) == b'{"pk":"P","sk":"S"}'


def test_given_a_cursor_at_the_length_cap_then_it_is_read_and_one_past_it_is_refused() -> None:
    # MAX_CURSOR_LENGTH is the decoder's own guard, not only the query model's
    at_cap, past_cap = {"k": "a" * 1528}, {"k": "a" * 1529}
    assert len(encode_cursor(at_cap)) == MAX_CURSOR_LENGTH == 2048
    assert decode_cursor(encode_cursor(at_cap)) == at_cap

    with pytest.raises(BadRequest):
        decode_cursor(encode_cursor(past_cap))


def test_given_a_value_json_cannot_hold_when_encoding_then_type_error_names_it() -> None:
    with pytest.raises(TypeError, match="cannot put set into a cursor"):
        encode_cursor({"pk": {"a"}})


def test_given_a_page_without_items_when_read_whole_then_it_counts_as_empty() -> None:
    class CountOnly:
        def query(self, **args: object) -> dict[str, object]:
            return {"Count": 0}

    assert query_all(CountOnly(), TableName="t") == []


@pytest.mark.parametrize("extra", ["=", "==", "+", "/", "."])
def test_given_a_cursor_with_padding_or_standard_base64_characters_then_it_is_refused(extra: str) -> None:
    # Only the url-safe alphabet without padding is a cursor we made
    cursor = encode_cursor({"pk": "ab"})

    with pytest.raises(BadRequest):
        decode_cursor(cursor + extra)

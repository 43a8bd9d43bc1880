"""The layer's attribute-value codec answers exactly as boto3.dynamodb.types does, without importing boto3."""

from __future__ import annotations

import decimal
import re
from decimal import Decimal
from typing import Any

import pytest
from boto3.dynamodb import types as boto3_types

from deepiri_common.attributes import TypeDeserializer, TypeSerializer

VALUES: list[Any] = [
    None, True, False, 0, -17, 10**30, Decimal("3.14159"), Decimal("-0.0100"), "", "héllo", b"\x00\x01",
    {"a", "b"}, {1, Decimal("2.5")}, {b"x"}, [1, "two", None, [True]], {"k": {"nested": ["v", 3]}}, (1, 2),
]


def _stable_id(value: Any) -> str:
    """A test id that is the same in every process (a set's repr follows string hashing, an object's its
    address) and plain ASCII without backslashes (pytest escapes those in ids, and an escaped id passed back
    to pytest is not found), so that a test can be selected again by its id, as mutation testing does."""
    if isinstance(value, set | frozenset):
        text = "{" + ", ".join(sorted(map(repr, value))) + "}"
    else:
        text = "object()" if type(value) is object else repr(value)
    return re.sub(r"[^ -~]|\\", "?", text)


@pytest.mark.parametrize("value", VALUES, ids=_stable_id)
def test_given_a_value_then_it_serializes_and_comes_back_as_boto3s_would(value: Any) -> None:
    ours, theirs = TypeSerializer().serialize(value), boto3_types.TypeSerializer().serialize(value)
    assert _ordered(ours) == _ordered(theirs)

    back, boto3_back = TypeDeserializer().deserialize(ours), boto3_types.TypeDeserializer().deserialize(theirs)
    assert back == (boto3_back.value if isinstance(boto3_back, boto3_types.Binary) else boto3_back)


@pytest.mark.parametrize("value", [1.5, {1.5}, object(), {"a", 1}, Decimal("1." + "1" * 40)], ids=_stable_id)
def test_given_what_dynamodb_cannot_hold_then_both_refuse_it(value: Any) -> None:
    with pytest.raises(Exception) as ours:
        TypeSerializer().serialize(value)
    with pytest.raises(Exception) as theirs:
        boto3_types.TypeSerializer().serialize(value)
    assert isinstance(ours.value, TypeError | ArithmeticError)
    assert isinstance(theirs.value, TypeError | ArithmeticError)


def test_given_an_unknown_attribute_type_then_deserializing_refuses_it() -> None:
    with pytest.raises(TypeError):
        TypeDeserializer().deserialize({"X": "1"})
    with pytest.raises(TypeError):
        TypeDeserializer().deserialize({})


def _ordered(value: Any) -> Any:
    """Sets serialize to lists in iteration order: compare them sorted."""
    if isinstance(value, dict):
        return {key: sorted(item, key=repr) if key in ("SS", "NS", "BS") else _ordered(item)
                for key, item in value.items()}
    if isinstance(value, list):
        return [_ordered(item) for item in value]
    return value


@pytest.mark.parametrize("value", [1.5, object(), [Decimal(1), 2.5]], ids=_stable_id)
def test_given_a_float_or_an_unknown_type_then_the_refusal_reads_as_boto3s(value: Any) -> None:
    with pytest.raises(TypeError) as ours:
        TypeSerializer().serialize(value)
    with pytest.raises(TypeError) as theirs:
        boto3_types.TypeSerializer().serialize(value)
    assert str(ours.value) == str(theirs.value)


def test_given_a_set_of_mixed_kinds_then_the_refusal_says_what_a_set_may_hold() -> None:
    with pytest.raises(TypeError, match=r"^a set must hold only numbers, only strings or only binary values: "):
        TypeSerializer().serialize({"a", 1})


def test_given_a_set_of_booleans_then_it_is_refused_rather_than_stored_as_numbers() -> None:
    # Here the codec departs from boto3 on purpose: boto3 stores {True} as the number set {1}, which would
    # come back as {Decimal(1)}, not as what was written.
    assert boto3_types.TypeSerializer().serialize({True}) == {"NS": ["1"]}
    with pytest.raises(TypeError, match=r"^a set must hold only numbers"):
        TypeSerializer().serialize({True, False})


@pytest.mark.parametrize("value", [{}, {"S": "a", "N": "1"}], ids=["empty", "two-types"])
def test_given_not_exactly_one_type_then_deserializing_refuses_it_saying_so(value: dict[str, Any]) -> None:
    with pytest.raises(TypeError) as raised:
        TypeDeserializer().deserialize(value)
    assert str(raised.value) == "Value must be a nonempty dictionary whose key is a valid dynamodb type."


def test_given_an_unknown_attribute_type_then_the_refusal_names_it_as_boto3s_does() -> None:
    with pytest.raises(TypeError) as ours:
        TypeDeserializer().deserialize({"X": "1"})
    with pytest.raises(TypeError) as theirs:
        boto3_types.TypeDeserializer().deserialize({"X": "1"})
    assert str(ours.value) == str(theirs.value) == "Dynamodb type X is not supported"


@pytest.mark.parametrize(("number", "signal"), [
    ("1." + "1" * 40, decimal.Inexact),  # 41 significant digits: one would be lost
    ("1" + "0" * 39, decimal.Rounded),  # 40 digits, none lost: still more than DynamoDB's 38
    ("1E+200", decimal.Overflow),
    ("1E-200", decimal.Underflow),
    ("0E+200", decimal.Clamped),  # a zero whose exponent DynamoDB cannot hold
])
def test_given_a_number_dynamodb_cannot_hold_exactly_then_the_signal_boto3_traps_refuses_it(
        number: str, signal: type[decimal.DecimalException]) -> None:
    with pytest.raises(signal) as ours:
        TypeSerializer().serialize(Decimal(number))
    with pytest.raises(signal) as theirs:
        boto3_types.TypeSerializer().serialize(Decimal(number))

    assert type(ours.value) is type(theirs.value)
    assert TypeSerializer().serialize(Decimal("1E-130")) == {"N": "1E-130"}  # small, yet exact: kept


@pytest.mark.parametrize("binary", [bytearray(b"\x00x"), memoryview(b"\x00x")], ids=["bytearray", "memoryview"])
def test_given_a_bytearray_or_a_memoryview_then_it_is_stored_as_binary_like_bytes(
        binary: bytearray | memoryview) -> None:
    assert TypeSerializer().serialize(binary) == {"B": b"\x00x"}


def test_given_a_set_of_memoryviews_then_it_is_a_binary_set() -> None:
    assert TypeSerializer().serialize({memoryview(b"\x00x")}) == {"BS": [b"\x00x"]}

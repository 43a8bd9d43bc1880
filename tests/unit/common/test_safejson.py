"""The one bounded JSON parse: depth, number size and non-numbers refused by name, everything else as json."""

from __future__ import annotations

import json

import pytest

from deepiri_common import safejson


def test_given_ordinary_json_then_it_parses_as_the_standard_library_does() -> None:
    text = '{"a": [1, 2.5, "x", null, true, {"b": -3}], "c": "\\u00e9"}'
    assert safejson.loads(text) == json.loads(text)
    assert safejson.loads(text.encode()) == json.loads(text)


@pytest.mark.parametrize("levels", [33, 999, 1000, 50_000])
def test_given_nesting_deeper_than_32_levels_then_it_is_refused(levels: int) -> None:
    with pytest.raises(safejson.UnsafeJson, match="nested deeper than 32 levels"):
        safejson.loads("[" * levels + "]" * levels)


def test_given_exactly_32_levels_of_objects_and_arrays_then_it_parses() -> None:
    text = '{"a":' * 16 + "[" * 16 + "1" + "]" * 16 + "}" * 16
    assert safejson.depth(safejson.loads(text)) == 32


@pytest.mark.parametrize(
    "literal", ["9" * 41, "-" + "9" * 40, "1." + "0" * 39, "1e999", "NaN", "Infinity", "-Infinity"])
def test_given_a_number_json_cannot_hold_then_it_is_refused(literal: str) -> None:
    with pytest.raises(safejson.UnsafeJson):
        safejson.loads(f'{{"n": {literal}}}')


def test_given_a_40_character_number_then_it_parses() -> None:
    assert safejson.loads("9" * 40) == int("9" * 40)


def test_given_malformed_json_then_the_standard_decode_error_names_the_position() -> None:
    with pytest.raises(json.JSONDecodeError) as caught:
        safejson.loads('{"a": }')
    assert caught.value.pos == 6


def test_the_depth_of_scalars_and_flat_containers() -> None:
    assert safejson.depth(1) == 0
    assert safejson.depth([]) == 1
    assert safejson.depth({"a": [1, {"b": []}]}) == 4


def test_given_a_float_beyond_double_range_then_the_refusal_says_it_is_too_large() -> None:
    with pytest.raises(safejson.UnsafeJson, match=r"^a number is too large$"):
        safejson.loads('{"n": 1e999}')


def test_the_depth_counts_a_deep_container_listed_before_a_scalar() -> None:
    # The walk pops the last child first: a scalar there must not end the count.
    assert safejson.depth([[[[]]], 1]) == 4


@pytest.mark.parametrize(("literal", "reason"), [
    ("4.0957479725231317e-206", "too close to zero"), ("-1e-131", "too close to zero"),
    ("1e126", "too large"), ("-1.5e200", "too large")])
def test_given_a_fraction_dynamodb_cannot_store_then_it_is_refused_by_name(literal: str, reason: str) -> None:
    with pytest.raises(safejson.UnsafeJson, match=reason):
        safejson.loads(f'{{"value": {literal}}}')


@pytest.mark.parametrize("literal", ["1e-130", "-1e-130", "9.99e125", "0.0", "-0.0", "1e-400"])
def test_given_a_fraction_inside_dynamodbs_range_or_zero_then_it_parses(literal: str) -> None:
    assert safejson.loads(literal) == float(literal)

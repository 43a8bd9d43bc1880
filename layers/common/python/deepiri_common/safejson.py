"""One bounded JSON parse for whatever a client sends: REST bodies and WebSocket frames.

Python's parser recurses once per nesting level and turns any digit string into an integer, so a
body nested a thousand levels deep or holding a 5,000-digit number ends in RecursionError or
ValueError deep inside a library, which would surface as a server error. Here both are refused up
front, by name: at most :data:`MAX_DEPTH` levels of arrays and objects, numbers of at most
:data:`MAX_NUMBER_CHARS` characters, and no ``NaN`` / ``Infinity`` (not JSON). A fraction must also fit
DynamoDB's number range (a magnitude from 1E-130 to below 1E+126, or zero): a smaller one such as
``4e-206`` passes every model bound yet fails the write, which would surface as a server error.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 32
MAX_NUMBER_CHARS = 40
SMALLEST_MAGNITUDE = 1e-130  # DynamoDB's number range, which every stored value must fit
LARGEST_MAGNITUDE = 1e126  # exclusive


class UnsafeJson(ValueError):
    """The text is JSON, or tries to be, but not JSON this platform accepts; the message says why."""


def loads(text: str | bytes) -> Any:
    """Parse ``text`` within the limits above; raise :class:`UnsafeJson` naming the broken limit.

    Malformed JSON raises ``json.JSONDecodeError`` as ``json.loads`` does.
    """
    try:
        value = json.loads(text, parse_int=_integer, parse_float=_decimal, parse_constant=_constant)
    except RecursionError:
        raise UnsafeJson(f"nested deeper than {MAX_DEPTH} levels") from None
    if depth(value) > MAX_DEPTH:
        raise UnsafeJson(f"nested deeper than {MAX_DEPTH} levels")
    return value


def depth(value: Any) -> int:
    """How many levels of arrays and objects ``value`` has (a scalar has 0), counted without recursion."""
    deepest, pending = 0, [(value, 1)]
    while pending:
        node, level = pending.pop()
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else None
        if children is None:
            continue
        deepest = max(deepest, level)
        if level <= MAX_DEPTH:  # deeper is refused anyway; no need to walk it all
            pending.extend((child, level + 1) for child in children)
    return deepest


def _integer(literal: str) -> int:
    _check_length(literal)
    return int(literal)


def _decimal(literal: str) -> float:
    _check_length(literal)
    number = float(literal)
    if not math.isfinite(number) or abs(number) >= LARGEST_MAGNITUDE:
        raise UnsafeJson("a number is too large")
    if number and abs(number) < SMALLEST_MAGNITUDE:
        raise UnsafeJson(f"a number is too close to zero (its magnitude must be 0 or at least {SMALLEST_MAGNITUDE:g})")
    return number


def _check_length(literal: str) -> None:
    if len(literal) > MAX_NUMBER_CHARS:
        raise UnsafeJson(f"a number is longer than {MAX_NUMBER_CHARS} characters")


def _constant(name: str) -> Any:
    raise UnsafeJson(f"{name} is not a JSON number")

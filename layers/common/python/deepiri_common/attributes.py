"""DynamoDB's attribute-value form (``{"S": "text"}``) to Python and back, as ``boto3.dynamodb.types`` does.

The same rules and the same names (:class:`TypeSerializer`, :class:`TypeDeserializer`), so a data-access
module needs boto3 for neither: importing ``boto3.dynamodb.types`` runs boto3's whole package import
(see :mod:`deepiri_common.aws`). Numbers are ``Decimal`` in DynamoDB's context (38 digits; inexact or
rounded values are refused), floats are refused, and ``B`` values come back as ``bytes``. One departure: a
set of booleans is refused, where boto3 would store it as numbers that come back as ``Decimal``.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from decimal import Clamped, Context, Decimal, Inexact, Overflow, Rounded, Underflow
from typing import Any

DYNAMODB_CONTEXT = Context(Emin=-128, Emax=126, prec=38, traps=[Clamped, Overflow, Inexact, Rounded, Underflow])
_BINARY = (bytes, bytearray, memoryview)


def _is_number(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, float):
        raise TypeError("Float types are not supported. Use Decimal types instead.")
    return isinstance(value, int | Decimal)


def _number(value: int | Decimal) -> str:
    return str(DYNAMODB_CONTEXT.create_decimal(value))


def _scalar_kind(value: Any) -> str | None:
    """The attribute type of a scalar value, or None when ``value`` is a set, a collection or unsupported."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "BOOL"
    if _is_number(value):
        return "N"
    if isinstance(value, str):
        return "S"
    return "B" if isinstance(value, _BINARY) else None


_ENCODE: dict[str, Any] = {"NULL": lambda _: True, "BOOL": bool, "N": _number, "S": str, "B": bytes}
_DECODE: dict[str, Any] = {
    "NULL": lambda _: None,
    "BOOL": bool,
    "N": DYNAMODB_CONTEXT.create_decimal,
    "S": str,
    "B": bytes,
    "SS": set,
    "NS": lambda items: {DYNAMODB_CONTEXT.create_decimal(item) for item in items},
    "BS": lambda items: {bytes(item) for item in items},
}


class TypeSerializer:
    """Python → attribute value: None, bool, int/Decimal, str, bytes, sets of those, lists and mappings."""

    def serialize(self, value: Any) -> dict[str, Any]:
        """The attribute value of ``value``; TypeError for a type DynamoDB cannot hold (floats included)."""
        kind = _scalar_kind(value)
        if kind is not None:
            return {kind: _ENCODE[kind](value)}
        if isinstance(value, Set):
            return self._set(value)
        if isinstance(value, Mapping):
            return {"M": {str(key): self.serialize(item) for key, item in value.items()}}
        if isinstance(value, list | tuple):
            return {"L": [self.serialize(item) for item in value]}
        raise TypeError(f'Unsupported type "{type(value)}" for value "{value}"')

    @staticmethod
    def _set(values: Set[Any]) -> dict[str, Any]:
        if all(_is_number(item) for item in values):
            return {"NS": [_number(item) for item in values]}
        if all(isinstance(item, str) for item in values):
            return {"SS": list(values)}
        if all(isinstance(item, _BINARY) for item in values):
            return {"BS": [bytes(item) for item in values]}
        raise TypeError(f"a set must hold only numbers, only strings or only binary values: {values!r}")


class TypeDeserializer:
    """Attribute value → Python: the inverse of :class:`TypeSerializer` (numbers as ``Decimal``)."""

    def deserialize(self, value: Mapping[str, Any]) -> Any:
        """The Python value of one attribute value; TypeError when it is not one."""
        if not value or len(value) != 1:
            raise TypeError("Value must be a nonempty dictionary whose key is a valid dynamodb type.")
        ((kind, content),) = value.items()
        if kind == "L":
            return [self.deserialize(item) for item in content]
        if kind == "M":
            return {key: self.deserialize(item) for key, item in content.items()}
        if kind not in _DECODE:
            raise TypeError(f"Dynamodb type {kind} is not supported")
        return _DECODE[kind](content)

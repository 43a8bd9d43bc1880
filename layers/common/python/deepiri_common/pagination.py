"""Cursor pagination: a list answers at most ``limit`` items and an opaque cursor to the next page.

The cursor is DynamoDB's ``LastEvaluatedKey`` as compact JSON in url-safe base64. It is opaque to
clients, not secret: the repository must still scope its Query to the caller, so a forged cursor can
only move within the caller's own partition.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from deepiri_common.problems import BadRequest

T = TypeVar("T")

MAX_CURSOR_LENGTH = 2048
CURSOR_PATTERN = r"^[A-Za-z0-9_-]+$"  # url-safe base64 without padding: what encode_cursor writes
_CURSOR = re.compile(CURSOR_PATTERN)


class PageQuery(BaseModel):
    """The paging part of a list request's query string."""

    model_config = ConfigDict(extra="forbid")

    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=MAX_CURSOR_LENGTH, pattern=CURSOR_PATTERN)


class Page(BaseModel, Generic[T]):
    """One page of a list: ``{"items": [...], "nextCursor": "..." | null}``."""

    model_config = ConfigDict(serialize_by_alias=True, validate_by_name=True, validate_by_alias=True)

    items: list[T]
    next_cursor: str | None = Field(default=None, alias="nextCursor")


def encode_cursor(key: dict[str, Any]) -> str:
    """Turn a ``LastEvaluatedKey`` (attribute-value form or plain values) into an opaque cursor."""
    text = json.dumps(key, separators=(",", ":"), sort_keys=True, default=_number)
    # A cursor encodes a JSON object, whose final "}" makes the last base64 character 9, Q or J, never X: any
    # other characters added to the strip set are equivalent.
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def decode_cursor(text: str) -> dict[str, Any]:
    """Turn a cursor back into an ``ExclusiveStartKey``; ``BadRequest`` if it is not one we made."""
    if len(text) > MAX_CURSOR_LENGTH or not _CURSOR.fullmatch(text):
        raise BadRequest("invalid cursor")
    try:
        # the decoder accepts extra padding, so ``+len % 4`` decodes the same cursor (equivalent)
        raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        # Non-integers come back as Decimal, the only non-integer number boto3 accepts.
        key = json.loads(raw.decode(), parse_float=Decimal)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise BadRequest("invalid cursor") from None
    if not isinstance(key, dict) or not key or not all(isinstance(k, str) for k in key):
        raise BadRequest("invalid cursor")
    return key


def _number(value: object) -> int | float:
    # boto3's resource layer hands numbers over as Decimal.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"cannot put {type(value).__name__} into a cursor")


def query_all(client: Any, **args: Any) -> list[dict[str, Any]]:
    """Every item of a DynamoDB Query (low-level client), following ``LastEvaluatedKey`` to the end.

    For bounded, internal reads (a user's friends, a project's members); a client-facing list pages with
    ``encode_cursor`` instead.
    """
    return list(query_items(client, **args))


def query_items(client: Any, **args: Any) -> Iterator[dict[str, Any]]:
    """The items of a DynamoDB Query (low-level client) one by one, a page read only when the one before is
    used up: for jobs that walk an index of unbounded length (the users due in an hour, every connection)."""
    while True:
        response = client.query(**args)
        yield from response.get("Items", [])
        if "LastEvaluatedKey" not in response:
            return
        args = {**args, "ExclusiveStartKey": response["LastEvaluatedKey"]}

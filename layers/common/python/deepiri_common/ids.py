"""ULID identifiers: sortable by creation time, unique without coordination."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime

_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_DECODE = {ch: i for i, ch in enumerate(_ALPHABET)}
ULID_LENGTH = 26
# What any id may look like where a client names one (a path parameter, an id in a query): the
# unreserved URL characters and ``:``, at most 128 of them. Kept here, beside the ids, so that models can
# use it without importing the API layer.
ID_PATTERN = "^[A-Za-z0-9._~:-]{1,128}$"


def new_ulid(now_ms: int | None = None) -> str:
    """Return a new ULID: 48 bits of milliseconds since the epoch, then 80 random bits."""
    millis = int(time.time() * 1000) if now_ms is None else now_ms
    value = (millis << 80) | int.from_bytes(os.urandom(10), "big")  # "big" is the default since 3.11 (equivalent)
    chars = []
    for _ in range(ULID_LENGTH):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def is_ulid(text: str) -> bool:
    """Whether ``text`` is a well-formed ULID (Crockford base32, 26 characters, in range)."""
    return len(text) == ULID_LENGTH and text[0] in "01234567" and all(c in _DECODE for c in text)


def ulid_time(ulid: str) -> datetime:
    """The creation time encoded in a ULID."""
    if not is_ulid(ulid):
        raise ValueError(f"not a ULID: {ulid!r}")
    value = 0
    for ch in ulid[:10]:
        value = (value << 5) | _DECODE[ch]
    return datetime.fromtimestamp(value / 1000, tz=UTC)

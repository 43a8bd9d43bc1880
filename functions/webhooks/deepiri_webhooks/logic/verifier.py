"""Verify a Deepiri webhook delivery: the receiver's side of ``Deepiri-Signature`` (standard library only).

A delivery is a POST whose raw body is JSON, with the header::

    Deepiri-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256>

where the HMAC key is the subscription's secret (UTF-8) and the signed message is
``<t>.<raw body bytes>``. A receiver recomputes it over the body exactly as received (never a re-serialised
JSON), compares in constant time, and refuses a timestamp older (or newer) than its tolerance, so a
captured delivery cannot be replayed later. This module is what the README shows; copy it as it is.
"""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "Deepiri-Signature"
DEFAULT_TOLERANCE_SECONDS = 300


def expected_signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``<timestamp>.<body>`` under ``secret``."""
    message = str(timestamp).encode("ascii") + b"." + body  # codec names ignore case: "ASCII" is equivalent
    # codec names ignore case: "UTF-8" is equivalent
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def verify_signature(secret: str, body: bytes, header: str | None, *,
                     tolerance_seconds: int = DEFAULT_TOLERANCE_SECONDS, now: float | None = None) -> bool:
    """Whether ``header`` (the Deepiri-Signature value) signs ``body`` (the raw bytes) with ``secret``,
    at a time within ``tolerance_seconds`` of ``now``."""
    if not header:
        return False
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        # rpartition would differ only for a value holding "=", never a digit string nor a hex digest: such a
        # part is refused either way (equivalent)
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == "v1" and value:
            signatures.append(value)
    if timestamp is None or not signatures:
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance_seconds:
        return False
    expected = expected_signature(secret, timestamp, body)
    return any(hmac.compare_digest(expected, candidate) for candidate in signatures)

"""Signing a delivery: the headers every attempt carries, signed afresh with the attempt's time.

The scheme is the one :mod:`deepiri_webhooks.logic.verifier` checks (and the README documents).
"""

from __future__ import annotations

import secrets

from deepiri_webhooks.logic.verifier import SIGNATURE_HEADER, expected_signature

SECRET_PREFIX = "whsec_"
USER_AGENT = "Deepiri-Webhooks/1"


def new_secret() -> str:
    """A fresh signing secret: ``whsec_`` then 256 random bits, url-safe base64."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)  # 32 is also the default (dropping it is equivalent)


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    """The Deepiri-Signature value: ``t=<timestamp>,v1=<hex HMAC-SHA256 of "<t>.<body>">``."""
    return f"t={timestamp},v1={expected_signature(secret, timestamp, body)}"


def delivery_headers(secret: str, timestamp: int, body: bytes, event_type: str, delivery_id: str) -> dict[str, str]:
    """Every header of one attempt."""
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "Deepiri-Event": event_type,
        "Deepiri-Delivery": delivery_id,
        SIGNATURE_HEADER: signature_header(secret, timestamp, body),
    }

"""Signing a delivery and the documented verifier: what a receiver accepts and what it refuses."""

from __future__ import annotations

import hashlib
import hmac

from deepiri_webhooks.logic.signing import SECRET_PREFIX, delivery_headers, new_secret, signature_header
from deepiri_webhooks.logic.verifier import SIGNATURE_HEADER, verify_signature

SECRET = "whsec_test-secret"
BODY = b'{"data":{"level":3,"userId":"u1"},"id":"e1","type":"LevelUp"}'
NOW = 1_790_000_000


def test_given_a_body_then_the_header_is_t_and_v1_the_hmac_sha256_of_t_dot_body() -> None:
    header = signature_header(SECRET, NOW, BODY)

    expected = hmac.new(SECRET.encode(), f"{NOW}.".encode() + BODY, hashlib.sha256).hexdigest()
    assert header == f"t={NOW},v1={expected}"


def test_given_a_signed_delivery_then_the_verifier_accepts_it_within_the_tolerance() -> None:
    header = signature_header(SECRET, NOW, BODY)

    assert verify_signature(SECRET, BODY, header, now=NOW + 299)
    assert not verify_signature(SECRET, BODY, header, now=NOW + 301)  # a replay, later
    assert not verify_signature(SECRET, BODY, header, now=NOW - 301)


def test_given_a_tampered_body_or_another_secret_then_the_verifier_refuses() -> None:
    header = signature_header(SECRET, NOW, BODY)

    assert not verify_signature(SECRET, BODY.replace(b"3", b"4"), header, now=NOW)
    assert not verify_signature("whsec_other", BODY, header, now=NOW)
    # The same JSON re-serialised is not the signed body: receivers verify the raw bytes.
    assert not verify_signature(SECRET, b'{"id": "e1", "type": "LevelUp", "data": {"level": 3, "userId": "u1"}}',
                                header, now=NOW)


def test_given_a_malformed_or_moved_timestamp_then_the_verifier_refuses() -> None:
    mac = signature_header(SECRET, NOW, BODY).split("v1=")[1]

    assert not verify_signature(SECRET, BODY, None, now=NOW)
    assert not verify_signature(SECRET, BODY, "", now=NOW)
    assert not verify_signature(SECRET, BODY, f"v1={mac}", now=NOW)
    assert not verify_signature(SECRET, BODY, f"t={NOW}", now=NOW)
    assert not verify_signature(SECRET, BODY, f"t={NOW + 1},v1={mac}", now=NOW)  # the time is signed too
    assert verify_signature(SECRET, BODY, f"t={NOW}, v1=00ff, v1={mac}", now=NOW)  # any v1 may match


def test_given_an_attempt_then_its_headers_name_the_event_and_delivery_and_carry_the_signature() -> None:
    headers = delivery_headers(SECRET, NOW, BODY, "LevelUp", "01JD0000000000000000000D01")

    assert headers["Deepiri-Event"] == "LevelUp" and headers["Deepiri-Delivery"] == "01JD0000000000000000000D01"
    assert headers["Content-Type"] == "application/json"
    assert verify_signature(SECRET, BODY, headers[SIGNATURE_HEADER], now=NOW)


def test_given_two_new_secrets_then_they_differ_and_carry_the_prefix() -> None:
    first, second = new_secret(), new_secret()

    assert first != second and first.startswith(SECRET_PREFIX) and len(first) >= len(SECRET_PREFIX) + 43

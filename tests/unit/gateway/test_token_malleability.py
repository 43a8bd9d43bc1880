"""One token, one spelling: an ES256 signature rewritten to its high-s twin is refused."""

from __future__ import annotations

import base64

import pytest

from deepiri_common.problems import Unauthorized
from deepiri_common.tokens import KeyStore, issue_access_token, verify_access_token

ISSUER, AUDIENCE = "https://deepiri.test", "deepiri-api"
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def _twin(token: str) -> str:
    """The same token with s replaced by n - s: a signature every ECDSA verifier accepts."""
    head, _, signature = token.rpartition(".")
    raw = base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))
    s = int.from_bytes(raw[32:], "big")
    twin = raw[:32] + (P256_ORDER - s).to_bytes(32, "big")
    return f"{head}.{base64.urlsafe_b64encode(twin).rstrip(b'=').decode()}"


def _s(token: str) -> int:
    signature = token.rpartition(".")[2]
    return int.from_bytes(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4))[32:], "big")


@pytest.mark.parametrize("attempt", range(8))  # signatures are random: half would be high-s unsigned
def test_given_an_issued_token_then_its_signature_is_low_s_and_its_high_s_twin_is_refused(
        key_store: KeyStore, clock, attempt: int) -> None:
    token = issue_access_token(key_store, subject="01HZY3Q8M4W6T9V2K5R7N1P3XA", roles=["user"], issuer=ISSUER,
                               audience=AUDIENCE, now=clock())

    assert _s(token) <= P256_ORDER // 2
    assert verify_access_token(key_store, token, issuer=ISSUER, audience=AUDIENCE, now=clock()).sub
    with pytest.raises(Unauthorized, match="invalid token signature"):
        verify_access_token(key_store, _twin(token), issuer=ISSUER, audience=AUDIENCE, now=clock())


"""The edges of the ES256 signer and of the key set's rules: signature spellings, the low-s boundary,
keys stored by hand (as an operator or an older release might leave them), races and failures of the
secret, and the re-read of an unknown key id."""

from __future__ import annotations

import base64
import hashlib
import json
from datetime import datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from deepiri_common.clock import epoch_seconds, to_iso
from deepiri_common.problems import Unauthorized
from deepiri_common.tokens import (
    DEFAULT_OVERLAP,
    MAX_TOKEN_LENGTH,
    MIN_REFRESH_INTERVAL,
    PUBLICATION_DELAY,
    KeyStore,
    issue_access_token,
    verify_access_token,
)
from tests.unit.gateway.conftest import AUDIENCE, ISSUER, SECRET_NAME, Clock, FakeSecretsClient

# P-256 (FIPS 186-4 D.1.2.3), for signatures no honest signer produces.
P = 0xFFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
G = (0x6B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C296,
     0x4FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5)
Point = tuple[int, int] | None


def _add(a: Point, b: Point) -> Point:
    if a is None or b is None:
        return a or b
    if a[0] == b[0] and (a[1] + b[1]) % P == 0:
        return None
    doubling = (3 * a[0] * a[0] - 3) * pow(2 * a[1], -1, P)
    slope = (doubling if a == b else (b[1] - a[1]) * pow(b[0] - a[0], -1, P)) % P
    x = (slope * slope - a[0] - b[0]) % P
    return x, (slope * (a[0] - x) - a[1]) % P


def _times(k: int, point: Point) -> Point:
    result: Point = None
    while k:
        if k & 1:
            result = _add(result, point)
        point, k = _add(point, point), k >> 1
    return result


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segment(value: dict[str, Any]) -> str:
    return _b64(json.dumps(value, separators=(",", ":")).encode())


def _jwk(point: tuple[int, int], **extra: Any) -> dict[str, Any]:
    return {"kty": "EC", "crv": "P-256", "x": _b64(point[0].to_bytes(32, "big")),
            "y": _b64(point[1].to_bytes(32, "big")), **extra}


def _record(kid: str, public: dict[str, Any], created: datetime, retired: datetime | None = None,
            private: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"kid": kid, "alg": "ES256", "private_jwk": private or {**public, "d": _b64(b"\x01" * 32)},
            "public_jwk": public, "createdAt": to_iso(created), "retiredAt": to_iso(retired) if retired else None}


def _real_key(kid: str, created: datetime, retired: datetime | None = None) -> dict[str, Any]:
    numbers = ec.generate_private_key(ec.SECP256R1()).private_numbers()
    public = _jwk((numbers.public_numbers.x, numbers.public_numbers.y))
    return _record(kid, public, created, retired, {**public, "d": _b64(numbers.private_value.to_bytes(32, "big"))})


def _store_holding(clock: Clock, *records: dict[str, Any]) -> tuple[KeyStore, FakeSecretsClient]:
    secrets = FakeSecretsClient(json.dumps({"keys": list(records)}))
    return KeyStore(SECRET_NAME, secrets, clock=clock), secrets


def _claims(clock: Clock) -> dict[str, Any]:
    now = epoch_seconds(clock())
    return {"iss": ISSUER, "aud": AUDIENCE, "sub": "01HZY3Q8M4W6T9V2K5R7N1P3XA", "iat": now, "nbf": now,
            "exp": now + 900, "jti": "01HZY3Q8M4W6T9V2K5R7N1P3XB", "roles": ["user"], "token_use": "access", "tv": 0}


def _verify(store: KeyStore, clock: Clock, token: str) -> Any:
    return verify_access_token(store, token, issuer=ISSUER, audience=AUDIENCE, now=clock())


def _issue(store: KeyStore, clock: Clock, ttl_seconds: int = 900) -> str:
    return issue_access_token(store, subject="01HZY3Q8M4W6T9V2K5R7N1P3XA", roles=["user"], issuer=ISSUER,
                              audience=AUDIENCE, ttl_seconds=ttl_seconds, now=clock())


def _sign_with(store: KeyStore, signing_input: str) -> str:
    """A low-s ES256 signature of ``signing_input`` by the store's signing key."""
    r, s = decode_dss_signature(store.signing_key().key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    return _b64(r.to_bytes(32, "big") + min(s, N - s).to_bytes(32, "big"))


# ---------------------------------------------------------------- one token, one spelling


def _respelled(token: str, signature: str) -> str:
    return f"{token.rpartition('.')[0]}.{signature}"


def _spare_bits_set(signature: str) -> str:
    # 64 bytes take 86 characters; the last one carries 4 bits and 2 spare ones a decoder drops.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return signature[:-1] + alphabet[alphabet.index(signature[-1]) | 1]


@pytest.mark.parametrize(
    "respell",
    [_spare_bits_set, lambda s: s + "==", lambda s: s[:40] + "*" + s[40:], lambda s: "!!" + s[2:],
     lambda s: s[:-1], lambda s: s + "AAAA"],
    ids=["spare bits set", "padded", "a stray character", "not base64url", "one character short", "longer"],
)
def test_given_an_issued_token_when_its_signature_is_spelled_another_way_then_it_is_refused(
    key_store: KeyStore, clock: Clock, respell: Any
) -> None:
    token = _issue(key_store, clock)
    assert _verify(key_store, clock, token).sub

    with pytest.raises(Unauthorized) as refused:
        _verify(key_store, clock, _respelled(token, respell(token.rpartition(".")[2])))

    assert refused.value.detail == "invalid token signature"


def test_given_a_signed_payload_in_padded_base64_then_its_claims_are_malformed(
    key_store: KeyStore, clock: Clock
) -> None:
    header = _segment({"alg": "ES256", "typ": "JWT", "kid": key_store.signing_key().kid})
    signing_input = f"{header}.{_segment(_claims(clock))}=="

    with pytest.raises(Unauthorized) as refused:
        _verify(key_store, clock, f"{signing_input}.{_sign_with(key_store, signing_input)}")

    assert refused.value.detail == "malformed token claims"


def test_given_a_token_with_a_non_ascii_character_then_it_is_malformed(key_store: KeyStore, clock: Clock) -> None:
    token = _issue(key_store, clock)

    with pytest.raises(Unauthorized) as refused:
        _verify(key_store, clock, token[:-1] + "é")

    assert refused.value.detail == "malformed token"


def _signature_with_s(s: int, clock: Clock) -> tuple[dict[str, Any], str]:
    """A key record and a token whose ES256 signature is valid for that key and has exactly ``s``.

    Any (r, s) verifies under the public key r^-1 (s R - z G), R being the point whose x is r: the
    key is built for the signature, which is the only way to get an s of our choosing.
    """
    kid = "01HZY3Q8M4W6T9V2K5R7N1P3Q" + str(s % 10)
    signing_input = f"{_segment({'alg': 'ES256', 'typ': 'JWT', 'kid': kid})}.{_segment(_claims(clock))}"
    z = int.from_bytes(hashlib.sha256(signing_input.encode()).digest(), "big")
    k = 0x5EED
    while (point := _times(k, G)) is None or point[0] >= N:
        k += 1
    r = point[0]
    q = _times(pow(r, -1, N), _add(_times(s, point), _times(N - z % N, G)))
    assert q is not None
    token = f"{signing_input}.{_b64(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"
    return _record(kid, _jwk(q), clock() - timedelta(hours=1)), token


@pytest.mark.parametrize(("s", "accepted"), [(N // 2, True), (N // 2 + 1, False)], ids=["n/2", "n/2 + 1"])
def test_given_a_valid_signature_then_it_is_accepted_exactly_while_s_is_at_most_half_the_order(
    clock: Clock, s: int, accepted: bool
) -> None:
    record, token = _signature_with_s(s, clock)
    store, _ = _store_holding(clock, record)

    if accepted:
        assert _verify(store, clock, token).sub == "01HZY3Q8M4W6T9V2K5R7N1P3XA"
    else:
        with pytest.raises(Unauthorized, match=r"^invalid token signature$"):
            _verify(store, clock, token)


# ---------------------------------------------------------------- key sets left by hand


def test_given_the_only_key_retired_this_very_moment_when_signing_then_a_new_key_is_written(clock: Clock) -> None:
    store, secrets = _store_holding(clock, _real_key("OLD", clock() - timedelta(days=1), retired=clock()))

    kid = store.signing_key().kid

    assert kid != "OLD"
    assert [key["kid"] for key in json.loads(secrets.value)["keys"]] == ["OLD", kid]


def test_given_a_key_published_exactly_the_delay_ago_then_it_signs_rather_than_an_older_one(clock: Clock) -> None:
    older = _real_key("A-OLDER", clock() - timedelta(days=3))
    newer = _real_key("B-NEWER", clock() - PUBLICATION_DELAY)
    younger = _real_key("C-TOO-YOUNG", clock() - PUBLICATION_DELAY + timedelta(seconds=1))

    for order in ([older, newer, younger], [younger, newer, older]):
        store, _ = _store_holding(clock, *order)
        assert store.signing_key().kid == "B-NEWER"


def test_given_a_key_retired_exactly_the_overlap_ago_then_its_tokens_stop(clock: Clock) -> None:
    retiring = _real_key("RETIRING", clock() - timedelta(days=1), retired=clock() + timedelta(minutes=5))
    store, _ = _store_holding(clock, retiring, _real_key("NEXT", clock()))  # NEXT is not published yet
    token = _issue(store, clock, ttl_seconds=3 * 3600)  # outlives the overlap on purpose
    assert json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))["kid"] == "RETIRING"

    clock.advance(minutes=5, seconds=DEFAULT_OVERLAP.total_seconds() - 1)
    assert _verify(store, clock, token).sub
    clock.advance(seconds=1)
    with pytest.raises(Unauthorized, match=r"^unknown signing key$"):
        _verify(store, clock, token)


def test_given_a_stored_public_key_carrying_a_private_value_then_the_jwks_never_publishes_it(clock: Clock) -> None:
    record = _real_key("LEAKY", clock() - timedelta(hours=1))
    record["public_jwk"] = record["private_jwk"]
    store, _ = _store_holding(clock, record)

    (entry,) = store.jwks()["keys"]

    assert "d" not in entry and entry["x"] == record["private_jwk"]["x"]


@pytest.mark.parametrize(
    ("change", "message"),
    [({"crv": "P-384"}, "^the stored key is not a P-256 key$"), ({"kty": "RSA"}, "^the stored key is not a P-256 key$"),
     ({"x": "not*base64"}, "'x' is not a P-256 value"), ({"y": _b64(b"\x01" * 31)}, "'y' is not a P-256 value"),
     ({"d": _b64(b"\x01" * 33)}, "'d' is not a P-256 value")],
)
def test_given_a_stored_key_that_is_not_p256_when_it_is_used_then_the_error_says_which_part(
    clock: Clock, change: dict[str, str], message: str
) -> None:
    record = _real_key("ODD", clock() - timedelta(hours=1))
    record["private_jwk"] = {**record["private_jwk"], **change}
    store, _ = _store_holding(clock, record)

    with pytest.raises(ValueError, match=message):
        store.signing_key()


# ---------------------------------------------------------------- the secret's races and failures


def test_given_another_instance_initialised_after_this_one_read_the_placeholder_then_its_key_is_adopted(
    secrets: FakeSecretsClient, clock: Clock
) -> None:
    late = KeyStore(SECRET_NAME, secrets, clock=clock)
    assert late.jwks() == {"keys": []}  # caches the placeholder
    first = KeyStore(SECRET_NAME, secrets, clock=clock).signing_key().kid
    versions = len(secrets.versions)

    assert late.signing_key().kid == first
    assert len(secrets.versions) == versions


class _AlwaysLosing(FakeSecretsClient):
    """A secret whose every write loses a race to a writer that left no usable key set."""

    def put_secret_value(self, *, SecretId: str, SecretString: str, ClientRequestToken: str) -> dict[str, Any]:
        raise ClientError({"Error": {"Code": "ResourceExistsException", "Message": "taken"}}, "PutSecretValue")


def test_given_a_lost_race_that_left_no_key_then_the_error_says_so(clock: Clock) -> None:
    with pytest.raises(RuntimeError, match=r"^the signing key secret holds no active key after a write$"):
        KeyStore(SECRET_NAME, _AlwaysLosing(), clock=clock).signing_key()


class _Refusing(FakeSecretsClient):
    def __init__(self, response: dict[str, Any]) -> None:
        super().__init__()
        self.response = response

    def put_secret_value(self, *, SecretId: str, SecretString: str, ClientRequestToken: str) -> dict[str, Any]:
        raise ClientError(self.response, "PutSecretValue")  # type: ignore[arg-type]


@pytest.mark.parametrize("response", [{"Error": {"Code": "AccessDeniedException"}}, {"ResponseMetadata": {}}],
                         ids=["access denied", "no error code"])
def test_given_a_write_refused_for_another_reason_then_the_error_reaches_the_caller(
    clock: Clock, response: dict[str, Any]
) -> None:
    with pytest.raises(ClientError) as raised:
        KeyStore(SECRET_NAME, _Refusing(response), clock=clock).signing_key()
    assert raised.value.response == response


# ---------------------------------------------------------------- an unknown kid re-reads the secret


def _token_of_unpublished_key(secrets: FakeSecretsClient, clock: Clock) -> str:
    """Rotate, then sign with the new key before it signs for anyone (as another instance later will)."""
    signer = KeyStore(SECRET_NAME, secrets, clock=clock)
    new_kid = signer.rotate()
    later = KeyStore(SECRET_NAME, secrets, clock=lambda: clock() + PUBLICATION_DELAY)
    assert later.signing_key().kid == new_kid
    return issue_access_token(later, subject="01HZY3Q8M4W6T9V2K5R7N1P3XA", roles=["user"], issuer=ISSUER,
                              audience=AUDIENCE, now=clock())


@pytest.mark.parametrize(("seconds", "reread"), [(MIN_REFRESH_INTERVAL.total_seconds(), True),
                                                 (MIN_REFRESH_INTERVAL.total_seconds() - 1, False)])
def test_given_a_kid_the_cache_does_not_know_then_the_secret_is_read_again_once_the_interval_passed(
    secrets: FakeSecretsClient, clock: Clock, seconds: float, reread: bool
) -> None:
    verifier = KeyStore(SECRET_NAME, secrets, clock=clock)
    _verify(verifier, clock, _issue(KeyStore(SECRET_NAME, secrets, clock=clock), clock))  # cache filled now
    token = _token_of_unpublished_key(secrets, clock)
    reads = secrets.reads

    clock.advance(seconds=seconds)
    if reread:
        assert _verify(verifier, clock, token).sub
        assert secrets.reads == reads + 1
    else:
        with pytest.raises(Unauthorized, match=r"^unknown signing key$"):
            _verify(verifier, clock, token)
        assert secrets.reads == reads


def test_given_a_known_kid_when_the_cache_is_a_minute_old_then_the_secret_is_not_read_again(
    key_store: KeyStore, secrets: FakeSecretsClient, clock: Clock
) -> None:
    token = _issue(key_store, clock)
    reads = secrets.reads
    clock.advance(minutes=1)

    for _ in range(3):
        assert _verify(key_store, clock, token).sub

    assert secrets.reads == reads


def test_given_a_warm_store_when_issuing_repeatedly_then_the_secret_is_not_read_again(
    key_store: KeyStore, secrets: FakeSecretsClient, clock: Clock
) -> None:
    first = _issue(key_store, clock)
    reads = secrets.reads

    tokens = [_issue(key_store, clock) for _ in range(3)]

    assert secrets.reads == reads
    assert {token.split(".")[0] for token in tokens} == {first.split(".")[0]}  # the same kid signs


@pytest.mark.parametrize(("extra", "reason"), [(0, "invalid token signature"), (1, "malformed token")],
                         ids=["exactly the limit", "one over"])
def test_given_a_token_at_the_length_limit_then_only_a_longer_one_is_refused_unread(
    key_store: KeyStore, clock: Clock, extra: int, reason: str
) -> None:
    token = _issue(key_store, clock)
    padded = token + "A" * (MAX_TOKEN_LENGTH + extra - len(token))

    with pytest.raises(Unauthorized) as refused:
        _verify(key_store, clock, padded)

    assert len(padded) == MAX_TOKEN_LENGTH + extra
    assert refused.value.detail == reason


def test_given_the_documented_bounds_then_the_key_reread_interval_and_token_length_are_pinned() -> None:
    # The tests above derive their boundaries from these constants; these pin the values themselves.
    assert (timedelta(seconds=30), 8192) == (MIN_REFRESH_INTERVAL, MAX_TOKEN_LENGTH)


@pytest.mark.parametrize("claim", ["iss", "aud", "sub", "iat", "nbf", "exp", "jti", "roles", "token_use", "tv",
                                   "scope"])
def test_given_an_extra_claim_named_like_a_registered_one_then_issuing_refuses_it(
    key_store: KeyStore, clock: Clock, claim: str
) -> None:
    with pytest.raises(ValueError, match=f"may not override registered claims: \\['{claim}'\\]"):
        issue_access_token(key_store, subject="01HZY3Q8M4W6T9V2K5R7N1P3XA", roles=["user"], issuer=ISSUER,
                           audience=AUDIENCE, extra={claim: "x"}, now=clock())

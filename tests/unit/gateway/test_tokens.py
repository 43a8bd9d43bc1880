"""Access tokens and the signing key set (deepiri_common.tokens), against an in-memory secret."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Callable
from datetime import UTC, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jws
from joserfc.jwk import ECKey, RSAKey

from deepiri_common.clock import epoch_seconds
from deepiri_common.ids import is_ulid
from deepiri_common.problems import Unauthorized
from deepiri_common.tokens import (
    PUBLICATION_DELAY,
    KeyStore,
    SigningKey,
    issue_access_token,
    verify_access_token,
)
from tests.unit.gateway.conftest import AUDIENCE, ISSUER, SECRET_NAME, Clock, FakeSecretsClient


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _segment(value: dict[str, Any]) -> str:
    return _b64(json.dumps(value).encode())


def _issue(store: KeyStore, clock: Clock, **overrides: Any) -> str:
    args: dict[str, Any] = {
        "subject": "01HZY3Q8M4W6T9V2K5R7N1P3XA",
        "roles": ["user"],
        "issuer": ISSUER,
        "audience": AUDIENCE,
        "now": clock(),
    }
    return issue_access_token(store, **{**args, **overrides})


def _verify(store: KeyStore, clock: Clock, token: str, **overrides: Any) -> Any:
    return verify_access_token(store, token, issuer=ISSUER, audience=AUDIENCE, now=clock(), **overrides)


def _claims(clock: Clock, **overrides: Any) -> dict[str, Any]:
    now = epoch_seconds(clock())
    claims = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "01HZY3Q8M4W6T9V2K5R7N1P3XA",
        "iat": now,
        "nbf": now,
        "exp": now + 900,
        "jti": "01HZY3Q8M4W6T9V2K5R7N1P3XB",
        "roles": ["user"],
        "token_use": "access",
        "tv": 0,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


def _low_s(token: str) -> str:
    """A token signed by another library (joserfc, the independent reference here) in the one spelling
    the verifier accepts: its signature's s at most half the curve order."""
    head, _, signature = token.rpartition(".")
    raw = base64.urlsafe_b64decode(signature + "==")
    s = int.from_bytes(raw[32:], "big")
    low = raw[:32] + min(s, P256_ORDER - s).to_bytes(32, "big")
    return f"{head}.{_b64(low)}"


def _jose(signing: SigningKey) -> ECKey:
    return ECKey.import_key(signing.key)


def _signed_by_store(store: KeyStore, claims: dict[str, Any]) -> str:
    """A correctly signed ES256 token with arbitrary claims: only the claim checks can refuse it."""
    signing = store.signing_key()
    header = {"alg": "ES256", "typ": "JWT", "kid": signing.kid}
    return _low_s(jws.serialize_compact(header, json.dumps(claims), _jose(signing), algorithms=["ES256"]))


# ---------------------------------------------------------------- the happy path


def test_given_a_fresh_secret_when_a_token_is_issued_then_it_verifies_with_every_claim(
    key_store: KeyStore, clock: Clock
) -> None:
    token = _issue(key_store, clock, roles=["user", "admin"], token_version=3)

    claims = _verify(key_store, clock, token)

    assert claims.sub == "01HZY3Q8M4W6T9V2K5R7N1P3XA"
    assert claims.roles == ("user", "admin")
    assert claims.scopes is None
    assert claims.token_version == 3
    assert is_ulid(claims.jti)
    assert epoch_seconds(claims.exp) == epoch_seconds(clock()) + 900


def test_given_a_token_when_its_header_is_read_then_it_is_es256_jwt_with_the_signing_kid(
    key_store: KeyStore, clock: Clock
) -> None:
    token = _issue(key_store, clock)

    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    payload = json.loads(base64.urlsafe_b64decode(token.split(".")[1] + "=="))

    assert header == {"alg": "ES256", "typ": "JWT", "kid": key_store.signing_key().kid}
    assert payload["token_use"] == "access"
    assert payload["nbf"] == payload["iat"] and payload["exp"] == payload["iat"] + 900
    assert "scope" not in payload


def test_given_scopes_when_a_token_is_issued_then_they_come_back_as_a_set(
    key_store: KeyStore, clock: Clock
) -> None:
    token = _issue(key_store, clock, scopes=["tasks:read", "profile"])

    assert _verify(key_store, clock, token).scopes == frozenset({"tasks:read", "profile"})


def test_given_extra_claims_that_override_a_registered_one_when_issuing_then_it_is_refused(
    key_store: KeyStore, clock: Clock
) -> None:
    with pytest.raises(ValueError, match="sub"):
        _issue(key_store, clock, extra={"sub": "someone-else"})


def test_given_a_token_within_the_leeway_when_verified_then_small_clock_skew_is_tolerated(
    key_store: KeyStore, clock: Clock
) -> None:
    token = _issue(key_store, clock, ttl_seconds=60)

    clock.advance(seconds=60 + 29)

    assert _verify(key_store, clock, token).sub


# ---------------------------------------------------------------- forged and confused tokens


def _alg_none(store: KeyStore, clock: Clock) -> str:
    kid = store.signing_key().kid
    return f"{_segment({'alg': 'none', 'typ': 'JWT', 'kid': kid})}.{_segment(_claims(clock))}."


def _alg_none_with_signature(store: KeyStore, clock: Clock) -> str:
    return _alg_none(store, clock) + _b64(b"anything")


def _hs256_with_public_key(store: KeyStore, clock: Clock) -> str:
    # The classic confusion: sign with HMAC, using the published public key as the shared secret.
    kid = store.signing_key().kid
    public = ECKey.import_key(store.jwks()["keys"][0])
    pem = public.as_pem(private=False)
    signing_input = f"{_segment({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}.{_segment(_claims(clock))}"
    signature = hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(signature)}"


def _hs256_with_public_jwk_json(store: KeyStore, clock: Clock) -> str:
    kid = store.signing_key().kid
    secret = json.dumps(store.jwks()["keys"][0]).encode()
    signing_input = f"{_segment({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}.{_segment(_claims(clock))}"
    return f"{signing_input}.{_b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())}"


def _rs256_own_key(store: KeyStore, clock: Clock) -> str:
    rsa = RSAKey.generate_key(2048)
    header = {"alg": "RS256", "typ": "JWT", "kid": store.signing_key().kid}
    return jws.serialize_compact(header, json.dumps(_claims(clock)), rsa, algorithms=["RS256"])


def _unknown_kid(store: KeyStore, clock: Clock) -> str:
    stranger = ECKey.generate_key("P-256", private=True)
    header = {"alg": "ES256", "typ": "JWT", "kid": "01HZY3Q8M4W6T9V2K5R7N1P3ZZ"}
    return jws.serialize_compact(header, json.dumps(_claims(clock)), stranger, algorithms=["ES256"])


def _known_kid_foreign_key(store: KeyStore, clock: Clock) -> str:
    stranger = ECKey.generate_key("P-256", private=True)
    header = {"alg": "ES256", "typ": "JWT", "kid": store.signing_key().kid}
    return jws.serialize_compact(header, json.dumps(_claims(clock)), stranger, algorithms=["ES256"])


def _no_kid(store: KeyStore, clock: Clock) -> str:
    signing = store.signing_key()
    return jws.serialize_compact(
        {"alg": "ES256"}, json.dumps(_claims(clock)), _jose(signing), algorithms=["ES256"]
    )


def _expired(store: KeyStore, clock: Clock) -> str:
    issued = epoch_seconds(clock()) - 3600
    return _signed_by_store(store, _claims(clock, iat=issued, nbf=issued, exp=issued + 900))


def _nbf_in_future(store: KeyStore, clock: Clock) -> str:
    later = epoch_seconds(clock()) + 600
    return _signed_by_store(store, _claims(clock, nbf=later, exp=later + 900))


def _tampered_payload(store: KeyStore, clock: Clock) -> str:
    header, _, signature = _issue(store, clock).split(".")
    return f"{header}.{_segment(_claims(clock, roles=['user', 'admin']))}.{signature}"


def _signature_of_another_token(store: KeyStore, clock: Clock) -> str:
    first = _issue(store, clock).split(".")
    second = _issue(store, clock, subject="01HZY3Q8M4W6T9V2K5R7N1P3XC").split(".")
    return f"{first[0]}.{first[1]}.{second[2]}"


FORGERIES: dict[str, Callable[[KeyStore, Clock], str]] = {
    "alg none": _alg_none,
    "alg none with a signature": _alg_none_with_signature,
    "HS256 signed with the public key PEM": _hs256_with_public_key,
    "HS256 signed with the public JWK": _hs256_with_public_jwk_json,
    "RS256 with the attacker's key": _rs256_own_key,
    "unknown kid": _unknown_kid,
    "known kid, attacker's ES256 key": _known_kid_foreign_key,
    "no kid": _no_kid,
    "expired": _expired,
    "nbf in the future": _nbf_in_future,
    "iat in the future": lambda s, c: _signed_by_store(s, _claims(c, iat=epoch_seconds(c()) + 600)),
    "wrong audience": lambda s, c: _issue(s, c, audience="another-api"),
    "wrong issuer": lambda s, c: _issue(s, c, issuer="https://evil.example"),
    "missing exp": lambda s, c: _signed_by_store(s, _claims(c, exp=None)),
    "missing nbf": lambda s, c: _signed_by_store(s, _claims(c, nbf=None)),
    "missing iat": lambda s, c: _signed_by_store(s, _claims(c, iat=None)),
    "missing sub": lambda s, c: _signed_by_store(s, _claims(c, sub=None)),
    "missing jti": lambda s, c: _signed_by_store(s, _claims(c, jti=None)),
    "missing token_use": lambda s, c: _signed_by_store(s, _claims(c, token_use=None)),
    "exp as a string": lambda s, c: _signed_by_store(s, _claims(c, exp=str(epoch_seconds(c()) + 900))),
    "token_use refresh": lambda s, c: _signed_by_store(s, _claims(c, token_use="refresh")),
    "tampered payload": _tampered_payload,
    "signature of another token": _signature_of_another_token,
    "garbage string": lambda s, c: "not-a-jwt-at-all",
    "empty string": lambda s, c: "",
    "missing header": lambda s, c: "." + ".".join(_issue(s, c).split(".")[1:]),
    "header not JSON": lambda s, c: _b64(b"{alg:") + "." + ".".join(_issue(s, c).split(".")[1:]),
    "header a JSON list": lambda s, c: _segment([]) + "." + ".".join(_issue(s, c).split(".")[1:]),  # type: ignore[arg-type]
    "four segments": lambda s, c: _issue(s, c) + ".extra",
    "oversized": lambda s, c: _issue(s, c) + "A" * 10_000,
}


@pytest.mark.parametrize("forge", FORGERIES.values(), ids=FORGERIES.keys())
def test_given_a_forged_or_confused_token_when_verified_then_it_is_unauthorized_without_echoing_it(
    key_store: KeyStore, clock: Clock, forge: Callable[[KeyStore, Clock], str]
) -> None:
    token = forge(key_store, clock)

    with pytest.raises(Unauthorized) as refused:
        _verify(key_store, clock, token)

    assert refused.value.status == 401
    for part in filter(None, token.split(".")):
        assert part not in str(refused.value.detail)


@pytest.mark.parametrize(
    ("forge", "reason"),
    [
        (_alg_none, "malformed token"),  # an empty signature segment is refused before the header
        (_alg_none_with_signature, "unsupported token algorithm"),
        (_hs256_with_public_key, "unsupported token algorithm"),
        (_unknown_kid, "unknown signing key"),
        (_known_kid_foreign_key, "invalid token signature"),
        (_expired, "token expired"),
        (_nbf_in_future, "token not valid yet"),
        (FORGERIES["wrong audience"], "wrong token audience"),
        (FORGERIES["wrong issuer"], "wrong token issuer"),
        (FORGERIES["missing exp"], "malformed token claims"),
        (FORGERIES["token_use refresh"], "not an access token"),
        (_tampered_payload, "invalid token signature"),
        (FORGERIES["garbage string"], "malformed token"),
        (FORGERIES["empty string"], "malformed token"),
        (FORGERIES["oversized"], "malformed token"),
        (FORGERIES["header not JSON"], "malformed token"),
        (FORGERIES["header a JSON list"], "malformed token"),
        (FORGERIES["iat in the future"], "token not valid yet"),
        (_no_kid, "token names no signing key"),
        (lambda s, c: _signed_with_header(s, _claims(c), kid=""), "token names no signing key"),
        (lambda s, c: _signed_by_store_typ(s, _claims(c), "at+jwt"), "unsupported token type"),
    ],
)
def test_given_a_bad_token_when_refused_then_the_reason_says_why(
    key_store: KeyStore, clock: Clock, forge: Callable[[KeyStore, Clock], str], reason: str
) -> None:
    with pytest.raises(Unauthorized) as refused:
        _verify(key_store, clock, forge(key_store, clock))
    assert refused.value.detail == reason


def _signed_with_header(store: KeyStore, claims: dict[str, Any], **header: Any) -> str:
    signing = store.signing_key()
    full = {"alg": "ES256", "typ": "JWT", "kid": signing.kid, **header}
    return _low_s(jws.serialize_compact(full, json.dumps(claims), _jose(signing), algorithms=["ES256"]))


def _signed_by_store_typ(store: KeyStore, claims: dict[str, Any], typ: str | None) -> str:
    signing = store.signing_key()
    header = {"alg": "ES256", "kid": signing.kid, **({"typ": typ} if typ else {})}
    return _low_s(jws.serialize_compact(header, json.dumps(claims), _jose(signing), algorithms=["ES256"]))


def test_given_a_token_without_a_type_header_then_it_is_taken_as_a_jwt(key_store: KeyStore, clock: Clock) -> None:
    assert _verify(key_store, clock, _signed_by_store_typ(key_store, _claims(clock), None)).sub


@pytest.mark.parametrize(("shift", "valid"), [(-29, True), (-30, False)])
def test_given_the_default_leeway_then_a_token_expired_under_thirty_seconds_ago_still_verifies(
    key_store: KeyStore, clock: Clock, shift: int, valid: bool
) -> None:
    token = _signed_by_store(key_store, _claims(clock, exp=epoch_seconds(clock()) + shift))

    if valid:
        assert _verify(key_store, clock, token).sub
    else:
        with pytest.raises(Unauthorized, match=r"^token expired$"):
            _verify(key_store, clock, token)


@pytest.mark.parametrize(("claim", "shift", "valid"), [("nbf", 30, True), ("nbf", 31, False),
                                                         ("iat", 30, True), ("iat", 31, False)])
def test_given_the_leeway_then_a_token_from_thirty_seconds_ahead_still_verifies(
    key_store: KeyStore, clock: Clock, claim: str, shift: int, valid: bool
) -> None:
    token = _signed_by_store(key_store, _claims(clock, **{claim: epoch_seconds(clock()) + shift}))

    if valid:
        assert _verify(key_store, clock, token).sub
    else:
        with pytest.raises(Unauthorized, match=r"^token not valid yet$"):
            _verify(key_store, clock, token)



def test_given_an_audience_list_containing_ours_when_verified_then_it_is_accepted(
    key_store: KeyStore, clock: Clock
) -> None:
    token = _signed_by_store(key_store, _claims(clock, aud=["other-api", AUDIENCE]))

    assert _verify(key_store, clock, token).sub


# ---------------------------------------------------------------- key set: caching, rotation, initialisation


def test_given_a_placeholder_secret_when_only_verifying_then_nothing_is_written(
    key_store: KeyStore, secrets: FakeSecretsClient
) -> None:
    assert key_store.jwks() == {"keys": []}
    assert key_store.verification_key("01HZY3Q8M4W6T9V2K5R7N1P3ZZ") is None
    assert secrets.current == "version-0-created-by-cloudformation"


def test_given_an_initialised_key_set_when_jwks_is_read_then_it_publishes_only_public_parts(
    key_store: KeyStore,
) -> None:
    kid = key_store.signing_key().kid

    (entry,) = key_store.jwks()["keys"]

    assert entry["kid"] == kid and entry["alg"] == "ES256" and entry["use"] == "sig"
    assert entry["kty"] == "EC" and entry["crv"] == "P-256"
    assert "d" not in entry


def test_given_a_warm_store_when_asked_repeatedly_then_secrets_manager_is_read_once_per_five_minutes(
    key_store: KeyStore, secrets: FakeSecretsClient, clock: Clock
) -> None:
    token = _issue(key_store, clock)
    reads = secrets.reads

    for _ in range(20):
        _verify(key_store, clock, token)
        key_store.public_keys()
    assert secrets.reads == reads

    clock.advance(minutes=5)
    key_store.public_keys()
    assert secrets.reads == reads + 1


def test_given_another_instance_rotated_when_a_new_kid_arrives_then_the_store_rereads_once(
    secrets: FakeSecretsClient, clock: Clock
) -> None:
    issuer_side = KeyStore(SECRET_NAME, secrets, clock=clock)
    authorizer_side = KeyStore(SECRET_NAME, secrets, clock=clock)
    _verify(authorizer_side, clock, _issue(issuer_side, clock))  # warms the authorizer's cache

    issuer_side.rotate()
    clock.advance(seconds=31)
    fresh = _issue(issuer_side, clock)

    assert _verify(authorizer_side, clock, fresh).sub


def test_given_forged_unknown_kids_when_they_arrive_in_a_burst_then_the_secret_is_not_hammered(
    key_store: KeyStore, secrets: FakeSecretsClient, clock: Clock
) -> None:
    key_store.public_keys()
    reads = secrets.reads

    for _ in range(50):
        with pytest.raises(Unauthorized):
            _verify(key_store, clock, _unknown_kid(key_store, clock))

    assert secrets.reads == reads


def test_given_a_token_from_the_old_key_when_rotated_then_it_verifies_during_the_overlap_only(
    key_store: KeyStore, clock: Clock
) -> None:
    old_kid = key_store.signing_key().kid
    old_token = _issue(key_store, clock, ttl_seconds=3 * 3600)  # outlives the overlap on purpose

    new_kid = key_store.rotate()

    assert new_kid != old_kid
    # Published at once, but the old key signs until every verifier's cache can have seen the new one.
    assert {entry["kid"] for entry in key_store.jwks()["keys"]} == {old_kid, new_kid}
    assert key_store.signing_key().kid == old_kid
    clock.advance(seconds=int(PUBLICATION_DELAY.total_seconds()))
    assert key_store.signing_key().kid == new_kid

    # The old key retired when the new one started signing; it verifies for the overlap after that.
    clock.advance(minutes=59)
    assert _verify(key_store, clock, old_token).sub
    clock.advance(minutes=1, seconds=1)
    with pytest.raises(Unauthorized, match="unknown signing key"):
        _verify(key_store, clock, old_token)
    assert [entry["kid"] for entry in key_store.jwks()["keys"]] == [new_kid]


def test_given_a_verifier_that_loaded_keys_before_a_rotation_then_every_token_signed_after_it_verifies(
    secrets: FakeSecretsClient, clock: Clock
) -> None:
    signer = KeyStore(SECRET_NAME, secrets, clock=clock)
    verifier = KeyStore(SECRET_NAME, secrets, clock=clock)
    signer.signing_key()
    _verify(verifier, clock, _issue(signer, clock))  # the verifier's cache now holds the old key set

    signer.rotate()
    for _ in range(8):  # through the publication delay and beyond, a minute at a time
        assert _verify(verifier, clock, _issue(signer, clock)).sub
        clock.advance(minutes=1)


def test_given_keys_retired_long_ago_when_rotating_again_then_they_leave_the_secret(
    key_store: KeyStore, secrets: FakeSecretsClient, clock: Clock
) -> None:
    first = key_store.signing_key().kid
    second = key_store.rotate()
    clock.advance(hours=2)

    third = key_store.rotate()

    stored = [key["kid"] for key in json.loads(secrets.value)["keys"]]
    assert first not in stored
    assert stored == [second, third]


def test_given_two_cold_stores_when_both_initialise_at_once_then_one_key_set_wins_for_both(
    secrets: FakeSecretsClient, clock: Clock
) -> None:
    first = KeyStore(SECRET_NAME, secrets, clock=clock)
    second = KeyStore(SECRET_NAME, secrets, clock=clock)
    winner: list[str] = []
    # The second store initialises between the first store's read and its write.
    secrets.before_put = lambda: winner.append(second.signing_key().kid)

    loser_kid = first.signing_key().kid

    assert loser_kid == winner[0]
    assert len(json.loads(secrets.value)["keys"]) == 1
    assert len(secrets.versions) == 2  # the placeholder and exactly one key set
    token = _issue(first, clock)
    assert _verify(second, clock, token).sub


def test_given_two_stores_when_both_rotate_from_the_same_version_then_only_one_key_is_added(
    secrets: FakeSecretsClient, clock: Clock
) -> None:
    first = KeyStore(SECRET_NAME, secrets, clock=clock)
    second = KeyStore(SECRET_NAME, secrets, clock=clock)
    first.signing_key()
    winner: list[str] = []
    secrets.before_put = lambda: winner.append(second.rotate())

    adopted = first.rotate()

    assert adopted == winner[0]
    assert len(json.loads(secrets.value)["keys"]) == 2


def test_given_an_initialised_secret_when_the_value_is_stored_then_it_has_the_documented_shape(
    key_store: KeyStore, secrets: FakeSecretsClient
) -> None:
    key_store.signing_key()

    (stored,) = json.loads(secrets.value)["keys"]

    assert set(stored) == {"kid", "alg", "private_jwk", "public_jwk", "createdAt", "retiredAt"}
    assert stored["alg"] == "ES256" and stored["retiredAt"] is None
    assert "d" in stored["private_jwk"] and "d" not in stored["public_jwk"]
    pem = ECKey.import_key(stored["private_jwk"]).as_pem(private=True)
    private = serialization.load_pem_private_key(pem, password=None)
    assert isinstance(private, ec.EllipticCurvePrivateKey) and private.curve.name == "secp256r1"


def test_given_bad_issuing_arguments_then_the_error_says_which(key_store: KeyStore, clock: Clock) -> None:
    with pytest.raises(ValueError) as no_subject:
        _issue(key_store, clock, subject="")
    assert str(no_subject.value) == "an access token needs a subject"
    with pytest.raises(ValueError) as no_ttl:
        _issue(key_store, clock, ttl_seconds=0)
    assert str(no_ttl.value) == "ttl_seconds must be positive"


def test_given_the_shortest_lifetime_then_a_one_second_token_is_issued_compact_with_version_zero(
    key_store: KeyStore, clock: Clock
) -> None:
    token = _issue(key_store, clock, ttl_seconds=1)

    payload = base64.urlsafe_b64decode(token.split(".")[1] + "==").decode()
    assert " " not in payload
    claims = json.loads(payload)
    assert claims["exp"] - claims["iat"] == 1 and claims["tv"] == 0
    assert _verify(key_store, clock, token).token_version == 0


def test_given_the_published_keys_then_each_names_its_kid_and_carries_no_private_part(key_store: KeyStore) -> None:
    key_store.signing_key()

    keys = key_store.jwks()["keys"]

    assert keys and all(set(k) >= {"kid", "alg", "use", "kty", "crv", "x", "y"} and "d" not in k for k in keys)
    assert {k["use"] for k in keys} == {"sig"} and {k["alg"] for k in keys} == {"ES256"}
    assert key_store.signing_key().kid in {k["kid"] for k in keys}


def test_given_an_oauth_token_then_its_grant_and_client_come_back_with_a_utc_expiry(
    key_store: KeyStore, clock: Clock
) -> None:
    token = _issue(key_store, clock, scopes=["tasks:read"], extra={"fid": "FAMILY1", "client_id": "CLIENT1"})

    claims = _verify(key_store, clock, token)

    assert (claims.family, claims.client_id) == ("FAMILY1", "CLIENT1")
    assert claims.exp.tzinfo is UTC and claims.exp == clock() + timedelta(seconds=900)


def test_given_a_token_that_is_not_text_then_it_is_malformed(key_store: KeyStore, clock: Clock) -> None:
    with pytest.raises(Unauthorized) as refused:
        _verify(key_store, clock, b"a.b.c")  # type: ignore[arg-type]
    assert refused.value.detail == "malformed token"


def test_given_an_audience_that_merely_contains_ours_then_it_is_refused(key_store: KeyStore, clock: Clock) -> None:
    with pytest.raises(Unauthorized) as refused:
        _verify(key_store, clock, _issue(key_store, clock, audience=AUDIENCE + "-v2"))
    assert refused.value.detail == "wrong token audience"


def test_given_a_rotation_then_the_new_key_signs_exactly_when_its_publication_delay_has_passed(
    key_store: KeyStore, secrets: FakeSecretsClient, clock: Clock
) -> None:
    from deepiri_common.tokens import PUBLICATION_DELAY  # noqa: PLC0415

    old = key_store.signing_key().kid
    new = key_store.rotate()
    clock.advance(seconds=PUBLICATION_DELAY.total_seconds() - 1)
    # A cold instance reads the secret afresh
    assert KeyStore(SECRET_NAME, secrets, clock=clock).signing_key().kid == old

    clock.advance(seconds=1)
    assert KeyStore(SECRET_NAME, secrets, clock=clock).signing_key().kid == new

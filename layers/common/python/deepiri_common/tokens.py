"""Signing keys and access tokens (ES256 JWTs).

The key set lives in one Secrets Manager secret as JSON::

    {"keys": [{"kid", "alg": "ES256", "private_jwk", "public_jwk", "createdAt", "retiredAt": null | iso}]}

The template creates that secret with a generated placeholder string, so any value that is not a valid
key set means "not initialised yet": the first caller that needs to sign writes the first key.
Every write is a new secret version whose ClientRequestToken is derived from the version it replaces,
so of two writers racing from the same version exactly one wins; the other gets
``ResourceExistsException`` and adopts the winner's key set.

Verification is deliberately narrow: the algorithm is pinned to ES256 before any key is chosen, the key
is picked by ``kid`` from our own key set only (never from ``jku``/``jwk``/``x5u`` headers), and every
claim we issue is required back. Every failure is a :class:`~deepiri_common.problems.Unauthorized` with
a short, fixed reason that never contains the token.

ES256 is the one algorithm, so it is written here on cryptography's ECDSA primitive (RFC 7515 A.3: the
signature is r and s as two 32-byte big-endian integers) rather than through a general JOSE library,
whose key handling imports ``cryptography.x509`` and doubled the cold start of every token issuer.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol

from botocore.exceptions import ClientError
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature, encode_dss_signature
from cryptography.hazmat.primitives.hashes import SHA256
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from deepiri_common.clock import epoch_seconds, to_iso, utc_now
from deepiri_common.ids import new_ulid
from deepiri_common.problems import Unauthorized

ALGORITHM = "ES256"
CURVE = "P-256"
TOKEN_TYPE = "JWT"
DEFAULT_OVERLAP = timedelta(hours=1)
DEFAULT_CACHE_TTL = timedelta(minutes=5)
# A token naming a kid we do not know may mean another instance just rotated; re-read the secret, but
# not more often than this, so forged kids cannot turn the authorizer into a Secrets Manager hammer.
MIN_REFRESH_INTERVAL = timedelta(seconds=30)
# A new key signs only once every verifier has had time to load it (their cache lives DEFAULT_CACHE_TTL);
# until then the previous key keeps signing, so a rotation never produces tokens nobody can verify yet.
PUBLICATION_DELAY = DEFAULT_CACHE_TTL + timedelta(minutes=1)
MAX_TOKEN_LENGTH = 8192

# Any claim we set ourselves; ``extra`` claims may not override them.
_REGISTERED_CLAIMS = frozenset(
    {"iss", "aud", "sub", "iat", "nbf", "exp", "jti", "roles", "token_use", "tv", "scope"}
)
_VERSION_NAMESPACE = uuid.UUID("6f1f3c52-3f4e-4c61-9a0e-2b5b8f0e6d11")
_ECDSA = ec.ECDSA(SHA256())


class SecretsClient(Protocol):
    """The two Secrets Manager calls the key store makes; a boto3 ``secretsmanager`` client fits,
    hence the boto3 parameter names."""

    def get_secret_value(self, *, SecretId: str) -> Mapping[str, Any]: ...

    def put_secret_value(
        self,
        *,
        SecretId: str,
        SecretString: str,
        ClientRequestToken: str,
    ) -> Mapping[str, Any]: ...


class KeyRecord(BaseModel):
    """One signing key as stored in the secret."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, defer_build=True)

    kid: str = Field(min_length=1)
    alg: Literal["ES256"]
    private_jwk: dict[str, Any]
    public_jwk: dict[str, Any]
    created_at: datetime = Field(alias="createdAt")
    retired_at: datetime | None = Field(default=None, alias="retiredAt")

    def is_active(self, moment: datetime) -> bool:
        """Whether this key may sign new tokens at ``moment`` (a rotation retires it a little later)."""
        return self.retired_at is None or moment < self.retired_at

    def verifies_at(self, moment: datetime, overlap: timedelta) -> bool:
        """Whether tokens signed with this key are still accepted at ``moment``."""
        return self.retired_at is None or moment < self.retired_at + overlap

    def to_stored(self) -> dict[str, Any]:
        """The JSON shape kept in the secret."""
        return {
            "kid": self.kid,
            "alg": self.alg,
            "private_jwk": self.private_jwk,
            "public_jwk": self.public_jwk,
            "createdAt": to_iso(self.created_at),
            "retiredAt": to_iso(self.retired_at) if self.retired_at else None,
        }


class KeySetDocument(BaseModel):
    """The whole secret value."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    keys: list[KeyRecord] = Field(min_length=1)

    def newest_active(self, moment: datetime) -> KeyRecord | None:
        """The newest key that may sign at ``moment``, if any."""
        return _newest([key for key in self.keys if key.is_active(moment)])

    def signing_key(self, moment: datetime) -> KeyRecord | None:
        """The key new tokens are signed with: the newest active key published long enough for every
        verifier to know it; when none is yet (a fresh key set), the active key known longest."""
        published = [
            key for key in self.keys if key.is_active(moment) and key.created_at <= moment - PUBLICATION_DELAY
        ]
        active = [key for key in self.keys if key.is_active(moment)]
        return _newest(published) or (min(active, key=lambda key: key.created_at) if active else None)

    def to_secret_string(self) -> str:
        """Serialise for ``put_secret_value``."""
        return json.dumps({"keys": [key.to_stored() for key in self.keys]})


def _newest(keys: list[KeyRecord]) -> KeyRecord | None:
    """The most recently created of ``keys``; among equal times the later one in the set (keys are
    appended as they are created)."""
    if not keys:
        return None
    return max(enumerate(keys), key=lambda pair: (pair[1].created_at, pair[0]))[1]


@dataclass(frozen=True)
class SigningKey:
    """A private key ready to sign, with the ``kid`` that goes into the token header."""

    kid: str
    key: ec.EllipticCurvePrivateKey


class AccessClaims(BaseModel):
    """What a verified access token says about its bearer."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    sub: str
    roles: tuple[str, ...]
    scopes: frozenset[str] | None
    jti: str
    exp: datetime
    token_version: int
    family: str | None = None  # OAuth tokens: the grant (token family) they were issued under
    client_id: str | None = None  # OAuth tokens: the third-party application holding them


class _AccessPayload(BaseModel):
    """The claims an access token must carry; strict so that ``"exp": "1"`` or ``true`` is refused."""

    model_config = ConfigDict(strict=True, extra="ignore", defer_build=True)

    iss: str
    aud: str | list[str]
    sub: str = Field(min_length=1)
    jti: str = Field(min_length=1)
    iat: int
    nbf: int
    exp: int
    token_use: str
    roles: list[str]
    tv: int = Field(ge=0)
    scope: str | None = None
    fid: str | None = None
    client_id: str | None = None


@dataclass(frozen=True)
class _Snapshot:
    document: KeySetDocument | None
    version_id: str
    fetched_at: datetime


def _generate_key(now: datetime) -> KeyRecord:
    kid = new_ulid()
    numbers = ec.generate_private_key(ec.SECP256R1()).private_numbers()
    public = {
        "kty": "EC",
        "crv": CURVE,
        "x": _b64url(_coordinate(numbers.public_numbers.x)),
        "y": _b64url(_coordinate(numbers.public_numbers.y)),
    }
    return KeyRecord(
        kid=kid,
        alg=ALGORITHM,
        private_jwk={**public, "d": _b64url(_coordinate(numbers.private_value))},
        public_jwk=public,
        created_at=now,
    )


# ---------------------------------------------------------------- ES256 on P-256 (RFC 7518 3.4, 6.2)

_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
_COORDINATE_BYTES = 32


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).replace(b"=", b"").decode()


def _b64url_decode(text: str) -> bytes | None:
    """The bytes ``text`` spells in unpadded base64url, or None unless it is their one spelling (no
    padding, no stray characters, no stray bits), so a signature has exactly one written form."""
    try:
        data = base64.urlsafe_b64decode(text + "==")  # excess padding is ignored, missing padding is not
    except ValueError:  # binascii.Error included
        return None
    return data if _b64url(data) == text else None


def _coordinate(value: int) -> bytes:
    return value.to_bytes(_COORDINATE_BYTES)  # big-endian, as JWK and JWS want


def _jwk_integer(jwk: Mapping[str, Any], name: str) -> int:
    data = _b64url_decode(jwk[name])
    if data is None or len(data) != _COORDINATE_BYTES:
        raise ValueError(f"the stored key's {name!r} is not a P-256 value")
    return int.from_bytes(data)


def _public_numbers(jwk: Mapping[str, Any]) -> ec.EllipticCurvePublicNumbers:
    if jwk.get("kty") != "EC" or jwk.get("crv") != CURVE:
        raise ValueError("the stored key is not a P-256 key")
    return ec.EllipticCurvePublicNumbers(_jwk_integer(jwk, "x"), _jwk_integer(jwk, "y"), ec.SECP256R1())


def _private_key(jwk: Mapping[str, Any]) -> ec.EllipticCurvePrivateKey:
    return ec.EllipticCurvePrivateNumbers(_jwk_integer(jwk, "d"), _public_numbers(jwk)).private_key()


def _public_key(jwk: Mapping[str, Any]) -> ec.EllipticCurvePublicKey:
    return _public_numbers(jwk).public_key()


# ECDSA signatures are malleable: (r, s) and (r, n - s) both verify. Tokens are signed with the low s
# and only that form is accepted, so one token has exactly one spelling (caches and logs key on it).
def _sign(key: ec.EllipticCurvePrivateKey, signing_input: str) -> str:
    """The ES256 signature of ``signing_input``, in its low-s form."""
    r, s = decode_dss_signature(key.sign(signing_input.encode(), _ECDSA))
    return _b64url(_coordinate(r) + _coordinate(min(s, _P256_ORDER - s)))


def _signature_verifies(key: ec.EllipticCurvePublicKey, token: str) -> bool:
    """Whether the last segment of ``token`` is a low-s ES256 signature of the rest by ``key``."""
    signing_input, _, signature = token.rpartition(".")
    raw = _b64url_decode(signature)
    if raw is None or len(raw) != 2 * _COORDINATE_BYTES:
        return False
    r, s = int.from_bytes(raw[:_COORDINATE_BYTES]), int.from_bytes(raw[_COORDINATE_BYTES:])
    if s > _P256_ORDER // 2:
        return False
    try:
        key.verify(encode_dss_signature(r, s), signing_input.encode(), _ECDSA)
    except InvalidSignature:
        return False
    return True


def _next_version_token(current_version_id: str) -> str:
    """The ClientRequestToken for the version that replaces ``current_version_id``.

    Deterministic, so every writer starting from the same version asks for the same new version and
    Secrets Manager lets only the first one through (the others get ``ResourceExistsException``).
    """
    return str(uuid.uuid5(_VERSION_NAMESPACE, current_version_id))


def _is_resource_exists(error: ClientError) -> bool:
    return bool(error.response.get("Error", {}).get("Code") == "ResourceExistsException")


class KeyStore:
    """The signing key set kept in one Secrets Manager secret, cached in memory between calls."""

    def __init__(
        self,
        secret_name: str,
        client: SecretsClient,
        *,
        overlap: timedelta = DEFAULT_OVERLAP,
        cache_ttl: timedelta = DEFAULT_CACHE_TTL,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._secret_name = secret_name
        self._client = client
        self._overlap = overlap
        self._cache_ttl = cache_ttl
        self._clock = clock
        self._snapshot: _Snapshot | None = None
        self._verifiers: dict[str, ec.EllipticCurvePublicKey] = {}

    def public_keys(self) -> list[dict[str, Any]]:
        """JWKS entries of the keys that verify now: active ones and ones retired within the overlap."""
        now = self._clock()
        document = self._cached().document
        if document is None:
            return []
        return [_public_entry(key) for key in document.keys if key.verifies_at(now, self._overlap)]

    def jwks(self) -> dict[str, list[dict[str, Any]]]:
        """The JSON Web Key Set to publish at ``/.well-known/jwks.json``."""
        return {"keys": self.public_keys()}

    def verification_key(self, kid: str) -> ec.EllipticCurvePublicKey | None:
        """The public key for ``kid`` if it still verifies, re-reading the secret once if it is unknown."""
        snapshot = self._cached()
        key = self._verifying_key(snapshot, kid)
        if key is not None or self._clock() - snapshot.fetched_at < MIN_REFRESH_INTERVAL:
            return key
        return self._verifying_key(self._refresh(), kid)

    def signing_key(self) -> SigningKey:
        """The key to sign with now, writing the first key set if the secret is not initialised yet."""
        record = _signing_record(self._cached(), self._clock())
        if record is None:
            # Not initialised as far as this cache knows: another instance may have done it since.
            snapshot = self._refresh()
            record = _signing_record(snapshot, self._clock()) or self._write_next(snapshot)
        return SigningKey(kid=record.kid, key=_private_key(record.private_jwk))

    def rotate(self) -> str:
        """Add a new signing key and schedule the retirement of the active one; returns the new ``kid``.

        The new key is published at once and signs after ``PUBLICATION_DELAY``, when the previous key
        retires; retired keys keep verifying for the overlap window, so tokens already issued stay
        valid. Keys retired longer ago than that are dropped from the secret.
        """
        return self._write_next(self._refresh()).kid

    def _write_next(self, snapshot: _Snapshot) -> KeyRecord:
        """Write the key set of ``snapshot`` (just read) with a new key; the key that signs after the write."""
        current = snapshot.document
        now = self._clock()
        new_key = _generate_key(now)
        kept = [] if current is None else [self._retire(key, now) for key in current.keys]
        kept = [key for key in kept if key.verifies_at(now, self._overlap)]
        document = KeySetDocument(keys=[*kept, new_key])
        version_token = _next_version_token(snapshot.version_id)
        try:
            self._client.put_secret_value(
                SecretId=self._secret_name,
                SecretString=document.to_secret_string(),
                ClientRequestToken=version_token,
            )
        except ClientError as error:
            if not _is_resource_exists(error):
                raise
            # Another writer replaced the same version first: theirs is the key set now.
            return _require_active(self._refresh().document, now)
        # every later write reads the version afresh before writing, so the kept id is never read (equivalent)
        self._snapshot = _Snapshot(document=document, version_id=version_token, fetched_at=now)
        return new_key

    @staticmethod
    def _retire(key: KeyRecord, now: datetime) -> KeyRecord:
        return key if key.retired_at else key.model_copy(update={"retired_at": now + PUBLICATION_DELAY})

    def _verifying_key(self, snapshot: _Snapshot, kid: str) -> ec.EllipticCurvePublicKey | None:
        if snapshot.document is None:
            return None
        now = self._clock()
        record = {key.kid: key for key in snapshot.document.keys}.get(kid)
        if record is None or not record.verifies_at(now, self._overlap):
            return None
        if kid not in self._verifiers:
            self._verifiers[kid] = _public_key(record.public_jwk)
        return self._verifiers[kid]

    def _cached(self) -> _Snapshot:
        if self._snapshot is None or self._clock() - self._snapshot.fetched_at >= self._cache_ttl:
            return self._refresh()
        return self._snapshot

    def _refresh(self) -> _Snapshot:
        response = self._client.get_secret_value(SecretId=self._secret_name)
        self._snapshot = _Snapshot(
            document=_parse_key_set(response.get("SecretString")),
            version_id=response["VersionId"],
            fetched_at=self._clock(),
        )
        return self._snapshot


def _parse_key_set(secret_string: object) -> KeySetDocument | None:
    if not isinstance(secret_string, str):
        return None
    try:
        return KeySetDocument.model_validate_json(secret_string)
    except ValidationError:
        return None  # the template's generated placeholder, or anything else that is not a key set


def _signing_record(snapshot: _Snapshot, moment: datetime) -> KeyRecord | None:
    return snapshot.document.signing_key(moment) if snapshot.document else None


def _require_active(document: KeySetDocument | None, moment: datetime) -> KeyRecord:
    record = document.newest_active(moment) if document else None
    if record is None:
        raise RuntimeError("the signing key secret holds no active key after a write")
    return record


def _public_entry(key: KeyRecord) -> dict[str, Any]:
    public = {name: value for name, value in key.public_jwk.items() if name != "d"}
    return {**public, "kid": key.kid, "alg": key.alg, "use": "sig"}


def issue_access_token(
    key_store: KeyStore,
    *,
    subject: str,
    roles: list[str] | tuple[str, ...],
    issuer: str,
    audience: str,
    ttl_seconds: int = 900,
    scopes: list[str] | tuple[str, ...] | frozenset[str] | None = None,
    token_version: int = 0,
    extra: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> str:
    """Sign an ES256 access token for ``subject``.

    ``scopes`` is given only for third-party (OAuth) tokens; first-party tokens carry no ``scope``.
    ``extra`` adds claims but may not override a registered one.
    """
    if not subject:
        raise ValueError("an access token needs a subject")
    if ttl_seconds <= 0:
        raise ValueError("ttl_seconds must be positive")
    clashing = set(extra or {}) & _REGISTERED_CLAIMS
    if clashing:
        raise ValueError(f"extra claims may not override registered claims: {sorted(clashing)}")
    issued = epoch_seconds(now or utc_now())
    claims: dict[str, Any] = {
        **(extra or {}),
        "iss": issuer,
        "aud": audience,
        "sub": subject,
        "iat": issued,
        "nbf": issued,
        "exp": issued + ttl_seconds,
        "jti": new_ulid(),
        "roles": list(roles),
        "token_use": "access",
        "tv": token_version,
    }
    if scopes is not None:
        claims["scope"] = " ".join(sorted(scopes))
    signing = key_store.signing_key()
    header = {"alg": ALGORITHM, "typ": TOKEN_TYPE, "kid": signing.kid}
    signing_input = f"{_b64url(_compact_json(header))}.{_b64url(_compact_json(claims))}"
    return f"{signing_input}.{_sign(signing.key, signing_input)}"


def _compact_json(value: Mapping[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def verify_access_token(
    key_store: KeyStore,
    token: str,
    *,
    issuer: str,
    audience: str,
    leeway_seconds: int = 30,
    now: datetime | None = None,
) -> AccessClaims:
    """Verify an access token's ES256 signature and claims, or raise ``Unauthorized``.

    The reason in the exception is one of a few fixed phrases; it never contains the token.
    """
    header = _read_header(token)
    if header.get("alg") != ALGORITHM:
        raise Unauthorized("unsupported token algorithm")
    if header.get("typ", TOKEN_TYPE) != TOKEN_TYPE:
        raise Unauthorized("unsupported token type")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise Unauthorized("token names no signing key")
    key = key_store.verification_key(kid)
    if key is None:
        raise Unauthorized("unknown signing key")
    if not _signature_verifies(key, token):
        raise Unauthorized("invalid token signature")
    payload = _read_payload(token.split(".")[1])
    moment = epoch_seconds(now or utc_now())
    _check_claims(payload, issuer=issuer, audience=audience, now=moment, leeway=leeway_seconds)
    return AccessClaims(
        sub=payload.sub,
        roles=tuple(payload.roles),
        scopes=frozenset(payload.scope.split()) if payload.scope is not None else None,
        jti=payload.jti,
        exp=datetime.fromtimestamp(payload.exp, tz=UTC),
        token_version=payload.tv,
        family=payload.fid,
        client_id=payload.client_id,
    )


def _read_header(token: object) -> dict[str, Any]:
    if not isinstance(token, str) or not token.isascii() or len(token) > MAX_TOKEN_LENGTH:
        raise Unauthorized("malformed token")
    segments = token.split(".")
    if len(segments) != 3 or not all(segments):
        raise Unauthorized("malformed token")
    try:
        padded = segments[0] + "=" * (-len(segments[0]) % 4)  # extra padding decodes alike (equivalent)
        header = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))  # "ASCII": the same codec (equivalent)
    except (ValueError, UnicodeError, binascii.Error):
        raise Unauthorized("malformed token") from None
    if not isinstance(header, dict):
        raise Unauthorized("malformed token")
    return header


def _read_payload(segment: str) -> _AccessPayload:
    raw = _b64url_decode(segment)
    if raw is None:
        raise Unauthorized("malformed token claims")
    try:
        return _AccessPayload.model_validate_json(raw)
    except ValidationError:
        raise Unauthorized("malformed token claims") from None


def _check_claims(payload: _AccessPayload, *, issuer: str, audience: str, now: int, leeway: int) -> None:
    if payload.token_use != "access":
        raise Unauthorized("not an access token")
    if payload.iss != issuer:
        raise Unauthorized("wrong token issuer")
    audiences = [payload.aud] if isinstance(payload.aud, str) else payload.aud
    if audience not in audiences:
        raise Unauthorized("wrong token audience")
    if now >= payload.exp + leeway:
        raise Unauthorized("token expired")
    if payload.nbf > now + leeway or payload.iat > now + leeway:
        raise Unauthorized("token not valid yet")

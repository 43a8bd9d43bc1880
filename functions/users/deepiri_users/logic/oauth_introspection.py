"""Token revocation (RFC 7009) and introspection (RFC 7662) for authenticated clients.

A client may revoke and introspect only tokens issued to itself; anything else is simply inactive
(introspection) or ignored (revocation), so neither endpoint can be used to probe other clients'
tokens. An access token is inactive when its signature or claims fail, its ``jti`` is in the revoked
set, or its token family has been revoked (code replay, refresh reuse, consent revocation). Revoking
an access token puts its ``jti`` in the revoked set until it expires; revoking a refresh token deletes
it and revokes its family, which also ends the access tokens issued from that grant.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from deepiri_common.clock import epoch_seconds, to_iso
from deepiri_common.problems import Unauthorized
from deepiri_common.tokens import KeyStore, verify_access_token
from deepiri_users.logic.oauth_clients import hash_secret
from deepiri_users.models.oauth import (
    OAuthClient,
    OAuthIntrospection,
    RefreshTokenRecord,
    TokenFamily,
)

INACTIVE = OAuthIntrospection(active=False)


@dataclass(frozen=True)
class VerifiedAccess:
    """The claims of an access token whose signature and lifetime were verified."""

    sub: str
    jti: str
    exp: int
    iat: int
    scope: str | None
    client_id: str | None
    family_id: str | None


class AccessVerifier(Protocol):
    def __call__(self, token: str) -> VerifiedAccess | None: ...


class TokenStateStore(Protocol):
    def get_refresh(self, token_hash: str) -> RefreshTokenRecord | None: ...

    def delete_refresh(self, token_hash: str) -> None: ...

    def get_family(self, family_id: str) -> TokenFamily | None: ...

    def revoke_family(self, family_id: str, revoked_at: str) -> None: ...

    def revoke_access(self, jti: str, expires_at: int) -> None: ...

    def is_access_revoked(self, jti: str) -> bool: ...


def key_store_verifier(key_store: KeyStore, *, issuer: str, audience: str) -> AccessVerifier:
    """An :class:`AccessVerifier` over the platform's signing keys."""

    def verify(token: str) -> VerifiedAccess | None:
        try:
            claims = verify_access_token(key_store, token, issuer=issuer, audience=audience, leeway_seconds=0)
        except Unauthorized:
            return None
        payload = _payload(token)  # the signature is verified: reading the other claims is safe now
        return VerifiedAccess(
            # every validly signed token carries iat, and a scope only as text: the defaults and the type check
            # are never decisive for a token that verified (equivalent mutants)
            sub=claims.sub, jti=claims.jti, exp=epoch_seconds(claims.exp), iat=int(payload.get("iat", 0)),
            scope=payload.get("scope") if isinstance(payload.get("scope"), str) else None,
            client_id=_text(payload.get("client_id")), family_id=_text(payload.get("fid")),
        )

    return verify


def _payload(token: str) -> dict[str, Any]:
    segment = token.split(".")[1]
    try:
        # the decoder reads extra "=" padding alike (equivalent)
        payload = json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))
    except (ValueError, binascii.Error):
        return {}
    return payload if isinstance(payload, dict) else {}


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2


def introspect(
    store: TokenStateStore, verify: AccessVerifier, client: OAuthClient, token: str | None, now: datetime
) -> OAuthIntrospection:
    """RFC 7662: what ``token`` grants, or ``{active: false}`` for anything invalid, expired, revoked or
    issued to another client."""
    if not token:
        return INACTIVE
    if looks_like_jwt(token):
        return _introspect_access(store, verify, client, token)
    record = _own_refresh(store, client, token)
    if record is None or record.usedAt is not None or epoch_seconds(now) >= record.validUntil:
        return INACTIVE
    if _family_revoked(store, record.familyId):
        return INACTIVE
    return OAuthIntrospection(active=True, scope=" ".join(sorted(record.scopes)), client_id=record.clientId,
                              sub=record.userId, exp=record.validUntil, token_type="refresh_token")


def _introspect_access(
    store: TokenStateStore, verify: AccessVerifier, client: OAuthClient, token: str
) -> OAuthIntrospection:
    claims = verify(token)
    if claims is None or claims.client_id != client.clientId or store.is_access_revoked(claims.jti):
        return INACTIVE
    if claims.family_id is not None and _family_revoked(store, claims.family_id):
        return INACTIVE
    return OAuthIntrospection(active=True, scope=claims.scope or "", client_id=claims.client_id, sub=claims.sub,
                              exp=claims.exp, iat=claims.iat, token_type="Bearer")


def revoke(
    store: TokenStateStore, verify: AccessVerifier, client: OAuthClient, token: str | None, now: datetime
) -> None:
    """RFC 7009: revoke ``token`` if it is the client's own; otherwise do nothing (the answer is 200 either way)."""
    if not token:
        return
    if looks_like_jwt(token):
        claims = verify(token)
        if claims is not None and claims.client_id == client.clientId:
            store.revoke_access(claims.jti, claims.exp)
        return
    record = _own_refresh(store, client, token)
    if record is not None:
        store.revoke_family(record.familyId, to_iso(now))
        store.delete_refresh(record.tokenHash)


def _own_refresh(store: TokenStateStore, client: OAuthClient, token: str) -> RefreshTokenRecord | None:
    record = store.get_refresh(hash_secret(token))
    return record if record is not None and record.clientId == client.clientId else None


def _family_revoked(store: TokenStateStore, family_id: str) -> bool:
    family = store.get_family(family_id)
    return family is None or family.is_revoked

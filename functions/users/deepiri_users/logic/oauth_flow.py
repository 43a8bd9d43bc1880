"""The token endpoint's grants: authorization code with PKCE, rotating refresh tokens, client credentials.

- PKCE (RFC 7636) is S256 only. Public clients must use it; a confidential client that sent a
  challenge must send the verifier, and a verifier without a challenge is refused.
- A code is bound to its client, user, redirect URI and scopes, lives five minutes and is used once:
  it is consumed with a conditional write; a second use is ``invalid_grant`` and revokes the token
  family its first exchange started (RFC 6749 §4.1.2).
- Every grant that reaches a user starts a token family. Refresh tokens rotate: each use retires the
  presented token and issues a new one in the same family; presenting a retired token again means it
  was stolen (or replayed), so the whole family is revoked (OAuth 2.0 Security BCP §4.14). A refresh
  token is issued only when ``offline_access`` was granted.
- Access tokens are the platform's ES256 JWTs with ``scope``, ``client_id`` and ``fid`` (family)
  claims; only the ``user`` role is delegated to a third-party client, never a privileged one.
- ``client_credentials`` is for confidential clients only; the token's subject is the client, it has
  no roles and at most the client's registered scopes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from deepiri_common.clock import epoch_seconds, to_iso
from deepiri_users.logic.oauth_clients import ClientStore, hash_secret, new_secret
from deepiri_users.logic.oauth_errors import (
    InvalidGrant,
    InvalidRequest,
    InvalidScope,
    UnauthorizedClient,
    UnsupportedGrantType,
)
from deepiri_users.logic.oauth_scopes import OFFLINE_ACCESS, format_scope, parse_scope, require_within
from deepiri_users.models.oauth import (
    AccountState,
    AuthorizationCode,
    OAuthClient,
    OAuthTokenResponse,
    RefreshTokenRecord,
    TokenFamily,
)

CODE_TTL_SECONDS = 300
CODE_CHALLENGE_METHODS = ("S256",)  # PKCE (RFC 7636): S256 only
DELEGABLE_ROLES = frozenset({"user"})
_VERIFIER = re.compile(r"[A-Za-z0-9\-._~]{43,128}")
_S256_CHALLENGE = re.compile(r"[A-Za-z0-9\-_]{43}")


class GrantStore(ClientStore, Protocol):
    """The records the grants read and write (implemented by ``dal.oauth.OAuthRepository``)."""

    def get_code(self, code_hash: str) -> AuthorizationCode | None: ...

    def consume_code(self, code_hash: str, used_at: str) -> bool: ...

    def start_family(self, family: TokenFamily, keep_until: int, refresh: RefreshTokenRecord | None) -> None: ...

    def get_family(self, family_id: str) -> TokenFamily | None: ...

    def revoke_family(self, family_id: str, revoked_at: str) -> None: ...

    def get_refresh(self, token_hash: str) -> RefreshTokenRecord | None: ...

    def rotate_refresh(self, old_hash: str, new: RefreshTokenRecord, used_at: str, keep_until: int) -> bool: ...

    def get_account(self, user_id: str) -> AccountState | None: ...


class AccessTokenSigner(Protocol):
    """Signs an access token (``deepiri_common.tokens.issue_access_token`` bound to the key store)."""

    def __call__(
        self, *, subject: str, roles: list[str], scopes: frozenset[str], token_version: int,
        claims: dict[str, str], now: datetime,
    ) -> str: ...


@dataclass(frozen=True)
class TokenLifetimes:
    """How long the tokens of a grant live, in seconds."""

    access: int
    refresh: int


# ---------------------------------------------------------------- PKCE
def s256_challenge(verifier: str) -> str:
    """The S256 code challenge of ``verifier``: base64url(sha256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()  # codec names ignore case (equivalent)
    # Codec names ignore case, and a 32-byte digest's base64url text never ends in X (its last character holds
    # 4 bits and two zero bits): other spellings and strip sets are equivalent.
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def is_valid_challenge(challenge: str) -> bool:
    """Whether ``challenge`` has the shape of an S256 challenge (43 base64url characters)."""
    return bool(_S256_CHALLENGE.fullmatch(challenge))


def pkce_matches(verifier: str | None, challenge: str) -> bool:
    """Whether ``verifier`` (43-128 unreserved characters) hashes to ``challenge`` under S256."""
    if verifier is None or not _VERIFIER.fullmatch(verifier):
        return False
    return hmac.compare_digest(s256_challenge(verifier), challenge)


def check_code_verifier(code: AuthorizationCode, verifier: str | None) -> None:
    """``InvalidGrant`` unless the verifier proves the code's challenge (or neither was used)."""
    if code.codeChallenge is None:
        if verifier is not None:
            raise InvalidGrant("code_verifier sent for a code issued without a code_challenge")
        return
    if not pkce_matches(verifier, code.codeChallenge):
        raise InvalidGrant("code_verifier does not match the code_challenge")


# ---------------------------------------------------------------- code issuance
class CodeWriter(Protocol):
    def put_code(self, code: AuthorizationCode) -> None: ...


def issue_code(
    store: CodeWriter, *, client_id: str, user_id: str, redirect_uri: str, scopes: frozenset[str],
    code_challenge: str | None, family_id: str, now: datetime,
) -> str:
    """Store a new authorization code bound to everything the token request must repeat; returns it."""
    code = new_secret()
    store.put_code(AuthorizationCode(
        codeHash=hash_secret(code), clientId=client_id, userId=user_id, redirectUri=redirect_uri,
        scopes=scopes, codeChallenge=code_challenge, codeChallengeMethod="S256" if code_challenge else None,
        familyId=family_id, validUntil=epoch_seconds(now) + CODE_TTL_SECONDS,
    ))
    return code


# ---------------------------------------------------------------- the token endpoint
def grant_tokens(
    store: GrantStore, sign: AccessTokenSigner, client: OAuthClient, form: Mapping[str, str], *,
    lifetimes: TokenLifetimes, now: datetime,
) -> OAuthTokenResponse:
    """Answer a token request from an authenticated ``client``; ``OAuthError`` when refused."""
    grant_type = form.get("grant_type")
    if not grant_type:
        raise InvalidRequest("grant_type is required")
    if grant_type == "authorization_code":
        return exchange_code(store, sign, client, form, lifetimes=lifetimes, now=now)
    if grant_type == "refresh_token":
        return refresh(store, sign, client, form, lifetimes=lifetimes, now=now)
    if grant_type == "client_credentials":
        return client_credentials(sign, client, form, lifetimes=lifetimes, now=now)
    raise UnsupportedGrantType("grant_type must be authorization_code, refresh_token or client_credentials")


def exchange_code(
    store: GrantStore, sign: AccessTokenSigner, client: OAuthClient, form: Mapping[str, str], *,
    lifetimes: TokenLifetimes, now: datetime,
) -> OAuthTokenResponse:
    """The authorization_code grant (RFC 6749 §4.1.3 with RFC 7636 §4.5)."""
    presented = form.get("code")
    if not presented:
        raise InvalidRequest("code is required")
    code = store.get_code(hash_secret(presented))
    if code is None or code.clientId != client.clientId:
        raise InvalidGrant("invalid authorization code")
    if code.usedAt is not None:
        store.revoke_family(code.familyId, to_iso(now))
        raise InvalidGrant("authorization code was already used; tokens issued from it are revoked")
    if epoch_seconds(now) >= code.validUntil:
        raise InvalidGrant("authorization code expired")
    if form.get("redirect_uri") != code.redirectUri:
        raise InvalidGrant("redirect_uri does not match the authorization request")
    try:
        check_code_verifier(code, form.get("code_verifier"))
    except InvalidGrant:
        if code.codeChallenge is not None:  # a wrong guess at the verifier burns the code: no second try
            store.consume_code(code.codeHash, to_iso(now))
        raise
    if not store.consume_code(code.codeHash, to_iso(now)):
        store.revoke_family(code.familyId, to_iso(now))
        raise InvalidGrant("authorization code was already used; tokens issued from it are revoked")
    account = active_account(store, code.userId)
    family = TokenFamily(familyId=code.familyId, clientId=client.clientId, userId=code.userId)
    refresh_token, record = _new_refresh(family, code.scopes, lifetimes, now)
    # _keep_until reads ``now`` only without a record, and a new family always has one (None is equivalent)
    store.start_family(family, _keep_until(record, lifetimes, now), record)
    access = _sign_for_user(sign, account, client, code.scopes, family_id=family.familyId, now=now)
    return OAuthTokenResponse(access_token=access, expires_in=lifetimes.access, scope=format_scope(code.scopes),
                              refresh_token=refresh_token)


def refresh(
    store: GrantStore, sign: AccessTokenSigner, client: OAuthClient, form: Mapping[str, str], *,
    lifetimes: TokenLifetimes, now: datetime,
) -> OAuthTokenResponse:
    """The refresh_token grant with rotation and reuse detection (RFC 6749 §6, Security BCP §4.14)."""
    presented = form.get("refresh_token")
    if not presented:
        raise InvalidRequest("refresh_token is required")
    record = store.get_refresh(hash_secret(presented))
    if record is None or record.clientId != client.clientId:
        raise InvalidGrant("invalid refresh token")
    if record.usedAt is not None:
        store.revoke_family(record.familyId, to_iso(now))
        raise InvalidGrant("refresh token was already used; the grant is revoked")
    if epoch_seconds(now) >= record.validUntil:
        raise InvalidGrant("refresh token expired")
    family = store.get_family(record.familyId)
    if family is None or family.is_revoked:
        raise InvalidGrant("refresh token was revoked")
    scopes = record.scopes
    if form.get("scope"):
        scopes = parse_scope(form.get("scope"))
        require_within(scopes, record.scopes, "this grant")
    account = active_account(store, record.userId)
    refresh_token, new_record = _new_refresh(family, record.scopes, lifetimes, now)
    assert new_record is not None  # the presented token proves offline_access was granted
    # _keep_until reads ``now`` only without a record, and a rotation always makes one (None is equivalent)
    if not store.rotate_refresh(record.tokenHash, new_record, to_iso(now), _keep_until(new_record, lifetimes, now)):
        # Lost a race against another use of the same token, or the family was revoked meanwhile.
        store.revoke_family(record.familyId, to_iso(now))
        raise InvalidGrant("refresh token was already used; the grant is revoked")
    access = _sign_for_user(sign, account, client, scopes, family_id=family.familyId, now=now)
    return OAuthTokenResponse(access_token=access, expires_in=lifetimes.access, scope=format_scope(scopes),
                              refresh_token=refresh_token)


def client_credentials(
    sign: AccessTokenSigner, client: OAuthClient, form: Mapping[str, str], *, lifetimes: TokenLifetimes,
    now: datetime,
) -> OAuthTokenResponse:
    """The client_credentials grant (RFC 6749 §4.4): a token for the client itself, no refresh token."""
    if not client.is_confidential:
        raise UnauthorizedClient("client_credentials is for confidential clients only")
    requested = parse_scope(form.get("scope")) or (client.scopes - {OFFLINE_ACCESS})
    if OFFLINE_ACCESS in requested:
        raise InvalidScope("offline_access is not available with client_credentials")
    require_within(requested, client.scopes)
    if not requested:
        raise InvalidScope("the client has no scope to grant")
    access = sign(subject=client.clientId, roles=[], scopes=requested, token_version=0,
                  claims={"client_id": client.clientId}, now=now)
    return OAuthTokenResponse(access_token=access, expires_in=lifetimes.access, scope=format_scope(requested))


# ---------------------------------------------------------------- helpers
def active_account(store: GrantStore, user_id: str) -> AccountState:
    """The user the grant was given by, or ``InvalidGrant`` when they are gone or disabled."""
    account = store.get_account(user_id)
    if account is None or account.disabled:
        raise InvalidGrant("the user of this grant cannot sign in")
    return account


def _new_refresh(
    family: TokenFamily, scopes: frozenset[str], lifetimes: TokenLifetimes, now: datetime
) -> tuple[str | None, RefreshTokenRecord | None]:
    if OFFLINE_ACCESS not in scopes:
        return None, None
    token = new_secret()
    return token, RefreshTokenRecord(
        tokenHash=hash_secret(token), familyId=family.familyId, clientId=family.clientId, userId=family.userId,
        scopes=scopes, validUntil=epoch_seconds(now) + lifetimes.refresh,
    )


def _keep_until(record: RefreshTokenRecord | None, lifetimes: TokenLifetimes, now: datetime) -> int:
    """How long a family must be kept: until its last refresh token and any access token expire."""
    latest = record.validUntil if record else epoch_seconds(now)
    return latest + lifetimes.access


def _sign_for_user(
    sign: AccessTokenSigner, account: AccountState, client: OAuthClient, scopes: frozenset[str], *,
    family_id: str, now: datetime,
) -> str:
    return sign(
        subject=account.userId, roles=sorted(account.roles & DELEGABLE_ROLES), scopes=scopes,
        token_version=account.tokenVersion, claims={"client_id": client.clientId, "fid": family_id}, now=now,
    )

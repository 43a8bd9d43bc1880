"""Sessions: token pairs, refresh-token rotation with reuse detection, and sign-out.

A sign-in starts a *family*. Each refresh spends the presented refresh token and hands out a new one
of the same family. Refresh tokens are opaque random strings; only their SHA-256 hash is stored.
Presenting a token that was already spent means someone holds a copy (theft, or a replay), so the
whole family is revoked: the thief and the victim both have to sign in again. A family also dies when
the user's token version moves past the one it started with (logout-all, password change or reset),
and when the account is disabled or deleted.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from deepiri_common.clock import epoch_seconds, to_iso, utc_now
from deepiri_common.ids import new_ulid
from deepiri_common.observability import logger
from deepiri_common.problems import Conflict, Unauthorized
from deepiri_users.models.accounts import Account, TokenPair
from deepiri_users.models.sessions import RefreshRecord, Session

INVALID_REFRESH = "invalid refresh token"


class SessionStore(Protocol):
    def start(self, session: Session, first: RefreshRecord) -> None: ...
    def get_refresh(self, token_hash: str) -> RefreshRecord | None: ...
    def get_session(self, user_id: str, family_id: str) -> Session | None: ...
    def rotate(self, old: RefreshRecord, new: RefreshRecord) -> None: ...
    def revoke_family(self, user_id: str, family_id: str) -> None: ...
    def revoke_all(self, user_id: str) -> None: ...


class AccountReader(Protocol):
    def get(self, user_id: str) -> Account | None: ...


class AccessTokenIssuer(Protocol):
    @property
    def ttl_seconds(self) -> int: ...

    def issue(self, account: Account) -> str: ...


@dataclass(frozen=True)
class SessionPolicy:
    """How long a family and its refresh tokens live."""

    refresh_ttl_seconds: int
    clock: Callable[[], datetime] = utc_now


def hash_token(token: str) -> str:
    """The stored form of an opaque token: SHA-256, hex (the tokens carry 256 random bits, so no salt)."""
    return hashlib.sha256(token.encode()).hexdigest()


def new_opaque_token() -> str:
    return secrets.token_urlsafe(32)  # 32 bytes is also the default (dropping it is equivalent)


def start_session(
    store: SessionStore, issuer: AccessTokenIssuer, policy: SessionPolicy, account: Account
) -> TokenPair:
    """Begin a new family for ``account`` and return its first token pair."""
    now = policy.clock()
    expires = epoch_seconds(now + timedelta(seconds=policy.refresh_ttl_seconds))
    session = Session(userId=account.userId, familyId=new_ulid(), tokenVersion=account.tokenVersion,
                      createdAt=to_iso(now), expiresAt=expires)
    token = new_opaque_token()
    store.start(session, RefreshRecord(tokenHash=hash_token(token), userId=account.userId,
                                       familyId=session.familyId, expiresAt=expires))
    return _pair(issuer, account, token)


def refresh_session(
    store: SessionStore, accounts: AccountReader, issuer: AccessTokenIssuer, policy: SessionPolicy,
    refresh_token: str,
) -> TokenPair:
    """Rotate ``refresh_token``: spend it and return a new pair of the same family.

    Every refusal is the same ``Unauthorized``; a spent token revokes its family first.
    """
    now = epoch_seconds(policy.clock())
    record = store.get_refresh(hash_token(refresh_token))
    if record is None or record.expiresAt <= now:
        raise Unauthorized(INVALID_REFRESH)
    if record.used:
        _revoke_on_reuse(store, record)
    session = store.get_session(record.userId, record.familyId)
    account = accounts.get(record.userId)
    if session is None or account is None or account.disabled or session.tokenVersion != account.tokenVersion:
        raise Unauthorized(INVALID_REFRESH)
    token = new_opaque_token()
    successor = RefreshRecord(tokenHash=hash_token(token), userId=record.userId, familyId=record.familyId,
                              expiresAt=session.expiresAt)
    try:
        store.rotate(record, successor)
    except Conflict:
        # Spent by a concurrent request in the meantime: the same copy was presented twice.
        _revoke_on_reuse(store, record)
    return _pair(issuer, account, token)


def end_session(store: SessionStore, user_id: str, refresh_token: str) -> None:
    """Sign out one device: revoke the family of ``refresh_token`` if it is the caller's.

    Unknown or foreign tokens are ignored, so signing out twice is harmless.
    """
    record = store.get_refresh(hash_token(refresh_token))
    if record is not None and record.userId == user_id:
        store.revoke_family(user_id, record.familyId)


def _revoke_on_reuse(store: SessionStore, record: RefreshRecord) -> None:
    store.revoke_family(record.userId, record.familyId)
    logger.warning("refresh token reuse: family revoked",
                   extra={"userId": record.userId, "familyId": record.familyId})
    raise Unauthorized(INVALID_REFRESH)


def _pair(issuer: AccessTokenIssuer, account: Account, refresh_token: str) -> TokenPair:
    return TokenPair(accessToken=issuer.issue(account), refreshToken=refresh_token, expiresIn=issuer.ttl_seconds)

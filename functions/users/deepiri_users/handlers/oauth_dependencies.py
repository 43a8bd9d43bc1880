"""The OAuth routes' collaborators, built once per process on first use (never at import)."""

from __future__ import annotations

from datetime import datetime
from functools import cache

from deepiri_common import aws
from deepiri_common.ratelimit import RateLimiter
from deepiri_common.settings import load_settings
from deepiri_common.tokens import KeyStore, issue_access_token
from deepiri_users.dal.oauth import OAuthRepository
from deepiri_users.logic.oauth_flow import AccessTokenSigner, TokenLifetimes
from deepiri_users.logic.oauth_introspection import AccessVerifier, key_store_verifier
from deepiri_users.settings import UsersSettings


def settings() -> UsersSettings:
    return load_settings(UsersSettings)


@cache
def repository() -> OAuthRepository:
    return OAuthRepository(settings().users_table, aws.client("dynamodb"))


@cache
def key_store() -> KeyStore:
    return KeyStore(settings().jwt_keys_secret, aws.client("secretsmanager"))


@cache
def rate_limiter() -> RateLimiter | None:
    """The token endpoint's limiter; ``None`` when no rate-limit table is configured."""
    table = settings().rate_limit_table
    return RateLimiter(table, aws.client("dynamodb")) if table else None


def lifetimes() -> TokenLifetimes:
    config = settings()
    return TokenLifetimes(access=config.access_token_ttl_seconds, refresh=config.refresh_token_ttl_seconds)


def signer() -> AccessTokenSigner:
    """Signs OAuth access tokens with the platform's key set, issuer, audience and access TTL."""
    config, keys = settings(), key_store()

    def sign(
        *, subject: str, roles: list[str], scopes: frozenset[str], token_version: int, claims: dict[str, str],
        now: datetime,
    ) -> str:
        return issue_access_token(
            keys, subject=subject, roles=roles, issuer=config.jwt_issuer, audience=config.jwt_audience,
            ttl_seconds=config.access_token_ttl_seconds, scopes=scopes, token_version=token_version,
            extra=claims, now=now,
        )

    return sign


def verifier() -> AccessVerifier:
    config = settings()
    return key_store_verifier(key_store(), issuer=config.jwt_issuer, audience=config.jwt_audience)

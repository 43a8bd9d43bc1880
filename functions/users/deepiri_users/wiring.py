"""Every collaborator the users functions use, built once per process on first use (never at import).

Each factory is named for what it returns and imports what it builds, so a function loads only what it
uses (the skills consumer never loads the token signer's cryptography or the password hasher): the
cold start of every function pays for its own collaborators only. Tests switch environments between
cases with :func:`reset`.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from deepiri_common import aws
from deepiri_common.settings import load_settings
from deepiri_users.settings import UsersSettings

if TYPE_CHECKING:
    from deepiri_common.ratelimit import RateLimiter
    from deepiri_common.tokens import KeyStore
    from deepiri_users.dal.accounts import AccountRepository
    from deepiri_users.dal.friendships import DynamoFriendshipReader
    from deepiri_users.dal.metrics import MetricRepository
    from deepiri_users.dal.oauth import OAuthRepository
    from deepiri_users.dal.skills import SkillRepository
    from deepiri_users.dal.social import SocialRepository
    from deepiri_users.logic.accounts import AccountServices
    from deepiri_users.logic.oauth_flow import AccessTokenSigner, TokenLifetimes
    from deepiri_users.logic.oauth_introspection import AccessVerifier


def settings() -> UsersSettings:
    return load_settings(UsersSettings)


@cache
def dynamodb_client() -> Any:
    return aws.client("dynamodb")


@cache
def key_store() -> KeyStore:
    """The signing key set; the first signer initialises it (hence the secret's write permission)."""
    from deepiri_common.tokens import KeyStore  # noqa: PLC0415
    return KeyStore(settings().jwt_keys_secret, aws.client("secretsmanager"))


@cache
def account_repository() -> AccountRepository:
    from deepiri_users.dal.accounts import AccountRepository  # noqa: PLC0415
    return AccountRepository(settings().users_table, dynamodb_client())


@cache
def friendship_reader() -> DynamoFriendshipReader:
    from deepiri_users.dal.friendships import DynamoFriendshipReader  # noqa: PLC0415
    return DynamoFriendshipReader(settings().users_table, dynamodb_client())


@cache
def account_services() -> AccountServices:
    from deepiri_common.ratelimit import RateLimiter  # noqa: PLC0415
    from deepiri_users.dal.sessions import SessionRepository  # noqa: PLC0415
    from deepiri_users.logic.access_tokens import JwtIssuer  # noqa: PLC0415
    from deepiri_users.logic.accounts import AccountServices  # noqa: PLC0415
    from deepiri_users.logic.sessions import SessionPolicy  # noqa: PLC0415
    config = settings()
    return AccountServices(
        accounts=account_repository(),
        sessions=SessionRepository(config.users_table, dynamodb_client()),
        issuer=JwtIssuer(key_store(), config.jwt_issuer, config.jwt_audience, config.access_token_ttl_seconds),
        policy=SessionPolicy(refresh_ttl_seconds=config.refresh_token_ttl_seconds),
        limiter=RateLimiter(config.rate_limit_table, dynamodb_client()),
        reset_ttl_seconds=config.reset_token_ttl_seconds,
        registrations_per_ip_per_hour=config.registrations_per_ip_per_hour,
    )


@cache
def oauth_repository() -> OAuthRepository:
    from deepiri_users.dal.oauth import OAuthRepository  # noqa: PLC0415
    return OAuthRepository(settings().users_table, dynamodb_client())


@cache
def oauth_rate_limiter() -> RateLimiter | None:
    """The token endpoint's limiter; ``None`` when no rate-limit table is configured."""
    from deepiri_common.ratelimit import RateLimiter  # noqa: PLC0415
    table = settings().rate_limit_table
    return RateLimiter(table, dynamodb_client()) if table else None


def token_lifetimes() -> TokenLifetimes:
    from deepiri_users.logic.oauth_flow import TokenLifetimes  # noqa: PLC0415
    config = settings()
    return TokenLifetimes(access=config.access_token_ttl_seconds, refresh=config.refresh_token_ttl_seconds)


def oauth_signer() -> AccessTokenSigner:
    """Signs OAuth access tokens with the platform's key set, issuer, audience and access TTL."""
    from deepiri_common.tokens import issue_access_token  # noqa: PLC0415
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


def access_verifier() -> AccessVerifier:
    from deepiri_users.logic.oauth_introspection import key_store_verifier  # noqa: PLC0415
    config = settings()
    return key_store_verifier(key_store(), issuer=config.jwt_issuer, audience=config.jwt_audience)


@cache
def metric_repository() -> MetricRepository:
    from deepiri_users.dal.metrics import MetricRepository  # noqa: PLC0415
    return MetricRepository(settings().users_table, dynamodb_client())


@cache
def skill_repository() -> SkillRepository:
    from deepiri_users.dal.skills import SkillRepository  # noqa: PLC0415
    return SkillRepository(settings().users_table, dynamodb_client())


@cache
def social_repository() -> SocialRepository:
    from deepiri_users.dal.social import SocialRepository  # noqa: PLC0415
    return SocialRepository(settings().users_table, dynamodb_client())


def reset() -> None:
    """Forget every collaborator (tests switch environments between cases)."""
    for cached in (dynamodb_client, key_store, account_repository, friendship_reader, account_services,
                   oauth_repository, oauth_rate_limiter, metric_repository, skill_repository, social_repository):
        cached.cache_clear()

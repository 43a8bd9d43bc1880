"""The accounts functions' collaborators, built once per process on first use (never at import)."""

from __future__ import annotations

from functools import cache
from typing import Any

from deepiri_common import aws
from deepiri_common.ratelimit import RateLimiter
from deepiri_common.settings import load_settings
from deepiri_common.tokens import KeyStore
from deepiri_users.dal.accounts import AccountRepository
from deepiri_users.dal.friendships import DynamoFriendshipReader
from deepiri_users.dal.sessions import SessionRepository
from deepiri_users.logic.accounts import AccountServices
from deepiri_users.logic.sessions import JwtIssuer, SessionPolicy
from deepiri_users.settings import UsersSettings


def settings() -> UsersSettings:
    return load_settings(UsersSettings)


@cache
def dynamodb() -> Any:
    return aws.client("dynamodb")


@cache
def key_store() -> KeyStore:
    """The signing key set; the first signer initialises it (hence the secret's write permission)."""
    return KeyStore(settings().jwt_keys_secret, aws.client("secretsmanager"))


@cache
def accounts() -> AccountRepository:
    return AccountRepository(settings().users_table, dynamodb())


@cache
def friendships() -> DynamoFriendshipReader:
    return DynamoFriendshipReader(settings().users_table, dynamodb())


@cache
def services() -> AccountServices:
    config = settings()
    return AccountServices(
        accounts=accounts(),
        sessions=SessionRepository(config.users_table, dynamodb()),
        issuer=JwtIssuer(key_store(), config.jwt_issuer, config.jwt_audience, config.access_token_ttl_seconds),
        policy=SessionPolicy(refresh_ttl_seconds=config.refresh_token_ttl_seconds),
        limiter=RateLimiter(config.rate_limit_table, dynamodb()),
        reset_ttl_seconds=config.reset_token_ttl_seconds,
        registrations_per_ip_per_hour=config.registrations_per_ip_per_hour,
    )


def reset() -> None:
    """Forget every collaborator (tests switch environments between cases)."""
    for cached in (dynamodb, key_store, accounts, friendships, services):
        cached.cache_clear()

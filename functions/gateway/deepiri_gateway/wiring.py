"""Every collaborator the gateway functions use, built once per process on first use (never at import).

Each factory is named for what it returns. Tests switch environments between cases with :func:`reset`.
"""

from __future__ import annotations

from functools import cache

from deepiri_common import aws
from deepiri_common.settings import load_settings
from deepiri_common.tokens import KeyStore
from deepiri_gateway.dal.probes import AwsProbe
from deepiri_gateway.dal.sessions import REVOCATION_SECONDS, UserSessionCheck
from deepiri_gateway.logic.authorization import Authorizer, SessionCheck, accept_every_session
from deepiri_gateway.settings import AuthorizerSettings


@cache
def authorizer() -> Authorizer:
    """The container's authorizer: settings, client and key store are created on first use only."""
    settings = load_settings(AuthorizerSettings)
    client = aws.client("secretsmanager")
    session_check: SessionCheck = accept_every_session
    if settings.users_table:
        # API Gateway may replay an answer for gateway_cache_seconds: the two caches together stay within the bound.
        session_cache = REVOCATION_SECONDS - settings.gateway_cache_seconds
        session_check = UserSessionCheck(settings.users_table, aws.client("dynamodb"), cache_seconds=session_cache)
    return Authorizer(
        key_store=KeyStore(settings.jwt_keys_secret, client),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        session_check=session_check,
    )


@cache
def dependency_probe() -> AwsProbe:
    """Reachability of the tables, queues and bus readiness checks."""
    return AwsProbe(aws.client("dynamodb"), aws.client("sqs"), aws.client("events"))


def reset() -> None:
    """Forget every collaborator (tests switch environments between cases)."""
    for cached in (authorizer, dependency_probe):
        cached.cache_clear()

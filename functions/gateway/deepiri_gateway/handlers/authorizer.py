"""Lambda REQUEST authorizer for the REST API and the WebSocket ``$connect`` route.

Environment: ``JWT_KEYS_SECRET`` (the key set secret), ``JWT_ISSUER``, ``JWT_AUDIENCE``, ``USERS_TABLE``
(optional: when set, each token's user must exist, be enabled and not have revoked it),
``AUTHORIZER_CACHE_SECONDS`` (how long API Gateway reuses this authorizer's answer for a token; the
per-user session cache gets the rest of the 5-second revocation bound), plus the variables every
function gets (:class:`deepiri_common.settings.CommonSettings`). They are read, and the
Secrets Manager client is created, on the first invocation; the key store and its cache then live as
long as the warm container.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import Field

from deepiri_common import aws
from deepiri_common.observability import logger
from deepiri_common.problems import Unauthorized
from deepiri_common.settings import CommonSettings, load_settings
from deepiri_common.tokens import KeyStore
from deepiri_gateway.dal.sessions import REVOCATION_SECONDS, UserSessionCheck
from deepiri_gateway.logic.authorization import (
    SessionCheck,
    accept_every_session,
    authorize,
    deny_policy,
    is_websocket_connect,
)

# API Gateway answers 401 only when the authorizer fails with exactly this message; any other error
# (Secrets Manager down, bad configuration) becomes a 500, so an outage never looks like bad credentials.
UNAUTHORIZED = "Unauthorized"


class AuthorizerSettings(CommonSettings):
    """What the authorizer needs beyond the common variables; the key set secret is mandatory here."""

    jwt_keys_secret: str = Field(min_length=1)
    users_table: str = Field(default="", alias="USERS_TABLE")
    gateway_cache_seconds: float = Field(default=0, ge=0, le=REVOCATION_SECONDS, alias="AUTHORIZER_CACHE_SECONDS")


@dataclass(frozen=True)
class Authorizer:
    """Decides one authorizer event; built once per container, or directly in tests."""

    key_store: KeyStore
    issuer: str
    audience: str
    session_check: SessionCheck = accept_every_session

    def __call__(self, event: Mapping[str, Any]) -> dict[str, Any]:
        """Return the Allow policy; refuse with ``Exception("Unauthorized")`` (REST: 401) or a Deny ($connect: 403)."""
        try:
            claims, policy = authorize(
                event,
                self.key_store,
                issuer=self.issuer,
                audience=self.audience,
                session_check=self.session_check,
            )
        except Unauthorized as denial:
            logger.info(
                "access denied",
                extra={"decision": "deny", "reason": denial.detail, "sub": denial.extensions.get("sub")},
            )
            if is_websocket_connect(event):
                return deny_policy(str(event.get("methodArn", "")))
            raise Exception(UNAUTHORIZED) from None
        logger.info("access allowed", extra={"decision": "allow", "sub": claims.sub})
        return policy


@cache
def default_authorizer() -> Authorizer:
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


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Entry point: ``deepiri_gateway.handlers.authorizer.handler``."""
    return default_authorizer()(event)

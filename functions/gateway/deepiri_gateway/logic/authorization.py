"""Who may call the API: the rules behind the Lambda REQUEST authorizer.

One authorizer guards both the REST API (bearer token in the ``Authorization`` header) and the
WebSocket ``$connect`` route, where browsers cannot set headers: there the token comes in the ``token``
query parameter or as an entry of ``Sec-WebSocket-Protocol``. A verified token becomes an Allow policy
for the whole stage, so a cached decision serves every route; anything else is a denial that the
handler turns into API Gateway's 401.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from deepiri_common.observability import logger
from deepiri_common.problems import Unauthorized
from deepiri_common.tokens import AccessClaims, KeyStore, verify_access_token

_BEARER = "bearer"
_ARN_PARTS = 6


class SessionCheck(Protocol):
    """A check of a verified token against the user's current state (disabled account, revoked token
    version). Raises ``Unauthorized`` when the session must end; returns ``None`` to let it through."""

    def __call__(self, claims: AccessClaims) -> None: ...


def accept_every_session(claims: AccessClaims) -> None:
    """The session check used until user state is consulted: a valid token is enough."""
    return None


def is_websocket_connect(event: Mapping[str, Any]) -> bool:
    """Whether ``event`` comes from the WebSocket API's ``$connect`` route rather than the REST API."""
    context = event.get("requestContext") or {}
    # A missing methodArn reads as "": None or "XXXX" in its place is equivalent (neither ends in "/$connect").
    method_arn = str(event.get("methodArn", ""))
    return (
        context.get("eventType") == "CONNECT"
        or context.get("routeKey") == "$connect"
        or method_arn.endswith("/$connect")
    )


def extract_token(event: Mapping[str, Any]) -> str | None:
    """The access token a REQUEST authorizer event carries, or ``None`` when it carries none.

    The ``Authorization: Bearer`` header always counts; the ``token`` query parameter and the
    ``Sec-WebSocket-Protocol`` header count only on WebSocket ``$connect``, because a token in a REST
    URL would end up in access logs and browser history.
    """
    headers = event.get("headers") or {}
    token = _bearer(_header(headers, "authorization"))
    if token or not is_websocket_connect(event):
        return token
    query = event.get("queryStringParameters") or {}
    token = str(query.get("token") or "").strip() or None
    return token or _from_subprotocols(_header(headers, "sec-websocket-protocol"))


def stage_resource(method_arn: str) -> str:
    """The ARN covering every route of the stage ``method_arn`` belongs to.

    ``arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/api/tasks`` becomes
    ``arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*``.
    """
    parts = method_arn.split(":", _ARN_PARTS - 1)
    if len(parts) != _ARN_PARTS or parts[:3] != ["arn", "aws", "execute-api"]:
        raise ValueError("not an execute-api method ARN")
    api_id, _, rest = parts[5].partition("/")
    stage = rest.partition("/")[0]
    if not api_id or not stage:
        raise ValueError("method ARN names no API and stage")
    return ":".join([*parts[:5], f"{api_id}/{stage}/*"])


def allow_policy(claims: AccessClaims, method_arn: str) -> dict[str, Any]:
    """The authorizer response that lets the token's subject call any route of the stage.

    ``context`` values reach the integration as ``requestContext.authorizer``; API Gateway accepts
    only strings, numbers and booleans there, hence the joined lists. ``scopes`` is present only for
    third-party (OAuth) tokens; first-party tokens are not scope-limited.
    """
    context: dict[str, str] = {
        "userId": claims.sub,
        "roles": ",".join(claims.roles),
        "tokenVersion": str(claims.token_version),
    }
    if claims.scopes is not None:
        context["scopes"] = " ".join(sorted(claims.scopes))
    return {
        "principalId": claims.sub,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [
                {"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": stage_resource(method_arn)}
            ],
        },
        "context": context,
    }


def deny_policy(method_arn: str) -> dict[str, Any]:
    """An explicit Deny for one route: API Gateway answers 403.

    Used for a refused WebSocket ``$connect``: a REST authorizer refuses with 401 by failing with
    "Unauthorized", but a WebSocket authorizer that fails is reported by the local emulator as a 500,
    so the handshake is refused with an explicit Deny instead (403 on AWS and locally alike).
    """
    return {
        "principalId": "anonymous",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": method_arn or "*"}],
        },
    }


def authorize(
    event: Mapping[str, Any],
    key_store: KeyStore,
    *,
    issuer: str,
    audience: str,
    session_check: SessionCheck = accept_every_session,
) -> tuple[AccessClaims, dict[str, Any]]:
    """Verify the event's token and return its claims with the Allow policy.

    Raises ``Unauthorized`` (with a short reason that never holds the token) when there is no token,
    it does not verify, the session check refuses it, or the event has no usable ``methodArn``.
    """
    token = extract_token(event)
    if token is None:
        raise Unauthorized("no access token")
    claims = verify_access_token(key_store, token, issuer=issuer, audience=audience)
    try:
        session_check(claims)
    except Unauthorized as refusal:
        # The subject is known by now; carry it so the denial can be attributed in the logs.
        raise Unauthorized(refusal.detail, sub=claims.sub) from None
    try:
        # Without a methodArn no stage can be named: "", None ("None") and "XXXX" are refused alike
        # as not an execute-api ARN (equivalent defaults).
        return claims, allow_policy(claims, str(event.get("methodArn", "")))
    except ValueError:
        raise Unauthorized("malformed method ARN") from None


def _header(headers: Mapping[str, Any], name: str) -> str | None:
    # Header names are case-insensitive, and API Gateway passes them as the client sent them.
    for key, value in headers.items():
        if key.lower() == name and isinstance(value, str):
            return value
    return None


def _bearer(value: str | None) -> str | None:
    if not value:
        return None
    scheme, _, credentials = value.strip().partition(" ")
    if scheme.lower() != _BEARER:
        return None
    return credentials.strip() or None


def _from_subprotocols(value: str | None) -> str | None:
    # Browsers send e.g. "Sec-WebSocket-Protocol: bearer, <jwt>"; the JWT is the entry shaped like one.
    # No header yields no JWT whatever stands in for it ("" or "XXXX": equivalent, neither has two dots).
    for entry in (value or "").split(","):
        candidate = entry.strip()
        if candidate.count(".") == 2:
            return candidate
    return None


# API Gateway answers 401 only when the authorizer fails with exactly this message; any other error
# (Secrets Manager down, bad configuration) becomes a 500, so an outage never looks like bad credentials.
UNAUTHORIZED = "Unauthorized"


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

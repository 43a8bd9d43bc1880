"""Who is calling: the identity the gateway's REQUEST authorizer put into the request context.

The authorizer has already verified the token; handlers only read what it passed on
(``requestContext.authorizer``, where API Gateway turns every value into a string).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aws_lambda_powertools.event_handler.api_gateway import BaseRouter
from pydantic import BaseModel, ConfigDict

from deepiri_common.problems import Forbidden, Unauthorized


class Caller(BaseModel):
    """The authenticated user. ``scopes`` is None for a first-party token, which may do anything."""

    model_config = ConfigDict(frozen=True)

    user_id: str
    roles: frozenset[str] = frozenset()
    scopes: frozenset[str] | None = None


def caller_from_event(event: Mapping[str, Any]) -> Caller:
    """Read the caller from an API Gateway REST proxy event; ``Unauthorized`` when there is none.

    Authorizer keys: ``userId``; ``roles`` comma-separated; ``scopes`` space-separated, absent (or
    null) for a first-party token. An empty ``scopes`` string means a token with no scope at all.
    """
    context = event.get("requestContext") or {}
    authorizer = context.get("authorizer") if isinstance(context, Mapping) else None
    if not isinstance(authorizer, Mapping):
        raise Unauthorized("no authenticated caller")
    user_id = str(authorizer.get("userId") or "").strip()
    if not user_id:
        raise Unauthorized("no authenticated caller")
    roles = frozenset(r.strip() for r in str(authorizer.get("roles") or "").split(",") if r.strip())
    raw_scopes = authorizer.get("scopes")
    scopes = None if raw_scopes is None else frozenset(str(raw_scopes).split())
    return Caller(user_id=user_id, roles=roles, scopes=scopes)


def current_caller(app: BaseRouter) -> Caller:
    """The caller of the request the resolver (or one of its routers) is handling now."""
    return caller_from_event(app.current_event.raw_event)


def caller_id(app: BaseRouter) -> str:
    """The signed-in user's id for the request ``app`` is handling (401 when there is none)."""
    return current_caller(app).user_id


def require_role(caller: Caller, role: str) -> None:
    """Raise ``Forbidden`` unless the caller holds ``role``."""
    if role not in caller.roles:
        raise Forbidden(f"requires the {role} role")


def require_scope(caller: Caller, scope: str) -> None:
    """Raise ``Forbidden`` when the caller's token is limited to scopes that do not include ``scope``."""
    if caller.scopes is not None and scope not in caller.scopes:
        raise Forbidden(f"requires the {scope} scope")

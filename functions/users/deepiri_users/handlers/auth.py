"""Authentication routes under /api/auth, and the public signing keys at /.well-known/jwks.json.

Open (no authorizer): register, login, refresh, password-reset, password-reset/confirm, verify-email
and the JWKS. Bearer: logout, logout-all.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response

from deepiri_common.api import api_handler, create_resolver
from deepiri_common.identity import current_caller
from deepiri_common.params import no_content
from deepiri_common.routes import Routes
from deepiri_users import wiring
from deepiri_users.logic import accounts, sessions
from deepiri_users.models.accounts import (
    Accepted,
    LoginRequest,
    PasswordResetConfirm,
    PasswordResetRequest,
    RefreshRequest,
    RegisterRequest,
    TokenPair,
    VerifyEmailRequest,
)
from deepiri_users.models.profiles import RegisteredUser

app = create_resolver()
routes = Routes(app)


def _source_ip() -> str:
    return app.current_event.request_context.identity.source_ip or "unknown"


@routes.post("/api/auth/register", open=True, status=201)
def register(body: RegisterRequest) -> tuple[RegisteredUser, int]:
    """Create an account; answers the user and a token pair."""
    return accounts.register(wiring.account_services(), body, _source_ip()), 201


@routes.post("/api/auth/login", open=True, problems=(401,))
def login(body: LoginRequest) -> TokenPair:
    """Sign in with email and password; answers a token pair."""
    return accounts.login(wiring.account_services(), body, _source_ip())


@routes.post("/api/auth/refresh", open=True, problems=(401,))
def refresh(body: RefreshRequest) -> TokenPair:
    """Rotate a refresh token; a reused one revokes its whole family."""
    s = wiring.account_services()
    return sessions.refresh_session(s.sessions, s.accounts, s.issuer, s.policy, body.refreshToken)


@routes.post("/api/auth/logout")
def logout(body: RefreshRequest) -> Response[None]:
    """End this session (its refresh token)."""
    sessions.end_session(wiring.account_services().sessions, current_caller(app).user_id, body.refreshToken)
    return no_content()


@routes.post("/api/auth/logout-all")
def logout_all() -> Response[None]:
    """End every session of yours."""
    accounts.logout_all(wiring.account_services(), current_caller(app).user_id)
    return no_content()


@routes.post("/api/auth/password-reset", open=True, status=202)
def request_password_reset(body: PasswordResetRequest) -> tuple[Accepted, int]:
    """Ask for a reset token by email (202 whether or not the email exists)."""
    return accounts.request_password_reset(wiring.account_services(), body, _source_ip()), 202


@routes.post("/api/auth/password-reset/confirm", open=True)
def confirm_password_reset(body: PasswordResetConfirm) -> Response[None]:
    """Set a new password with a reset token; every session ends."""
    accounts.confirm_password_reset(wiring.account_services(), body)
    return no_content()


@routes.post("/api/auth/verify-email", open=True)
def verify_email(body: VerifyEmailRequest) -> Response[None]:
    """Verify your email address with the emailed token."""
    accounts.verify_email(wiring.account_services(), body)
    return no_content()


@routes.get("/.well-known/jwks.json", open=True)
def jwks() -> dict[str, Any]:
    """The public keys that verify access tokens."""
    return wiring.key_store().jwks()


handler: Any = api_handler(app)

"""OAuth 2.0 provider routes under /api/oauth.

First-party routes (behind the gateway authorizer; a scoped third-party token gets 403):
client registration under ``/api/oauth/clients``, ``GET|POST /api/oauth/authorize`` and the user's
consents. Client-authenticated routes (open at the gateway, ``Auth: NONE``):
``POST /api/oauth/token|revoke|introspect``, form-encoded, answering in OAuth's own error format.
Nothing here logs a secret, code or token.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from http import HTTPStatus
from typing import Annotated, Any
from urllib.parse import parse_qsl

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from deepiri_common.api import api_handler, create_resolver
from deepiri_common.clock import utc_now
from deepiri_common.identity import Caller, current_caller
from deepiri_common.observability import logger
from deepiri_common.pagination import Page, PageQuery
from deepiri_common.problems import Forbidden, TooManyRequests
from deepiri_common.ratelimit import TokenBucket
from deepiri_common.routes import Routes
from deepiri_users import wiring
from deepiri_users.logic import oauth_authorize, oauth_clients, oauth_flow, oauth_introspection, oauth_metadata
from deepiri_users.logic.oauth_errors import InvalidClient, InvalidRequest, OAuthError, RateLimited
from deepiri_users.models.oauth import (
    AuthorizationServerMetadata,
    OAuthAuthorizeDecision,
    OAuthAuthorizeRequest,
    OAuthClient,
    OAuthClientCreated,
    OAuthClientRegistration,
    OAuthClientView,
    OAuthConsent,
    OAuthConsentScreen,
    OAuthErrorAnswer,
    OAuthIntrospection,
    OAuthRedirect,
    OAuthRevoked,
    OAuthTokenForm,
    OAuthTokenReference,
    OAuthTokenResponse,
)

FORM = "application/x-www-form-urlencoded"
NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}
TOKEN_BUCKET = TokenBucket(capacity=30, refill_per_second=0.5)  # per client id
MAX_FORM_FIELD = 4096

app = create_resolver(max_body_bytes=16 * 1024)
routes = Routes(app)


# ---------------------------------------------------------------- first-party routes
def _first_party() -> Caller:
    """The caller, who must hold a first-party token: third-party clients cannot manage OAuth."""
    caller = current_caller(app)
    if caller.scopes is not None:
        raise Forbidden("only a first-party session may manage OAuth clients and consents")
    return caller


@routes.post("/api/oauth/clients", status=201)
def register_client(registration: OAuthClientRegistration) -> Response[OAuthClientCreated]:
    """Register an OAuth client; its secret is shown once."""
    created = oauth_clients.register_client(wiring.oauth_repository(), _first_party().user_id, registration, utc_now())
    body: Any = created.model_dump(mode="json")
    return Response(HTTPStatus.CREATED, "application/json", body,
                    headers={**NO_STORE, "Location": f"/api/oauth/clients/{created.clientId}"})


@routes.get("/api/oauth/clients")
def list_clients(page: Annotated[PageQuery, Query()]) -> Page[OAuthClientView]:
    """Your OAuth clients."""
    owner = _first_party().user_id
    return oauth_clients.list_clients(wiring.oauth_repository(), owner, page.limit, page.cursor)


@routes.get("/api/oauth/clients/<clientId>")
def get_client(clientId: str) -> OAuthClientView:
    """One of your OAuth clients."""
    owner = _first_party().user_id
    return oauth_clients.client_view(oauth_clients.owned_client(wiring.oauth_repository(), owner, clientId))


@routes.delete("/api/oauth/clients/<clientId>")
def delete_client(clientId: str) -> Response[None]:
    """Delete one of your OAuth clients."""
    oauth_clients.delete_client(wiring.oauth_repository(), _first_party().user_id, clientId)
    return Response(HTTPStatus.NO_CONTENT, None, None)


@routes.get("/api/oauth/authorize")
def authorize_screen(request: Annotated[OAuthAuthorizeRequest, Query()]) -> OAuthConsentScreen:
    """The consent screen of an authorization request."""
    user = _first_party().user_id
    return oauth_authorize.consent_screen(wiring.oauth_repository(), user, request)


@routes.post("/api/oauth/authorize")
def authorize_decision(decision: OAuthAuthorizeDecision) -> Response[OAuthRedirect]:
    """Approve or refuse an authorization request; answers the redirect with code and state."""
    redirect: OAuthRedirect = oauth_authorize.decide(wiring.oauth_repository(), _first_party().user_id, decision,
                                                     utc_now())
    body: Any = redirect.model_dump(mode="json")
    return Response(HTTPStatus.OK, "application/json", body, headers=NO_STORE)


@routes.get("/api/oauth/consents")
def list_consents(page: Annotated[PageQuery, Query()]) -> Page[OAuthConsent]:
    """The applications you have granted access."""
    user = _first_party().user_id
    return oauth_authorize.list_consents(wiring.oauth_repository(), user, page.limit, page.cursor)


@routes.delete("/api/oauth/consents/<clientId>")
def revoke_consent(clientId: str) -> Response[None]:
    """Withdraw an application's access; its tokens stop at once."""
    oauth_authorize.revoke_consent(wiring.oauth_repository(), _first_party().user_id, clientId, utc_now())
    return Response(HTTPStatus.NO_CONTENT, None, None)


# ---------------------------------------------------------------- client-authenticated routes
# RFC 6749/7009/7662 answers leave as written (absent members stay absent): ``returns`` documents them.
@routes.post("/api/oauth/token", open=True, form=OAuthTokenForm, error_model=OAuthErrorAnswer, problems=(401, 429),
             returns=OAuthTokenResponse)
def token() -> Response[Any]:
    """OAuth token endpoint: authorization_code (PKCE), refresh_token, client_credentials."""
    form = _form()
    credentials = _credentials(form)
    _limit(credentials.client_id)
    client = oauth_clients.authenticate_client(wiring.oauth_repository(), credentials)
    answer = oauth_flow.grant_tokens(wiring.oauth_repository(), wiring.oauth_signer(), client, form,
                                     lifetimes=wiring.token_lifetimes(), now=utc_now())
    logger.info("oauth token issued", extra={"client_id": client.clientId, "grant_type": form.get("grant_type"),
                                             "scope": answer.scope})
    return _oauth_json(answer.model_dump(mode="json", exclude_none=True))


@routes.post("/api/oauth/revoke", open=True, form=OAuthTokenReference, error_model=OAuthErrorAnswer, problems=(401,),
             returns=OAuthRevoked)
def revoke() -> Response[Any]:
    """Revoke a token (RFC 7009)."""
    form = _form()
    client = _authenticated_client(form)
    oauth_introspection.revoke(wiring.oauth_repository(), wiring.access_verifier(), client, form.get("token"),
                               utc_now())
    return _oauth_json({})


@routes.post("/api/oauth/introspect", open=True, form=OAuthTokenReference, error_model=OAuthErrorAnswer,
             problems=(401,), returns=OAuthIntrospection)
def introspect() -> Response[Any]:
    """Introspect a token (RFC 7662)."""
    form = _form()
    client = _authenticated_client(form)
    answer = oauth_introspection.introspect(wiring.oauth_repository(), wiring.access_verifier(), client,
                                            form.get("token"), utc_now())
    return _oauth_json(answer.model_dump(mode="json", exclude_none=True))


@routes.get(oauth_metadata.METADATA_PATH, open=True)
def authorization_server_metadata() -> AuthorizationServerMetadata:
    """OAuth 2.0 authorization server metadata (RFC 8414): endpoints, scopes and supported methods."""
    context = app.current_event.request_context
    base = oauth_metadata.public_base_url(wiring.settings().local_endpoint, context.api_id or "", context.stage or "",
                                          context.domain_name or "")
    declared = {route.handler: route.path for route in routes.all()}
    paths = {"authorize": declared[authorize_screen.__name__], "token": declared[token.__name__],
             "revoke": declared[revoke.__name__], "introspect": declared[introspect.__name__]}
    return oauth_metadata.metadata(wiring.settings().jwt_issuer, base, paths)


def _authenticated_client(form: Mapping[str, str]) -> OAuthClient:
    return oauth_clients.authenticate_client(wiring.oauth_repository(), _credentials(form))


def _credentials(form: Mapping[str, str]) -> oauth_clients.ClientCredentials:
    return oauth_clients.credentials_from_request(app.current_event.headers.get("authorization"), form)


def _limit(client_id: str) -> None:
    limiter = wiring.oauth_rate_limiter()
    if limiter is None:
        return
    try:
        limiter.acquire(f"oauth-token#{client_id[:64]}", TOKEN_BUCKET)
    except TooManyRequests as exc:
        raise RateLimited(exc.retry_after) from None


def _form() -> dict[str, str]:
    """The form-encoded body (RFC 6749 §3.2): one value per parameter, empty values dropped."""
    event = app.current_event
    content_type = (event.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != FORM:
        raise InvalidRequest(f"the request body must be {FORM}")
    raw = event.body or ""
    if event.is_base64_encoded:
        try:
            raw = base64.b64decode(raw).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise InvalidRequest("the request body is not valid form data") from None
    form: dict[str, str] = {}
    for name, value in parse_qsl(raw, keep_blank_values=True):
        if name in form:
            raise InvalidRequest(f"parameter {name[:40]} is repeated")
        if len(value) > MAX_FORM_FIELD:
            raise InvalidRequest(f"parameter {name[:40]} is too long")
        if value:
            form[name] = value
    return form


def _oauth_json(body: dict[str, Any], status: int = HTTPStatus.OK, headers: dict[str, str] | None = None
                ) -> Response[Any]:
    return Response(status, "application/json", json.dumps(body, separators=(",", ":")),
                    headers={**NO_STORE, **(headers or {})})


def _on_oauth_error(exc: OAuthError) -> Response[Any]:
    """RFC 6749 §5.2 error answers of the client-authenticated endpoints."""
    logger.info("oauth request refused", extra={"status": exc.status, "error": exc.error,
                                                "detail": exc.description})
    headers: dict[str, str] = {}
    if isinstance(exc, InvalidClient) and exc.basic:
        headers["WWW-Authenticate"] = 'Basic realm="deepiri"'
    if isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    return _oauth_json({"error": exc.error, "error_description": exc.description}, exc.status, headers)


app.exception_handler_manager.update_exception_handlers({OAuthError: _on_oauth_error})
handler: Any = api_handler(app)

"""Integrations REST routes: /api/integrations (connect, the open OAuth callback, connections, sources,
sync on demand, disconnect) and the open, signature-checked /webhooks/{provider}."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Header, Path, Query

from deepiri_common.api import api_handler, create_resolver
from deepiri_common.clock import utc_now
from deepiri_common.identity import caller_id, current_caller
from deepiri_common.params import no_content
from deepiri_common.problems import BadRequest
from deepiri_common.routes import Routes
from deepiri_integrations import wiring
from deepiri_integrations.logic import connections, focus, notion, sync, trello, webhooks
from deepiri_integrations.models.calendar import FocusBlock, FocusBlockRequest
from deepiri_integrations.models.connections import (
    Integration,
    IntegrationAuthorization,
    IntegrationList,
    IntegrationSources,
    IntegrationSync,
    Provider,
    WebhookReceipt,
)

app = create_resolver()
routes = Routes(app)

ProviderName = Annotated[Provider, Path(description="the provider: github, trello, notion or google (Google Calendar)")]
Code = Annotated[str | None, Query(min_length=1, max_length=512, pattern=r"^[A-Za-z0-9._~/-]+$",
                                   description="the authorization code the provider returned (OAuth 2.0)")]
OAuthVerifier = Annotated[str | None, Query(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._~-]+$",
                                            description="Trello (OAuth 1.0a): the verifier of the approved token")]
OAuthToken = Annotated[str | None, Query(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9._~-]+$",
                                         description="Trello (OAuth 1.0a): the request token the user approved")]
State = Annotated[str, Query(min_length=20, max_length=128, pattern=r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$",
                             description="the signed state of POST .../connect, returned by the provider")]
Signature = Annotated[str | None, Header(alias="x-hub-signature-256", max_length=100,
                                         description="sha256=<hex HMAC-SHA256 of the raw body>")]
Delivery = Annotated[str | None, Header(alias="x-github-delivery", max_length=64, pattern=r"^[A-Za-z0-9-]+$",
                                        description="the delivery's id (replays are ignored)")]
EventName = Annotated[str | None, Header(alias="x-github-event", max_length=64, pattern=r"^[a-z_]+$",
                                         description="issues, pull_request, ping, ...")]
TrelloSignature = Annotated[str | None, Header(alias="x-trello-webhook", max_length=100,
                                               description="base64 HMAC-SHA1 of the raw body + the callback URL")]
NotionSignature = Annotated[str | None, Header(alias="x-notion-signature", max_length=100,
                                               description="sha256=<hex HMAC-SHA256 of the raw body>")]


def _callback_url(provider: str) -> str:
    return f"{_public_base()}/api/integrations/{provider}/callback"


def _public_base() -> str:
    """This API's public base URL: configured, else this request's own API base (on AWS its domain and
    stage; on the local emulator its /_aws/execute-api path)."""
    base = wiring.settings().callback_base_url.rstrip("/")
    if not base:
        event = app.current_event
        context = event.request_context
        host = event.headers.get("host") or event.headers.get("Host") or context.domain_name
        if host and host.endswith("amazonaws.com"):
            base = f"https://{host}/{context.stage}"
        else:
            base = f"http://{host}/_aws/execute-api/{context.api_id}/{context.stage}"
    return base


@routes.get("/api/integrations")
def list_integrations() -> IntegrationList:
    """The caller's connections: status, scopes, last sync and the last error a person can act on."""
    return connections.listing(wiring.integrations(), caller_id(app))


@routes.post("/api/integrations/<provider>/connect", problems=(503,))
def connect_integration(provider: ProviderName) -> IntegrationAuthorization:
    """Start connecting: the provider's authorize URL, with a signed single-use state and PKCE."""
    return connections.start(wiring.integrations(), caller_id(app), provider, _callback_url(provider), utc_now())


@routes.get("/api/integrations/<provider>/callback", open=True, problems=(503,))
def integration_callback(provider: ProviderName, state: State, code: Code = None,
                         oauth_verifier: OAuthVerifier = None, oauth_token: OAuthToken = None) -> Integration:
    """Where the provider sends the browser back: its code (Trello: verifier) is exchanged, the tokens kept sealed."""
    grant = code if provider != "trello" else oauth_verifier
    if not grant:
        raise BadRequest("the provider's answer carries no authorization code; connect again")
    return connections.complete(wiring.integrations(), provider, grant, state, utc_now())


@routes.get("/api/integrations/<provider>/sources")
def get_integration_sources(provider: ProviderName) -> IntegrationSources:
    """What the caller imports from the provider."""
    return connections.sources(wiring.integrations(), caller_id(app), provider)


@routes.put("/api/integrations/<provider>/sources", problems=(409,))
def put_integration_sources(provider: ProviderName, body: IntegrationSources) -> IntegrationSources:
    """Choose what to import (repositories, labels; boards, lists; databases); the next sync reads from the start."""
    return connections.choose_sources(wiring.integrations(), caller_id(app), provider, body)


@routes.post("/api/integrations/<provider>/sync", problems=(409,))
def sync_integration(provider: ProviderName) -> IntegrationSync:
    """Sync now: import what changed; a rate limit or an open breaker answers when the sync resumes."""
    return sync.sync_user(wiring.integrations(), caller_id(app), provider, utc_now())


@routes.delete("/api/integrations/<provider>")
def disconnect_integration(provider: ProviderName) -> Response[None]:
    """Disconnect: the grant is revoked at the provider and the tokens forgotten."""
    connections.disconnect(wiring.integrations(), caller_id(app), provider, utc_now())
    return no_content()


@routes.post("/api/integrations/<provider>/focus-blocks", status=201, problems=(503,))
def create_focus_block(provider: ProviderName, body: FocusBlockRequest) -> FocusBlock:
    """Block time on the caller's calendar (provider google) for one of their challenges; one block per challenge."""
    return focus.create(wiring.integrations(), current_caller(app), provider, body, utc_now())


@routes.post("/webhooks/<provider>", open=True, status=202, problems=(401,))
def provider_webhook(provider: ProviderName, *, signature: Signature = None, delivery: Delivery = None,
                     event: EventName = None, trello_signature: TrelloSignature = None,
                     notion_signature: NotionSignature = None) -> WebhookReceipt:
    """A provider's webhook, verified on its raw body (bad signature: 401); replays are ignored."""
    body = (app.current_event.decoded_body or "").encode()
    if provider == "trello":
        return trello.delivery(wiring.integrations(), body, given=trello_signature,
                               callback_url=f"{_public_base()}/webhooks/trello", now=utc_now())
    if provider == "notion":
        return notion.delivery(wiring.integrations(), body, given=notion_signature, now=utc_now())
    return webhooks.github_delivery(wiring.integrations(), body, signature=signature, delivery=delivery,
                                    event_name=event, now=utc_now())


@routes.head("/webhooks/<provider>", open=True, status=200)
def check_provider_webhook(provider: ProviderName) -> Response[None]:
    """Trello's check when a webhook is created: the callback URL answers HEAD with 200."""
    return Response(status_code=200)


handler: Any = api_handler(app)

"""Connecting a provider and living with the connection: the authorization with a signed, single-use
``state`` bound to the user and PKCE (S256) where the provider takes it (GitHub; Notion has no PKCE; Trello
uses OAuth 1.0a, whose request token and secret are what the state keeps; Google with PKCE and offline access),
the callback's code exchange,
tokens sealed at rest and refreshed before they expire, the list a user sees, the sources they choose, and
disconnecting (revoked at the provider, then forgotten).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from deepiri_common.events import DomainEvent
from deepiri_common.observability import logger
from deepiri_common.problems import BadRequest, NotFound, ServiceUnavailable
from deepiri_integrations.dal import github as github_api
from deepiri_integrations.dal import google as google_api
from deepiri_integrations.dal import notion as notion_api
from deepiri_integrations.dal import trello as trello_api
from deepiri_integrations.dal.challenges_api import ChallengesApi
from deepiri_integrations.dal.github import GitHub
from deepiri_integrations.dal.google import GoogleCalendar
from deepiri_integrations.dal.http import ProviderError, RateLimited, Refused, Unavailable
from deepiri_integrations.dal.integrations import IntegrationsRepository
from deepiri_integrations.dal.notion import Notion
from deepiri_integrations.dal.profiles import ProfileRepository
from deepiri_integrations.dal.provider_state import ProviderState
from deepiri_integrations.dal.secrets import ProviderSecrets
from deepiri_integrations.dal.trello import Trello
from deepiri_integrations.dal.vault import TokenVault
from deepiri_integrations.logic.backoff import RetryPolicy
from deepiri_integrations.models.connections import (
    Integration,
    IntegrationAuthorization,
    IntegrationList,
    IntegrationSources,
    PendingAuthorization,
    Provider,
    StoredConnection,
    Tokens,
)
from deepiri_integrations.models.events import SERVICE, IntegrationConnected

STATE_LIFETIME = timedelta(minutes=10)
REFRESH_MARGIN = timedelta(minutes=5)  # refresh an access token that expires sooner than this


@dataclass(frozen=True)
class Integrations:
    """Everything the integration logic works with."""

    repository: IntegrationsRepository
    github: GitHub
    vault: TokenVault
    secrets: ProviderSecrets
    trello: Trello
    notion: Notion
    provider_state: ProviderState
    breaker_seconds: int = 60
    google: GoogleCalendar | None = None
    profiles: ProfileRepository | None = None
    challenges: ChallengesApi | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)


NAMES: dict[str, str] = {"github": "GitHub", "trello": "Trello", "notion": "Notion", "google": "Google Calendar"}
SCOPES: dict[str, tuple[str, ...]] = {"github": github_api.SCOPES, "trello": trello_api.SCOPES,
                                      "notion": notion_api.SCOPES, "google": google_api.SCOPES}


# ---------------------------------------------------------------- state and PKCE
def sign_state(key: str, provider: str, nonce: str) -> str:
    mac = hmac.new(key.encode(), f"{provider}.{nonce}".encode(), hashlib.sha256).digest()
    # A SHA-256 in base64 ends in one of AEIMQUYcgkosw048 before its "=": stripping "X" too is equivalent.
    return f"{nonce}.{base64.urlsafe_b64encode(mac).decode().rstrip('=')}"


def state_nonce(key: str, provider: str, state: str) -> str | None:
    """The nonce of a ``state`` this service signed for ``provider``; None for anything else."""
    nonce, _, _ = state.partition(".")
    return nonce if hmac.compare_digest(sign_state(key, provider, nonce), state) else None


def pkce_challenge(verifier: str) -> str:
    # A SHA-256 in base64 ends in one of AEIMQUYcgkosw048 before its "=": stripping "X" too is equivalent.
    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")


def start(ctx: Integrations, user_id: str, provider: Provider, redirect_uri: str,
          now: datetime) -> IntegrationAuthorization:
    """An authorize URL for ``user_id``; its state is accepted once, for ten minutes."""
    if not _configured(ctx, provider):
        raise ServiceUnavailable(f"{NAMES[provider]} is not configured on this deployment (no client id)")
    nonce, verifier = secrets.token_urlsafe(24), secrets.token_urlsafe(48)
    state = sign_state(ctx.secrets.stateKey, provider, nonce)
    try:
        url, kept = _begin(ctx, provider, redirect_uri, state, verifier)
    except ProviderError:
        raise ServiceUnavailable(f"{NAMES[provider]} could not be reached; connect again later") from None
    pending = PendingAuthorization(nonce=nonce, userId=user_id, provider=provider, verifier=kept,
                                   redirectUri=redirect_uri, expiresAt=now + STATE_LIFETIME)
    ctx.repository.save_state(pending)
    return IntegrationAuthorization(authorizeUrl=url, expiresAt=pending.expiresAt)


def _configured(ctx: Integrations, provider: Provider) -> bool:
    if provider == "trello":
        return ctx.trello.configured
    if provider == "notion":
        return ctx.notion.configured
    if provider == "google":
        return _google_configured(ctx)
    return bool(ctx.secrets.githubClientId)


def _google_configured(ctx: Integrations) -> bool:
    return ctx.google is not None and ctx.google.configured


def google_client(ctx: Integrations) -> GoogleCalendar:
    """Google Calendar's client; 503 when this deployment has none configured."""
    if ctx.google is None or not _google_configured(ctx):
        raise ServiceUnavailable("Google Calendar is not configured on this deployment (no client id)")
    return ctx.google


def _begin(ctx: Integrations, provider: Provider, redirect_uri: str, state: str, verifier: str) -> tuple[str, str]:
    """The authorize URL and what the state keeps until the callback (the PKCE verifier; Trello's request token)."""
    if provider == "trello":
        return ctx.trello.begin(redirect_uri, state)
    if provider == "notion":
        return ctx.notion.authorize_url(redirect_uri, state), ""
    if provider == "google":
        return google_client(ctx).authorize_url(redirect_uri, state, pkce_challenge(verifier)), verifier
    return ctx.github.authorize_url(redirect_uri, state, pkce_challenge(verifier)), verifier


def _exchange(ctx: Integrations, provider: Provider, code: str, pending: PendingAuthorization) -> Tokens:
    if provider == "trello":
        tokens = ctx.trello.exchange(code, pending.verifier)
        return tokens.model_copy(update={"account": ctx.trello.login(tokens.accessToken)})
    if provider == "notion":
        return ctx.notion.exchange(code, pending.redirectUri)
    if provider == "google":
        tokens = google_client(ctx).exchange(code, pending.verifier, pending.redirectUri)
        return tokens.model_copy(update={"account": google_client(ctx).login(tokens.accessToken)})
    tokens = ctx.github.exchange(code, pending.verifier, pending.redirectUri)
    return tokens.model_copy(update={"account": ctx.github.login(tokens.accessToken)})


def _refresh(ctx: Integrations, provider: Provider, refresh_token: str) -> Tokens:
    if provider == "notion":
        return ctx.notion.refresh(refresh_token)
    if provider == "google":
        return google_client(ctx).refresh(refresh_token)
    if provider == "trello":  # Trello's tokens are not refreshed: they expire and the user connects again
        raise Refused(401, "Trello tokens cannot be refreshed")
    return ctx.github.refresh(refresh_token)


def _revoke(ctx: Integrations, provider: Provider, access_token: str) -> None:
    if provider == "trello":
        ctx.trello.revoke(access_token)
    elif provider == "notion":
        ctx.notion.revoke(access_token)
    elif provider == "google":
        google_client(ctx).revoke(access_token)
    else:
        ctx.github.revoke(access_token)


def complete(ctx: Integrations, provider: Provider, code: str, state: str, now: datetime) -> Integration:
    """The callback: a state this service signed, not used before and not expired, whose code the
    provider exchanges for tokens; the connection is stored with the tokens sealed."""
    nonce = state_nonce(ctx.secrets.stateKey, provider, state)
    pending = ctx.repository.take_state(nonce) if nonce else None
    if pending is None or pending.provider != provider or pending.expiresAt <= now:
        raise BadRequest("the authorization state is unknown, used or expired; connect again")
    try:
        tokens = _exchange(ctx, provider, code, pending)
    except Refused:
        raise BadRequest(f"{NAMES[provider]} refused the authorization code; connect again") from None
    except ProviderError:
        raise ServiceUnavailable(f"{NAMES[provider]} could not be reached; connect again later") from None
    account = tokens.account or ""
    if not account:
        raise ServiceUnavailable(f"{NAMES[provider]} did not say who the account is; connect again later")
    previous = ctx.repository.connection(pending.userId, provider)
    connection = StoredConnection(
        userId=pending.userId, provider=provider, status="connected", account=account,
        scopes=tokens.scopes or list(SCOPES[provider]), connectedAt=now,
        sealedTokens=ctx.vault.seal(tokens, pending.userId, provider), accessExpiresAt=_expiry(tokens, now),
        sources=previous.sources if previous else IntegrationSources(), version=previous.version if previous else 0)
    event = DomainEvent.new(SERVICE, "IntegrationConnected", IntegrationConnected(
        userId=pending.userId, provider=provider, account=account, scopes=connection.scopes), actor=pending.userId)
    ctx.repository.connect(connection, event)
    logger.info("connected", extra={"provider": provider, "userId": pending.userId})
    return connection.public()


def _expiry(tokens: Tokens, now: datetime) -> datetime | None:
    return now + timedelta(seconds=tokens.expiresIn) if tokens.expiresIn else None


def fresh_access(ctx: Integrations, connection: StoredConnection, now: datetime) -> tuple[StoredConnection, str]:
    """The connection's access token, refreshed first when it expires within five minutes (the new
    tokens are sealed and saved). ``Refused`` when the provider will not refresh it: reconnect."""
    tokens = ctx.vault.open(connection.sealedTokens, connection.userId, connection.provider)
    expires = connection.accessExpiresAt
    if expires is None or expires - now > REFRESH_MARGIN:
        return connection, tokens.accessToken
    if not tokens.refreshToken:
        raise Refused(401, "the access token expired and there is no refresh token")
    renewed = _refresh(ctx, connection.provider, tokens.refreshToken)
    if renewed.refreshToken is None:
        renewed = renewed.model_copy(update={"refreshToken": tokens.refreshToken})
    saved = ctx.repository.save(connection.model_copy(update={
        "sealedTokens": ctx.vault.seal(renewed, connection.userId, connection.provider),
        "accessExpiresAt": _expiry(renewed, now), "scopes": renewed.scopes or connection.scopes}))
    logger.info("token refreshed", extra={"provider": connection.provider, "userId": connection.userId})
    return saved, renewed.accessToken


# ---------------------------------------------------------------- what the user sees and chooses
def listing(ctx: Integrations, user_id: str) -> IntegrationList:
    return IntegrationList(items=[c.public() for c in ctx.repository.connections(user_id)])


def own(ctx: Integrations, user_id: str, provider: Provider) -> StoredConnection:
    connection = ctx.repository.connection(user_id, provider)
    if connection is None:
        raise NotFound(f"{provider} is not connected")
    return connection


def sources(ctx: Integrations, user_id: str, provider: Provider) -> IntegrationSources:
    return own(ctx, user_id, provider).sources


def choose_sources(ctx: Integrations, user_id: str, provider: Provider,
                   chosen: IntegrationSources) -> IntegrationSources:
    """Replace what is imported; a changed choice re-reads from the start (items already imported stay once)."""
    connection = own(ctx, user_id, provider)
    ctx.repository.save(connection.model_copy(update={"sources": chosen, "since": None, "etag": None,
                                                           "cursors": {}}))
    return chosen


def disconnect(ctx: Integrations, user_id: str, provider: Provider, now: datetime) -> None:
    """Revoke the grant at the provider (best effort: a provider that is down or already forgot it does
    not keep the user connected), then forget the tokens, the account link and the imported records."""
    connection = own(ctx, user_id, provider)
    try:
        _, access = fresh_access(ctx, connection, now)
        _revoke(ctx, provider, access)
    except (Refused, RateLimited, Unavailable, ServiceUnavailable) as error:
        logger.warning("revocation at the provider failed",
                       extra={"provider": provider, "reason": type(error).__name__})
    ctx.repository.forget(connection)

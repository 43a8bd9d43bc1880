"""The authorization endpoint as seen by the first-party app, and the user's consents.

``GET /api/oauth/authorize`` checks an authorization request and describes the consent screen;
``POST /api/oauth/authorize`` records the user's answer and returns where the browser goes next: the
client's redirect URI with a code (or ``error=access_denied``) and the client's ``state``.

An unknown client or an unregistered redirect URI is never redirected to (RFC 6749 §4.1.2.1): those
answer 400 problem+json with the OAuth ``error`` code as an extension member, as do the other refusals,
since the first-party app (not the client) receives this answer. Revoking a consent revokes every token
family the user granted that client, so its refresh tokens stop working at once.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from deepiri_common.clock import to_iso
from deepiri_common.ids import new_ulid
from deepiri_common.pagination import Page
from deepiri_common.problems import BadRequest, NotFound
from deepiri_users.logic.oauth_clients import ClientStore, redirect_uri_registered
from deepiri_users.logic.oauth_errors import OAuthError
from deepiri_users.logic.oauth_flow import CODE_CHALLENGE_METHODS, CodeWriter, is_valid_challenge, issue_code
from deepiri_users.logic.oauth_scopes import SCOPES, parse_scope, require_within
from deepiri_users.models.oauth import (
    OAuthAuthorizeDecision,
    OAuthAuthorizeRequest,
    OAuthClient,
    OAuthConsent,
    OAuthConsentScreen,
    OAuthRedirect,
    OAuthScopeView,
)

RESPONSE_TYPES = ("code",)  # the authorization code flow only (no implicit grant)


class ConsentStore(ClientStore, CodeWriter, Protocol):
    """The records the authorization endpoint and the consent routes use."""

    def get_consent(self, user_id: str, client_id: str) -> OAuthConsent | None: ...

    def put_consent(self, user_id: str, consent: OAuthConsent) -> None: ...

    def delete_consent(self, user_id: str, client_id: str) -> bool: ...

    def consents_of(self, user_id: str, limit: int, cursor: str | None) -> Page[OAuthConsent]: ...

    def families_of(self, user_id: str, client_id: str) -> list[str]: ...

    def revoke_family(self, family_id: str, revoked_at: str) -> None: ...


def check_request(store: ClientStore, request: OAuthAuthorizeRequest) -> tuple[OAuthClient, frozenset[str]]:
    """The client and scopes of a valid authorization request; ``BadRequest`` naming the OAuth error."""
    client = store.get_client(request.client_id)
    if client is None:
        raise BadRequest("unknown client", error="invalid_client")
    if not redirect_uri_registered(request.redirect_uri, client):
        raise BadRequest("redirect_uri is not registered for this client", error="invalid_request")
    if request.response_type not in RESPONSE_TYPES:
        raise BadRequest("response_type must be code", error="unsupported_response_type")
    try:
        scopes = parse_scope(request.scope)
        require_within(scopes, client.scopes)
    except OAuthError as refusal:
        raise BadRequest(refusal.description, error=refusal.error) from None
    if not scopes:
        raise BadRequest("scope is required", error="invalid_scope")
    _check_challenge(client, request)
    return client, scopes


def _check_challenge(client: OAuthClient, request: OAuthAuthorizeRequest) -> None:
    if request.code_challenge is None:
        if request.code_challenge_method is not None:
            raise BadRequest("code_challenge_method without code_challenge", error="invalid_request")
        if not client.is_confidential:
            raise BadRequest("public clients must use PKCE (code_challenge with S256)", error="invalid_request")
        return
    if request.code_challenge_method not in CODE_CHALLENGE_METHODS:
        raise BadRequest("code_challenge_method must be S256", error="invalid_request")
    if not is_valid_challenge(request.code_challenge):
        raise BadRequest("code_challenge is not an S256 challenge", error="invalid_request")


def consent_screen(store: ConsentStore, user_id: str, request: OAuthAuthorizeRequest) -> OAuthConsentScreen:
    """What to show the user: who asks, for which scopes, and whether they already agreed to all of them."""
    client, scopes = check_request(store, request)
    consent = store.get_consent(user_id, client.clientId)
    return OAuthConsentScreen(
        clientId=client.clientId,
        clientName=client.name,
        redirectUri=request.redirect_uri,
        scopes=[OAuthScopeView(name=scope, description=SCOPES[scope]) for scope in sorted(scopes)],
        alreadyConsented=consent is not None and scopes <= frozenset(consent.scopes),
    )


def decide(store: ConsentStore, user_id: str, decision: OAuthAuthorizeDecision, now: datetime) -> OAuthRedirect:
    """Record the user's answer; an approval stores the consent and issues a code."""
    client, scopes = check_request(store, decision)
    if not decision.approve:
        return OAuthRedirect(redirectTo=with_query(decision.redirect_uri, error="access_denied", state=decision.state))
    previous = store.get_consent(user_id, client.clientId)
    store.put_consent(user_id, OAuthConsent(
        clientId=client.clientId,
        clientName=client.name,
        scopes=sorted(scopes | frozenset(previous.scopes if previous else ())),
        grantedAt=previous.grantedAt if previous else to_iso(now),
        updatedAt=to_iso(now),
    ))
    code = issue_code(
        store, client_id=client.clientId, user_id=user_id, redirect_uri=decision.redirect_uri, scopes=scopes,
        code_challenge=decision.code_challenge, family_id=new_ulid(), now=now,
    )
    return OAuthRedirect(redirectTo=with_query(decision.redirect_uri, code=code, state=decision.state))


def with_query(uri: str, **params: str | None) -> str:
    """``uri`` with ``params`` (those not None) appended to whatever query it already has."""
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True)
    query += [(name, value) for name, value in params.items() if value is not None]
    return urlunsplit(parts._replace(query=urlencode(query)))


def list_consents(store: ConsentStore, user_id: str, limit: int, cursor: str | None) -> Page[OAuthConsent]:
    """One page of the clients the user has approved."""
    return store.consents_of(user_id, limit, cursor)


def revoke_consent(store: ConsentStore, user_id: str, client_id: str, now: datetime) -> None:
    """Forget the consent and revoke every grant the user gave the client; ``NotFound`` without one."""
    families = store.families_of(user_id, client_id)
    deleted = store.delete_consent(user_id, client_id)
    for family_id in families:
        store.revoke_family(family_id, to_iso(now))
    if not deleted and not families:
        raise NotFound("no consent for this client")

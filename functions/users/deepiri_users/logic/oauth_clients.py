"""Client registration and client authentication.

A user registers, lists, reads and deletes their own clients; another user's client answers 404 so
that existence never leaks. A confidential client gets a secret shown once at creation and stored as
its sha256 (a 256-bit random secret needs no slow hash); public clients (native and browser apps) have
none and must use PKCE. Redirect URIs are https, or http on a loopback host for native apps, with no
fragment; they are matched exactly at authorization time.

Client authentication at the token, revocation and introspection endpoints accepts HTTP Basic
(RFC 6749 §2.3.1, form-urlencoded id and secret) or ``client_id``/``client_secret`` in the body, never
both.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from urllib.parse import unquote_plus, urlsplit

from deepiri_common.clock import to_iso
from deepiri_common.ids import new_ulid
from deepiri_common.pagination import Page
from deepiri_common.problems import NotFound, ValidationFailed
from deepiri_users.logic.oauth_errors import InvalidClient, InvalidRequest
from deepiri_users.logic.oauth_scopes import SCOPES
from deepiri_users.models.oauth import (
    OAuthClient,
    OAuthClientCreated,
    OAuthClientRegistration,
    OAuthClientView,
)

SECRET_BYTES = 32  # at least 256 bits, held as a floor by the tests; a longer secret is equivalent
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})  # hostname drops IPv6 brackets
MAX_REDIRECT_URI_LENGTH = 2048


class ClientStore(Protocol):
    """The client records the logic reads and writes (implemented in ``dal/oauth.py``)."""

    def put_client(self, client: OAuthClient) -> None: ...

    def get_client(self, client_id: str) -> OAuthClient | None: ...

    def delete_client(self, client_id: str, owner_id: str) -> bool: ...

    def clients_of(self, owner_id: str, limit: int, cursor: str | None) -> Page[OAuthClient]: ...


# How a client proves itself at the token, revocation and introspection endpoints (credentials_from_request):
# HTTP Basic, the form's client_id/client_secret, or (a public client) its client_id alone.
TOKEN_ENDPOINT_AUTH_METHODS = ("client_secret_basic", "client_secret_post", "none")


@dataclass(frozen=True)
class ClientCredentials:
    """What a request presented to authenticate a client; ``basic`` tells where it came from."""

    client_id: str
    client_secret: str | None
    basic: bool


# ---------------------------------------------------------------- secrets and redirect URIs
def new_secret() -> str:
    """A fresh random secret (client secret, code or refresh token), url-safe."""
    return secrets.token_urlsafe(SECRET_BYTES)  # 32, token_urlsafe's default too (dropping it is equivalent)


def hash_secret(secret: str) -> str:
    """The sha256 hex digest under which a secret, code or token is stored and looked up."""
    return hashlib.sha256(secret.encode()).hexdigest()


def secret_matches(secret: str, stored_hash: str) -> bool:
    """Constant-time comparison of a presented secret with the stored hash."""
    return hmac.compare_digest(hash_secret(secret), stored_hash)


def redirect_uri_problem(uri: str) -> str | None:
    """Why ``uri`` may not be registered as a redirect URI, or ``None`` when it may."""
    if len(uri) > MAX_REDIRECT_URI_LENGTH:
        return "is too long"
    try:
        parts = urlsplit(uri)
        host = parts.hostname
    except ValueError:
        return "is not a URL"
    checks = (
        ("#" in uri, "must not contain a fragment"),
        ("*" in uri, "must not contain a wildcard: redirect URIs match exactly"),
        (bool(parts.username or parts.password), "must not contain credentials"),
        (not host, "must name a host"),
        (
            parts.scheme != "https" and not (parts.scheme == "http" and host in LOOPBACK_HOSTS),
            "must use https (or http on 127.0.0.1 / localhost for native apps)",
        ),
    )
    return next((reason for failed, reason in checks if failed), None)


def redirect_uri_registered(uri: str, client: OAuthClient) -> bool:
    """Exact string match against the client's registered URIs (no prefix or normalising match)."""
    return any(hmac.compare_digest(uri.encode(), registered.encode()) for registered in client.redirectUris)


# ---------------------------------------------------------------- registration (owner-scoped)
def register_client(
    store: ClientStore, owner_id: str, registration: OAuthClientRegistration, now: datetime
) -> OAuthClientCreated:
    """Register a client for ``owner_id``; the answer carries the secret, which is never shown again."""
    errors = [
        {"field": f"body.redirectUris.{index}", "message": f"redirect URI {problem}"}
        for index, uri in enumerate(registration.redirectUris)
        if (problem := redirect_uri_problem(uri)) is not None
    ]
    unknown = sorted(set(registration.scopes) - SCOPES.keys())
    if unknown:
        errors.append({"field": "body.scopes", "message": f"unknown scope(s): {' '.join(unknown)}"})
    if registration.clientType == "public" and not registration.redirectUris:
        errors.append({"field": "body.redirectUris", "message": "a public client needs a redirect URI"})
    if errors:
        raise ValidationFailed(errors)
    secret = new_secret() if registration.clientType == "confidential" else None
    client = OAuthClient(
        clientId=new_ulid(),
        ownerId=owner_id,
        name=registration.name,
        clientType=registration.clientType,
        redirectUris=tuple(dict.fromkeys(registration.redirectUris)),
        scopes=frozenset(registration.scopes),
        secretHash=hash_secret(secret) if secret else None,
        createdAt=to_iso(now),
    )
    store.put_client(client)
    return OAuthClientCreated(**client_view(client).model_dump(), clientSecret=secret)


def owned_client(store: ClientStore, owner_id: str, client_id: str) -> OAuthClient:
    """The caller's own client, or ``NotFound`` (also when it belongs to someone else)."""
    client = store.get_client(client_id)
    if client is None or client.ownerId != owner_id:
        raise NotFound("no such client")
    return client


def delete_client(store: ClientStore, owner_id: str, client_id: str) -> None:
    """Delete the caller's client; ``NotFound`` when it is not theirs. Its tokens stop working because
    every token use looks the client up."""
    if not store.delete_client(client_id, owner_id):
        raise NotFound("no such client")


def list_clients(store: ClientStore, owner_id: str, limit: int, cursor: str | None) -> Page[OAuthClientView]:
    """One page of the caller's clients."""
    page = store.clients_of(owner_id, limit, cursor)
    return Page[OAuthClientView](items=[client_view(c) for c in page.items], nextCursor=page.next_cursor)


def client_view(client: OAuthClient) -> OAuthClientView:
    """The public face of a client record (no secret hash)."""
    return OAuthClientView(
        clientId=client.clientId,
        name=client.name,
        clientType=client.clientType,
        redirectUris=list(client.redirectUris),
        scopes=sorted(client.scopes),
        createdAt=client.createdAt,
    )


# ---------------------------------------------------------------- client authentication
def credentials_from_request(authorization: str | None, form: Mapping[str, str]) -> ClientCredentials:
    """The client credentials a token-endpoint request carries; ``InvalidClient``/``InvalidRequest``
    when they are missing, malformed or given twice."""
    body_id = form.get("client_id")
    body_secret = form.get("client_secret")
    if authorization and authorization.strip().lower().startswith("basic "):
        if body_secret is not None:
            raise InvalidRequest("use one client authentication method, not two")
        client_id, client_secret = _parse_basic(authorization.strip()[6:].strip())
        if body_id is not None and body_id != client_id:
            raise InvalidRequest("client_id does not match the authenticated client")
        return ClientCredentials(client_id=client_id, client_secret=client_secret, basic=True)
    if not body_id:
        raise InvalidClient("client authentication is required")
    return ClientCredentials(client_id=body_id, client_secret=body_secret, basic=False)


def _parse_basic(encoded: str) -> tuple[str, str]:
    try:
        decoded = base64.b64decode(encoded, validate=True).decode("utf-8")  # "UTF-8": same codec (equivalent)
    except (binascii.Error, UnicodeDecodeError):
        raise InvalidClient("malformed Basic credentials", basic=True) from None
    raw_id, separator, raw_secret = decoded.partition(":")
    if not separator or not raw_id:
        raise InvalidClient("malformed Basic credentials", basic=True)
    return unquote_plus(raw_id), unquote_plus(raw_secret)


def authenticate_client(store: ClientStore, credentials: ClientCredentials) -> OAuthClient:
    """The client the credentials prove, or ``InvalidClient``. A public client proves only its id
    (and may not present a secret); a confidential client must present its secret."""
    client = store.get_client(credentials.client_id)
    if client is None:
        raise InvalidClient("unknown client or bad credentials", basic=credentials.basic)
    if not client.is_confidential:
        if credentials.client_secret:
            raise InvalidClient("a public client has no secret", basic=credentials.basic)
        return client
    if not credentials.client_secret or client.secretHash is None:
        raise InvalidClient("client authentication is required", basic=credentials.basic)
    if not secret_matches(credentials.client_secret, client.secretHash):
        raise InvalidClient("unknown client or bad credentials", basic=credentials.basic)
    return client

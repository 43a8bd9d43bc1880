"""OAuth 2.0 provider models: registered clients, consents, authorization codes, refresh-token families,
and the request / response bodies of the ``/api/oauth`` routes.

JSON inputs forbid unknown fields. The token, revocation and introspection endpoints take
``application/x-www-form-urlencoded`` bodies (RFC 6749), parsed into :class:`TokenForm`-like mappings
by the handler; their answers follow RFC 6749 / 7009 / 7662 field names (snake_case) on purpose.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from deepiri_common.text import SingleLine

ClientType = Literal["confidential", "public"]


# ---------------------------------------------------------------- domain records (stored)
class OAuthClient(BaseModel):
    """A registered third-party application. ``secretHash`` is the sha256 of the secret (None if public)."""

    model_config = ConfigDict(frozen=True)

    clientId: str
    ownerId: str
    name: str
    clientType: ClientType
    redirectUris: tuple[str, ...]
    scopes: frozenset[str]
    secretHash: str | None = None
    createdAt: str

    @property
    def is_confidential(self) -> bool:
        return self.clientType == "confidential"


class AuthorizationCode(BaseModel):
    """What a code is bound to. ``familyId`` is chosen at issuance so a replayed code can revoke the
    tokens its first exchange produced."""

    model_config = ConfigDict(frozen=True)

    codeHash: str
    clientId: str
    userId: str
    redirectUri: str
    scopes: frozenset[str]
    codeChallenge: str | None
    codeChallengeMethod: Literal["S256"] | None
    familyId: str
    validUntil: int  # epoch seconds
    usedAt: str | None = None


class TokenFamily(BaseModel):
    """One grant's chain of rotating refresh tokens (and the access tokens issued along it)."""

    model_config = ConfigDict(frozen=True)

    familyId: str
    clientId: str
    userId: str
    revokedAt: str | None = None

    @property
    def is_revoked(self) -> bool:
        return self.revokedAt is not None


class RefreshTokenRecord(BaseModel):
    """A refresh token, known only by its hash. ``usedAt`` is set when it is rotated away."""

    model_config = ConfigDict(frozen=True)

    tokenHash: str
    familyId: str
    clientId: str
    userId: str
    scopes: frozenset[str]
    validUntil: int  # epoch seconds
    usedAt: str | None = None


class AccountState(BaseModel):
    """What the token endpoint needs to know about a user (owned by the accounts module)."""

    model_config = ConfigDict(frozen=True)

    userId: str
    disabled: bool = False
    tokenVersion: int = 0
    roles: frozenset[str] = frozenset()


class OAuthConsent(BaseModel):
    """A user's standing approval of a client for some scopes."""

    clientId: str
    clientName: str
    scopes: list[str]
    grantedAt: str
    updatedAt: str


# ---------------------------------------------------------------- client registration
class OAuthClientRegistration(BaseModel):
    """Body of ``POST /api/oauth/clients``."""

    model_config = ConfigDict(extra="forbid")

    name: SingleLine = Field(min_length=1, max_length=100)
    clientType: ClientType
    redirectUris: list[str] = Field(default_factory=list, max_length=10)
    scopes: list[str] = Field(min_length=1, max_length=20)


class OAuthClientView(BaseModel):
    """A client as its owner sees it; never carries the secret."""

    clientId: str
    name: str
    clientType: ClientType
    redirectUris: list[str]
    scopes: list[str]
    createdAt: str


class OAuthClientCreated(OAuthClientView):
    """The registration answer: the only time ``clientSecret`` is ever shown (None for public clients)."""

    clientSecret: str | None = None


# ---------------------------------------------------------------- authorization (consent screen)
class OAuthAuthorizeRequest(BaseModel):
    """The authorization request of RFC 6749 §4.1.1 with PKCE (RFC 7636), as query or JSON body."""

    model_config = ConfigDict(extra="forbid")

    # Each is one line of text: control or hidden characters are refused (422) before the client is read.
    response_type: SingleLine = Field(max_length=20)
    client_id: SingleLine = Field(min_length=1, max_length=64)
    redirect_uri: SingleLine = Field(min_length=1, max_length=2048)
    scope: SingleLine = Field(default="", max_length=1000)
    state: SingleLine | None = Field(default=None, max_length=500)
    code_challenge: SingleLine | None = Field(default=None, max_length=128)
    code_challenge_method: SingleLine | None = Field(default=None, max_length=10)


class OAuthAuthorizeDecision(OAuthAuthorizeRequest):
    """Body of ``POST /api/oauth/authorize``: the request again plus the user's answer."""

    approve: bool = True


class OAuthScopeView(BaseModel):
    name: str
    description: str


class OAuthConsentScreen(BaseModel):
    """What the first-party UI shows before the user approves."""

    clientId: str
    clientName: str
    redirectUri: str
    scopes: list[OAuthScopeView]
    alreadyConsented: bool


class OAuthRedirect(BaseModel):
    """Where the browser goes next: the client's redirect URI with ``code`` (or ``error``) and ``state``."""

    redirectTo: str


# ---------------------------------------------------------------- token endpoint answers
class OAuthTokenResponse(BaseModel):
    """RFC 6749 §5.1."""

    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int
    scope: str
    refresh_token: str | None = None


class OAuthIntrospection(BaseModel):
    """RFC 7662 §2.2; everything but ``active`` is omitted for an inactive token."""

    active: bool
    scope: str | None = None
    client_id: str | None = None
    sub: str | None = None
    exp: int | None = None
    iat: int | None = None
    token_type: str | None = None


# ---------------------------------------------------------------- the client-authenticated endpoints' forms
class OAuthClientAuthentication(BaseModel):
    """Client credentials in the form (``client_secret_post``); HTTP Basic (``client_secret_basic``)
    may carry them instead. A public client sends its ``client_id`` only."""

    client_id: str = Field(default="", max_length=64)
    client_secret: str = Field(default="", max_length=4096)


class OAuthTokenForm(OAuthClientAuthentication):
    """The token request (RFC 6749 §4.1.3, §4.4, §6; RFC 7636 §4.5): which fields apply depends on
    ``grant_type``."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "grant_type": "authorization_code", "code": "SplxlOBeZQQYbYS6WxSbIA", "client_id": "01J9Z3QK6Y4M1T8R7A2B3C4D5E",
        "redirect_uri": "https://app.example/callback",
        "code_verifier": "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"}]})

    grant_type: Literal["authorization_code", "refresh_token", "client_credentials"]
    code: str = Field(default="", max_length=4096)
    redirect_uri: str = Field(default="", max_length=2048)
    code_verifier: str = Field(default="", max_length=128)
    refresh_token: str = Field(default="", max_length=4096)
    scope: str = Field(default="", max_length=1000)


class OAuthTokenReference(OAuthClientAuthentication):
    """The revocation (RFC 7009 §2.1) and introspection (RFC 7662 §2.1) request."""

    token: str = Field(max_length=4096)
    token_type_hint: str = Field(default="", max_length=40, description="access_token or refresh_token")


class OAuthErrorAnswer(BaseModel):
    """RFC 6749 §5.2: the error answer of the token, revocation and introspection endpoints."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"error": "invalid_grant", "error_description": "the authorization code is unknown or used"}]})

    error: str
    error_description: str | None = None


class OAuthRevoked(BaseModel):
    """RFC 7009 §2.2: an empty object, whether or not the token was known."""

    model_config = ConfigDict(extra="forbid")


class AuthorizationServerMetadata(BaseModel):
    """RFC 8414 §2: where the OAuth provider's endpoints are and what it supports."""

    model_config = ConfigDict(json_schema_extra={"examples": [{
        "issuer": "https://deepiri.dev", "authorization_endpoint": "https://api.deepiri.dev/api/oauth/authorize",
        "token_endpoint": "https://api.deepiri.dev/api/oauth/token",
        "jwks_uri": "https://api.deepiri.dev/.well-known/jwks.json", "scopes_supported": ["tasks:read"],
        "response_types_supported": ["code"], "grant_types_supported": ["authorization_code"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic"]}]})

    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    jwks_uri: str
    revocation_endpoint: str
    introspection_endpoint: str
    scopes_supported: list[str]
    response_types_supported: list[str]
    response_modes_supported: list[str]
    grant_types_supported: list[str]
    code_challenge_methods_supported: list[str]
    token_endpoint_auth_methods_supported: list[str]
    revocation_endpoint_auth_methods_supported: list[str]
    introspection_endpoint_auth_methods_supported: list[str]

"""OAuth 2.0 errors of the token, revocation and introspection endpoints (RFC 6749 §5.2).

These endpoints answer ``{"error", "error_description"}`` rather than problem+json, because OAuth
client libraries parse that shape. The handler maps :class:`OAuthError` to a response in one place.
The description never contains a secret, code or token.
"""

from __future__ import annotations


class OAuthError(Exception):
    """Base of every OAuth protocol error; ``error`` and ``status`` are fixed per subclass."""

    error: str = "invalid_request"
    status: int = 400

    def __init__(self, description: str) -> None:
        super().__init__(description)
        self.description = description


class InvalidRequest(OAuthError):
    error, status = "invalid_request", 400


class InvalidClient(OAuthError):
    """Client authentication failed: 401, with ``WWW-Authenticate: Basic`` when Basic was used."""

    error, status = "invalid_client", 401

    def __init__(self, description: str, *, basic: bool = False) -> None:
        super().__init__(description)
        self.basic = basic


class InvalidGrant(OAuthError):
    error, status = "invalid_grant", 400


class UnauthorizedClient(OAuthError):
    error, status = "unauthorized_client", 400


class UnsupportedGrantType(OAuthError):
    error, status = "unsupported_grant_type", 400


class InvalidScope(OAuthError):
    error, status = "invalid_scope", 400


class RateLimited(OAuthError):
    """429 with Retry-After: the client called the token endpoint too often."""

    error, status = "rate_limited", 429

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"too many requests; retry in {retry_after} s")
        self.retry_after = retry_after

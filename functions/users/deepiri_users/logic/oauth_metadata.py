"""OAuth 2.0 authorization server metadata (RFC 8414), built from what the provider itself runs on.

Nothing here is a second list: the scopes are :data:`oauth_scopes.SCOPES`, the grant types are those the
token form accepts, PKCE methods, response types and client authentication methods are the constants the
authorization and token endpoints check against, and every endpoint's path is its route declaration.

``issuer`` is the ``iss`` of the access tokens (``JWT_ISSUER``), which resource servers compare; the
endpoints are absolute URLs on the API's public base URL, which locally is the emulator's
``<endpoint>/_aws/execute-api/<api>/<stage>`` and on AWS ``https://<domain>/<stage>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import get_args

from deepiri_users.logic.oauth_authorize import RESPONSE_TYPES
from deepiri_users.logic.oauth_clients import TOKEN_ENDPOINT_AUTH_METHODS
from deepiri_users.logic.oauth_flow import CODE_CHALLENGE_METHODS
from deepiri_users.logic.oauth_scopes import SCOPES
from deepiri_users.models.oauth import AuthorizationServerMetadata, OAuthTokenForm

JWKS_PATH = "/.well-known/jwks.json"
METADATA_PATH = "/.well-known/oauth-authorization-server"


def public_base_url(local_endpoint: str, api_id: str, stage: str, domain_name: str) -> str:
    """The API's base URL as a client reaches it (no trailing slash)."""
    if local_endpoint:
        return f"{local_endpoint.rstrip('/')}/_aws/execute-api/{api_id}/{stage}"
    return f"https://{domain_name}/{stage}"


def grant_types() -> list[str]:
    """The grant types the token endpoint accepts (its form's ``grant_type``)."""
    return list(get_args(OAuthTokenForm.model_fields["grant_type"].annotation))


def metadata(issuer: str, base_url: str, paths: Mapping[str, str]) -> AuthorizationServerMetadata:
    """The provider's metadata; ``paths`` are the declared routes' paths by role: ``authorize``, ``token``,
    ``revoke``, ``introspect``."""
    auth_methods = list(TOKEN_ENDPOINT_AUTH_METHODS)
    return AuthorizationServerMetadata(
        issuer=issuer,
        authorization_endpoint=base_url + paths["authorize"],
        token_endpoint=base_url + paths["token"],
        jwks_uri=base_url + JWKS_PATH,
        revocation_endpoint=base_url + paths["revoke"],
        introspection_endpoint=base_url + paths["introspect"],
        scopes_supported=sorted(SCOPES),
        response_types_supported=list(RESPONSE_TYPES),
        response_modes_supported=["query"],
        grant_types_supported=grant_types(),
        code_challenge_methods_supported=list(CODE_CHALLENGE_METHODS),
        token_endpoint_auth_methods_supported=auth_methods,
        revocation_endpoint_auth_methods_supported=auth_methods,
        introspection_endpoint_auth_methods_supported=auth_methods,
    )

"""RFC 8414 metadata: every value comes from what the provider runs on, never from a second list."""

from __future__ import annotations

from authlib.oauth2.rfc8414 import AuthorizationServerMetadata

from deepiri_users.handlers import auth, oauth
from deepiri_users.logic import oauth_metadata
from deepiri_users.logic.oauth_authorize import RESPONSE_TYPES
from deepiri_users.logic.oauth_scopes import SCOPES

PATHS = {"authorize": "/api/oauth/authorize", "token": "/api/oauth/token", "revoke": "/api/oauth/revoke",
         "introspect": "/api/oauth/introspect"}
BASE = "https://abc.execute-api.us-east-1.amazonaws.com/prod"


def test_given_the_provider_then_its_metadata_lists_what_it_supports() -> None:
    document = oauth_metadata.metadata("https://deepiri.prod", BASE, PATHS)

    assert document.scopes_supported == sorted(SCOPES) and "webhooks:manage" in document.scopes_supported
    assert document.grant_types_supported == ["authorization_code", "refresh_token", "client_credentials"]
    assert document.response_types_supported == list(RESPONSE_TYPES) == ["code"]
    assert document.code_challenge_methods_supported == ["S256"]
    assert document.token_endpoint_auth_methods_supported == ["client_secret_basic", "client_secret_post", "none"]
    assert document.token_endpoint == f"{BASE}/api/oauth/token" and document.jwks_uri == f"{BASE}/.well-known/jwks.json"


def test_given_the_metadata_then_authlib_validates_it_as_rfc_8414() -> None:
    document = oauth_metadata.metadata("https://deepiri.prod", BASE, PATHS).model_dump()

    AuthorizationServerMetadata(document).validate()


def test_given_the_route_declarations_then_every_path_in_the_metadata_is_a_declared_open_or_first_party_route() -> None:
    declared = {route.path: route for route in [*oauth.routes.all(), *auth.routes.all()]}

    assert declared[oauth_metadata.JWKS_PATH].open and declared[oauth_metadata.METADATA_PATH].open
    assert all(path in declared for path in PATHS.values())
    assert declared[PATHS["token"]].open and not declared[PATHS["authorize"]].open


def test_given_a_local_endpoint_or_aws_then_the_base_url_is_the_one_clients_call() -> None:
    assert oauth_metadata.public_base_url("http://127.0.0.1:4566/", "api1", "dev", "ignored") == (
        "http://127.0.0.1:4566/_aws/execute-api/api1/dev")
    assert oauth_metadata.public_base_url("", "api1", "prod", "api1.execute-api.eu-west-1.amazonaws.com") == (
        "https://api1.execute-api.eu-west-1.amazonaws.com/prod")


def test_given_the_provider_then_every_endpoint_and_method_list_is_the_one_it_runs() -> None:
    document = oauth_metadata.metadata("https://deepiri.prod", BASE, PATHS).model_dump(exclude_none=True)

    assert document == {
        "issuer": "https://deepiri.prod",
        "authorization_endpoint": f"{BASE}/api/oauth/authorize",
        "token_endpoint": f"{BASE}/api/oauth/token",
        "jwks_uri": f"{BASE}/.well-known/jwks.json",
        "revocation_endpoint": f"{BASE}/api/oauth/revoke",
        "introspection_endpoint": f"{BASE}/api/oauth/introspect",
        "scopes_supported": sorted(SCOPES),
        "response_types_supported": ["code"],
        "response_modes_supported": ["query"],
        "grant_types_supported": ["authorization_code", "refresh_token", "client_credentials"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "revocation_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
        "introspection_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
    }


def test_given_a_local_endpoint_without_a_slash_then_the_base_url_has_exactly_one() -> None:
    assert oauth_metadata.public_base_url("http://127.0.0.1:4566", "a", "dev", "") == (
        "http://127.0.0.1:4566/_aws/execute-api/a/dev")
    # only slashes are trimmed: a host written in capitals keeps its last letter
    assert oauth_metadata.public_base_url("http://EMULATOR-BOX/", "a", "dev", "") == (
        "http://EMULATOR-BOX/_aws/execute-api/a/dev")

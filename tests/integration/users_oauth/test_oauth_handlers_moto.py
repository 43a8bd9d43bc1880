"""The OAuth provider's routes in-process against moto, with the users table and key secret from template.yaml."""

from __future__ import annotations

import base64
import json
from urllib.parse import parse_qs, urlencode, urlsplit

import boto3
import pytest

from deepiri_common.problems import Unauthorized
from deepiri_common.settings import reset_settings_cache
from deepiri_common.tokens import KeyStore, verify_access_token
from deepiri_gateway.dal.sessions import UserSessionCheck
from deepiri_users import wiring
from deepiri_users.handlers import oauth
from deepiri_users.logic.oauth_flow import s256_challenge
from tests.support import template
from tests.support.apigw import rest_event
from tests.support.lambda_context import FakeLambdaContext

VERIFIER = "a" * 20 + "-._~" + "B" * 30
APP_URI = "https://planner.example.com/oauth/callback"
NATIVE_URI = "http://127.0.0.1:8765/cb"
ISSUER, AUDIENCE = "https://deepiri.test", "deepiri-test-api"


@pytest.fixture
def users(aws, monkeypatch):
    created = template.create("UsersTable", "JwtKeysSecret", "RateLimitTable")
    for name, value in {
        "USERS_TABLE": created["UsersTable"], "JWT_KEYS_SECRET": created["JwtKeysSecret"],
        "RATE_LIMIT_TABLE": created["RateLimitTable"], "EVENT_BUS_NAME": "deepiri-test",
        "JWT_ISSUER": ISSUER, "JWT_AUDIENCE": AUDIENCE,
    }.items():
        monkeypatch.setenv(name, value)
    for cached in (wiring.oauth_repository, wiring.key_store, wiring.oauth_rate_limiter):
        cached.cache_clear()
    reset_settings_cache()
    for user in ("alice", "bob"):
        _put_profile(created["UsersTable"], user)
    yield created
    reset_settings_cache()


def _put_profile(table: str, user: str, *, disabled: bool = False) -> None:
    boto3.client("dynamodb", region_name=template.REGION).put_item(TableName=table, Item={
        "pk": {"S": f"USER#{user}"}, "sk": {"S": "PROFILE"}, "disabled": {"BOOL": disabled},
        "tokenVersion": {"N": "2"}, "roles": {"L": [{"S": "user"}]},
    })


def _call(method: str, path: str, user: str = "alice", body=None, query=None, scopes: str | None = None,
          path_params=None, resource=None) -> tuple[int, dict, dict]:
    authorizer = {"userId": user, "roles": "user"}
    if scopes is not None:
        authorizer["scopes"] = scopes
    event = rest_event(method, path, body=body, authorizer=authorizer, query=query, path_params=path_params,
                       resource=resource)
    response = oauth.handler(event, FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"] or "null") or {}, _headers(response)


def _post_form(path: str, form: dict, basic: tuple[str, str] | None = None) -> tuple[int, dict, dict]:
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if basic:
        headers["Authorization"] = "Basic " + base64.b64encode(f"{basic[0]}:{basic[1]}".encode()).decode()
    event = rest_event("POST", path, body=urlencode(form), headers=headers)
    response = oauth.handler(event, FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"]), _headers(response)


def _headers(response: dict) -> dict[str, str]:
    """Single- and multi-value response headers as one mapping (Powertools fills either)."""
    multi = {name: values[-1] for name, values in (response.get("multiValueHeaders") or {}).items() if values}
    return {**multi, **(response.get("headers") or {})}


def _register(client_type: str = "public", user: str = "alice", scopes=None, uris=None) -> dict:
    status, body, _ = _call("POST", "/api/oauth/clients", user, body={
        "name": "Planner", "clientType": client_type, "redirectUris": uris or [APP_URI, NATIVE_URI],
        "scopes": scopes or ["tasks:read", "profile:read", "offline_access"],
    })
    assert status == 201, body
    return body


def _authorize(client_id: str, scope: str = "tasks:read offline_access", redirect_uri: str = APP_URI) -> str:
    request = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "scope": scope,
               "state": "st-1", "code_challenge": s256_challenge(VERIFIER), "code_challenge_method": "S256"}
    status, body, _ = _call("POST", "/api/oauth/authorize", body=request)
    assert status == 200, body
    target = urlsplit(body["redirectTo"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == redirect_uri
    query = parse_qs(target.query)
    assert query["state"] == ["st-1"]
    return query["code"][0]


def _exchange(client_id: str, code: str, verifier: str = VERIFIER, redirect_uri: str = APP_URI):
    return _post_form("/api/oauth/token", {"grant_type": "authorization_code", "client_id": client_id,
                                           "code": code, "redirect_uri": redirect_uri, "code_verifier": verifier})


def _refresh(client_id: str, token: str):
    return _post_form("/api/oauth/token", {"grant_type": "refresh_token", "client_id": client_id,
                                           "refresh_token": token})


def _verify(users: dict, token: str):
    keys = KeyStore(users["JwtKeysSecret"], boto3.client("secretsmanager", region_name=template.REGION))
    return verify_access_token(keys, token, issuer=ISSUER, audience=AUDIENCE)


def test_given_a_public_client_when_the_pkce_flow_runs_then_tokens_verify_rotate_and_reuse_revokes(users) -> None:
    client = _register()
    assert client["clientSecret"] is None
    status, screen, _ = _call("GET", "/api/oauth/authorize", query={
        "response_type": "code", "client_id": client["clientId"], "redirect_uri": APP_URI,
        "scope": "tasks:read offline_access", "code_challenge": s256_challenge(VERIFIER),
        "code_challenge_method": "S256"})
    assert status == 200, screen
    assert screen["clientName"] == "Planner" and screen["alreadyConsented"] is False
    assert [s["name"] for s in screen["scopes"]] == ["offline_access", "tasks:read"]

    status, tokens, headers = _exchange(client["clientId"], _authorize(client["clientId"]))
    assert status == 200, tokens
    assert headers["Cache-Control"] == "no-store" and tokens["token_type"] == "Bearer"
    claims = _verify(users, tokens["access_token"])
    assert claims.sub == "alice" and claims.scopes == {"tasks:read", "offline_access"}
    assert claims.roles == ("user",) and claims.token_version == 2

    status, rotated, _ = _refresh(client["clientId"], tokens["refresh_token"])
    assert status == 200 and rotated["refresh_token"] != tokens["refresh_token"]
    status, reused, _ = _refresh(client["clientId"], tokens["refresh_token"])
    assert (status, reused["error"]) == (400, "invalid_grant")
    status, after, _ = _refresh(client["clientId"], rotated["refresh_token"])
    assert (status, after["error"]) == (400, "invalid_grant")  # the whole family died with the reuse


def test_given_a_used_code_when_exchanged_again_then_invalid_grant(users) -> None:
    client = _register()
    code = _authorize(client["clientId"])
    assert _exchange(client["clientId"], code)[0] == 200
    status, body, _ = _exchange(client["clientId"], code)
    assert (status, body["error"]) == (400, "invalid_grant")
    assert code not in json.dumps(body)  # the code never comes back


@pytest.mark.parametrize("wrong", [{"redirect_uri": NATIVE_URI}, {"verifier": "z" * 43}])
def test_given_a_wrong_redirect_uri_or_verifier_when_exchanging_then_invalid_grant(users, wrong: dict) -> None:
    client = _register()
    status, body, _ = _exchange(client["clientId"], _authorize(client["clientId"]), **wrong)
    assert (status, body["error"]) == (400, "invalid_grant")


def test_given_a_confidential_client_when_using_client_credentials_then_introspection_follows_revocation(
        users) -> None:
    client = _register("confidential", scopes=["tasks:read", "analytics:read"])
    credentials = (client["clientId"], client["clientSecret"])
    status, tokens, _ = _post_form("/api/oauth/token", {"grant_type": "client_credentials", "scope": "tasks:read"},
                                   basic=credentials)
    assert status == 200, tokens
    assert "refresh_token" not in tokens
    claims = _verify(users, tokens["access_token"])
    assert claims.sub == client["clientId"] and claims.roles == () and claims.scopes == {"tasks:read"}

    status, seen, _ = _post_form("/api/oauth/introspect", {"token": tokens["access_token"]}, basic=credentials)
    assert status == 200 and seen["active"] is True
    assert seen["client_id"] == client["clientId"] and seen["scope"] == "tasks:read" and seen["iat"] <= seen["exp"]

    assert _post_form("/api/oauth/revoke", {"token": tokens["access_token"]}, basic=credentials)[0] == 200
    assert _post_form("/api/oauth/introspect", {"token": tokens["access_token"]}, basic=credentials)[1] == {
        "active": False}
    assert _post_form("/api/oauth/revoke", {"token": "garbage"}, basic=credentials)[0] == 200


def test_given_a_wrong_secret_when_calling_the_token_endpoint_then_401_invalid_client(users) -> None:
    client = _register("confidential")
    status, body, headers = _post_form("/api/oauth/token", {"grant_type": "client_credentials"},
                                       basic=(client["clientId"], "not-the-secret"))
    assert (status, body["error"]) == (401, "invalid_client")
    assert headers["WWW-Authenticate"].startswith("Basic")


def test_given_a_public_client_when_asking_client_credentials_then_unauthorized_client(users) -> None:
    client = _register()
    status, body, _ = _post_form("/api/oauth/token", {"grant_type": "client_credentials",
                                                      "client_id": client["clientId"]})
    assert (status, body["error"]) == (400, "unauthorized_client")


def test_given_another_users_client_when_read_or_deleted_then_404(users) -> None:
    client = _register(user="alice")
    path, resource = f"/api/oauth/clients/{client['clientId']}", "/api/oauth/clients/{client_id}"
    params = {"client_id": client["clientId"]}
    assert _call("GET", path, "bob", path_params=params, resource=resource)[0] == 404
    assert _call("DELETE", path, "bob", path_params=params, resource=resource)[0] == 404
    status, mine, _ = _call("GET", path, "alice", path_params=params, resource=resource)
    assert status == 200 and "clientSecret" not in mine and "secretHash" not in mine
    assert _call("GET", "/api/oauth/clients", "bob")[1]["items"] == []
    assert _call("DELETE", path, "alice", path_params=params, resource=resource)[0] == 204
    assert _call("GET", path, "alice", path_params=params, resource=resource)[0] == 404


def test_given_several_clients_when_listing_by_pages_then_each_appears_once(users) -> None:
    ids = {_register()["clientId"] for _ in range(3)}
    seen, cursor = [], None
    for _ in range(4):
        query = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        status, page, _ = _call("GET", "/api/oauth/clients", query=query)
        assert status == 200, page
        seen += [item["clientId"] for item in page["items"]]
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(ids)


def test_given_a_revoked_consent_when_refreshing_then_the_refresh_token_is_dead(users) -> None:
    client = _register()
    _, tokens, _ = _exchange(client["clientId"], _authorize(client["clientId"]))
    status, consents, _ = _call("GET", "/api/oauth/consents")
    assert status == 200 and [c["clientId"] for c in consents["items"]] == [client["clientId"]]
    path = f"/api/oauth/consents/{client['clientId']}"
    assert _call("DELETE", path, path_params={"client_id": client["clientId"]},
                 resource="/api/oauth/consents/{client_id}")[0] == 204
    status, body, _ = _refresh(client["clientId"], tokens["refresh_token"])
    assert (status, body["error"]) == (400, "invalid_grant")
    assert _call("GET", "/api/oauth/consents")[1]["items"] == []


def test_given_a_disabled_user_when_exchanging_a_code_then_invalid_grant(users) -> None:
    client = _register()
    code = _authorize(client["clientId"])
    _put_profile(users["UsersTable"], "alice", disabled=True)
    status, body, _ = _exchange(client["clientId"], code)
    assert (status, body["error"]) == (400, "invalid_grant")


def test_given_a_third_party_token_when_managing_oauth_then_403(users) -> None:
    assert _call("GET", "/api/oauth/clients", scopes="profile:read")[0] == 403
    assert _call("POST", "/api/oauth/clients", scopes="profile:read", body={
        "name": "x", "clientType": "public", "redirectUris": [APP_URI], "scopes": ["tasks:read"]})[0] == 403
    assert _call("GET", "/api/oauth/consents", scopes="")[0] == 403
    assert _call("POST", "/api/oauth/authorize", scopes="tasks:read", body={
        "response_type": "code", "client_id": "x", "redirect_uri": APP_URI})[0] == 403


def test_given_unknown_fields_or_json_when_posting_then_refused(users) -> None:
    status, body, _ = _call("POST", "/api/oauth/clients", body={
        "name": "x", "clientType": "public", "redirectUris": [APP_URI], "scopes": ["tasks:read"], "admin": True})
    assert status == 422 and body["errors"][0]["field"] == "body.admin"
    event = rest_event("POST", "/api/oauth/token", body={"grant_type": "client_credentials"})
    response = oauth.handler(event, FakeLambdaContext())
    assert response["statusCode"] == 400 and json.loads(response["body"])["error"] == "invalid_request"


def test_given_a_burst_of_token_requests_when_the_bucket_is_empty_then_429_with_retry_after(
        users, monkeypatch) -> None:
    monkeypatch.setattr(oauth, "TOKEN_BUCKET", oauth.TokenBucket(capacity=2, refill_per_second=0.01))
    client = _register()
    form = {"grant_type": "client_credentials", "client_id": client["clientId"]}
    assert [_post_form("/api/oauth/token", form)[0] for _ in range(2)] == [400, 400]
    status, body, headers = _post_form("/api/oauth/token", form)
    assert (status, body["error"]) == (429, "rate_limited") and int(headers["Retry-After"]) >= 1


def test_given_a_revoked_refresh_token_when_used_then_its_grant_and_access_token_are_inactive(users) -> None:
    client = _register()
    _, tokens, _ = _exchange(client["clientId"], _authorize(client["clientId"]))
    public = {"client_id": client["clientId"]}
    status, seen, _ = _post_form("/api/oauth/introspect", {**public, "token": tokens["refresh_token"]})
    assert status == 200 and seen["active"] is True and seen["token_type"] == "refresh_token"

    assert _post_form("/api/oauth/revoke", {**public, "token": tokens["refresh_token"],
                                            "token_type_hint": "refresh_token"})[0] == 200
    assert _refresh(client["clientId"], tokens["refresh_token"])[1]["error"] == "invalid_grant"
    for token in (tokens["refresh_token"], tokens["access_token"]):
        assert _post_form("/api/oauth/introspect", {**public, "token": token})[1] == {"active": False}


def test_given_an_oversized_client_id_when_used_then_it_is_simply_unknown(users) -> None:
    long_id = "C" * 3000
    status, body, _ = _post_form("/api/oauth/token", {"grant_type": "client_credentials", "client_id": long_id})
    assert (status, body["error"]) == (401, "invalid_client")
    path = f"/api/oauth/clients/{long_id}"
    status, body, _ = _call("GET", path, path_params={"clientId": long_id}, resource="/api/oauth/clients/{clientId}")
    assert status == 422 and [e["field"] for e in body["errors"]] == ["path.clientId"]  # no id is that long
    unknown = "C" * 128
    assert _call("GET", f"/api/oauth/clients/{unknown}", path_params={"clientId": unknown},
                 resource="/api/oauth/clients/{clientId}")[0] == 404


def test_given_an_oauth_access_token_when_the_gateway_checks_it_then_revocation_of_the_grant_bites_at_once(
    users,
) -> None:
    client = _register()
    status, tokens, _ = _exchange(client["clientId"], _authorize(client["clientId"]))
    assert status == 200, tokens
    claims = _verify(users, tokens["access_token"])
    assert claims.family and claims.client_id == client["clientId"]
    check = UserSessionCheck(users["UsersTable"], boto3.client("dynamodb", region_name=template.REGION))
    check(claims)  # a live grant passes

    assert _call("DELETE", f"/api/oauth/consents/{client['clientId']}")[0] == 204
    with pytest.raises(Unauthorized):
        check(claims)


def test_given_the_metadata_route_then_anyone_reads_endpoints_scopes_and_methods_on_the_emulators_base_url(
        users, monkeypatch) -> None:
    monkeypatch.setenv("LOCAL_ENDPOINT", "http://127.0.0.1:4566/")
    reset_settings_cache()
    event = rest_event("GET", "/.well-known/oauth-authorization-server")

    response = oauth.handler(event, FakeLambdaContext())

    assert response["statusCode"] == 200
    document = json.loads(response["body"])
    base = "http://127.0.0.1:4566/_aws/execute-api/abc123/test"  # the event's apiId and stage
    assert document["issuer"] == ISSUER
    assert (document["authorization_endpoint"], document["token_endpoint"], document["jwks_uri"]) == (
        f"{base}/api/oauth/authorize", f"{base}/api/oauth/token", f"{base}/.well-known/jwks.json")
    assert "webhooks:manage" in document["scopes_supported"]
    assert document["code_challenge_methods_supported"] == ["S256"]

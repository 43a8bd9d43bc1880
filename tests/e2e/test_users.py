"""The users service through the deployed local stack: accounts, token rotation, reset, OAuth, social, skills."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from urllib.parse import parse_qs, urlparse

from deepiri_common.events import DomainEvent
from deepiri_common.ids import new_ulid
from deepiri_gateway.dal.sessions import REVOCATION_SECONDS
from infra.stack import function_name
from tests.e2e.conftest import PASSWORD, wait_for


def _register(account, name: str) -> dict:
    user = account(name)
    return {"email": user.email, "id": user.id, "accessToken": user.token, "refreshToken": user.refresh}


def _stops_within_the_bound(api, token: str, path: str = "/api/users/me") -> float:
    """Poll ``path`` with ``token`` until the gateway answers 401; fail unless that took at most 5 seconds.

    API Gateway may replay the authorizer's answer for a few seconds, and the authorizer caches a user's
    state for the rest of the bound, so a revoked token may still pass briefly, but never past the bound.
    """
    started = time.monotonic()
    wait_for(lambda: api("GET", path, token=token).status_code == 401, seconds=REVOCATION_SECONDS + 1, every=0.2)
    elapsed = time.monotonic() - started
    assert elapsed <= REVOCATION_SECONDS, f"the revoked token still passed after {elapsed:.1f}s"
    return elapsed


def test_given_a_new_account_when_signing_in_and_rotating_then_reuse_revokes_the_family(api, account) -> None:
    user = _register(account, "user-1")
    login = api("POST", "/api/auth/login", json={"email": user["email"], "password": PASSWORD})
    assert login.status_code == 200, login.text
    tokens = login.json()

    me = api("GET", "/api/users/me", token=tokens["accessToken"])
    assert me.status_code == 200 and me.json()["email"] == user["email"]
    assert "passwordHash" not in me.text and PASSWORD not in me.text

    rotated = api("POST", "/api/auth/refresh", json={"refreshToken": tokens["refreshToken"]})
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["refreshToken"] != tokens["refreshToken"]

    # Replaying the spent token is theft: the whole family dies, including the fresh token.
    assert api("POST", "/api/auth/refresh", json={"refreshToken": tokens["refreshToken"]}).status_code == 401
    assert api("POST", "/api/auth/refresh", json={"refreshToken": rotated.json()["refreshToken"]}).status_code == 401

    # The registration session is independent: logout ends it.
    logout = api("POST", "/api/auth/logout", token=user["accessToken"], json={"refreshToken": user["refreshToken"]})
    assert logout.status_code == 204, logout.text
    assert api("POST", "/api/auth/refresh", json={"refreshToken": user["refreshToken"]}).status_code == 401


def test_given_unknown_email_or_wrong_password_when_logging_in_then_the_same_401(api, account) -> None:
    user = _register(account, "user-2")
    wrong = api("POST", "/api/auth/login", json={"email": user["email"], "password": "not the password at all"})
    unknown = api("POST", "/api/auth/login", json={"email": f"nobody-{new_ulid()}@example.com", "password": PASSWORD})
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json()["detail"] == unknown.json()["detail"]
    duplicate = api("POST", "/api/auth/register", json={"email": user["email"], "password": PASSWORD,
                                                        "displayName": "Again"})
    assert duplicate.status_code == 409


def test_given_a_reset_request_when_confirmed_with_the_emitted_token_then_only_the_new_password_works(
    api, account, bus_tap
) -> None:
    received = bus_tap("PasswordResetRequested")
    user = _register(account, "user-3")
    assert api("POST", "/api/auth/password-reset", json={"email": user["email"]}).status_code == 202
    unknown = api("POST", "/api/auth/password-reset", json={"email": f"ghost-{new_ulid()}@example.com"})
    assert unknown.status_code == 202

    [event] = wait_for(received, seconds=30)
    assert event["detail"]["data"]["userId"] == user["id"]
    new_password = "an entirely new passphrase"
    confirm = api("POST", "/api/auth/password-reset/confirm",
                  json={"token": event["detail"]["data"]["token"], "newPassword": new_password})
    assert confirm.status_code == 204, confirm.text

    assert api("POST", "/api/auth/login", json={"email": user["email"], "password": PASSWORD}).status_code == 401
    assert api("POST", "/api/auth/login", json={"email": user["email"], "password": new_password}).status_code == 200
    assert api("POST", "/api/auth/refresh", json={"refreshToken": user["refreshToken"]}).status_code == 401
    # Single use: the same token cannot reset again.
    again = api("POST", "/api/auth/password-reset/confirm",
                json={"token": event["detail"]["data"]["token"], "newPassword": "yet another passphrase"})
    assert again.status_code in (400, 401, 404, 410)


def test_given_repeated_wrong_passwords_when_logging_in_then_429_with_retry_after_even_for_the_right_one(
    api, account
) -> None:
    user = _register(account, "locked")
    statuses = [api("POST", "/api/auth/login", json={"email": user["email"], "password": f"wrong guess {n:04d}"}
                    ).status_code for n in range(10)]
    assert statuses == [401] * 10
    locked = api("POST", "/api/auth/login", json={"email": user["email"], "password": PASSWORD})
    assert locked.status_code == 429, locked.text
    assert int(locked.headers["Retry-After"]) > 0
    assert locked.headers["content-type"].startswith("application/problem+json")


def test_given_an_oauth_client_when_completing_pkce_then_its_token_reaches_only_scoped_routes(api, account) -> None:
    owner = _register(account, "owner-4")
    redirect = "http://127.0.0.1:8765/callback"
    client = api("POST", "/api/oauth/clients", token=owner["accessToken"],
                 json={"name": "Focus Timer", "clientType": "public", "redirectUris": [redirect],
                       "scopes": ["profile:read", "offline_access"]})
    assert client.status_code == 201, client.text
    client_id = client.json()["clientId"]

    user = _register(account, "grace-5")
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    request = {"response_type": "code", "client_id": client_id, "redirect_uri": redirect,
               "scope": "profile:read offline_access", "state": "xyz", "code_challenge": challenge,
               "code_challenge_method": "S256"}
    screen = api("GET", "/api/oauth/authorize", token=user["accessToken"], params=request)
    assert screen.status_code == 200, screen.text
    decision = api("POST", "/api/oauth/authorize", token=user["accessToken"], json={**request, "approve": True})
    assert decision.status_code == 200, decision.text
    query = parse_qs(urlparse(decision.json()["redirectTo"]).query)
    assert query["state"] == ["xyz"]

    def exchange(code: str) -> tuple[dict, dict]:
        form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect,
                "client_id": client_id, "code_verifier": verifier}
        response = api("POST", "/api/oauth/token", data=form)
        assert response.status_code == 200, response.text
        return response.json(), form

    tokens, form = exchange(query["code"][0])
    access = tokens["access_token"]
    me = api("GET", "/api/users/me", token=access)
    assert me.status_code == 200, me.text
    assert me.json()["userId"] == user["id"]
    assert api("PATCH", "/api/users/me", token=access, json={"bio": "x", "version": 1}).status_code == 403
    assert api("POST", "/api/oauth/clients", token=access,
               json={"name": "x", "clientType": "public", "redirectUris": [redirect], "scopes": ["profile:read"]}
               ).status_code == 403

    # A code works once; replaying it revokes what it produced (RFC 6749 §4.1.2), at the gateway too.
    assert api("POST", "/api/oauth/token", data=form).status_code == 400
    _stops_within_the_bound(api, access)

    # A fresh grant works until the user withdraws consent; then its tokens stop within the bound.
    again = api("POST", "/api/oauth/authorize", token=user["accessToken"], json={**request, "approve": True})
    tokens, _ = exchange(parse_qs(urlparse(again.json()["redirectTo"]).query)["code"][0])
    assert api("GET", "/api/users/me", token=tokens["access_token"]).status_code == 200
    assert api("DELETE", f"/api/oauth/consents/{client_id}", token=user["accessToken"]).status_code == 204
    _stops_within_the_bound(api, tokens["access_token"])
    refresh = api("POST", "/api/oauth/token", data={"grant_type": "refresh_token", "client_id": client_id,
                                                   "refresh_token": tokens["refresh_token"]})
    assert refresh.status_code in (400, 401)


def test_given_two_users_when_requesting_accepting_and_blocking_then_the_graph_follows(api, account) -> None:
    ada, bob = _register(account, "ada-6"), _register(account, "bob-7")
    sent = api("POST", "/api/users/me/friends/requests", token=ada["accessToken"], json={"userId": bob["id"]})
    assert sent.status_code == 201, sent.text
    incoming = api("GET", "/api/users/me/friends/requests", token=bob["accessToken"],
                   params={"direction": "incoming"}).json()["items"]
    assert [item["userId"] for item in incoming] == [ada["id"]]
    accepted = api("POST", f"/api/users/me/friends/requests/{ada['id']}/accept", token=bob["accessToken"])
    assert accepted.status_code == 200, accepted.text
    friends = api("GET", "/api/users/me/friends", token=ada["accessToken"]).json()["items"]
    assert [item["userId"] for item in friends] == [bob["id"]]

    assert api("POST", f"/api/users/me/blocks/{ada['id']}", token=bob["accessToken"]).status_code == 204
    assert api("GET", "/api/users/me/friends", token=ada["accessToken"]).json()["items"] == []
    again = api("POST", "/api/users/me/friends/requests", token=ada["accessToken"], json={"userId": bob["id"]})
    assert again.status_code == 404


def test_given_a_task_completed_event_delivered_twice_then_skill_xp_rises_once(api, account, publish) -> None:
    user = _register(account, "user-8")
    data = {"taskId": new_ulid(), "userId": user["id"], "category": "code", "difficulty": "hard",
            "priority": "high", "efficiency": 100, "onTime": False, "firstCompletion": True, "projectId": None}
    event = DomainEvent.new("tasks", "TaskCompleted", data, actor=user["id"])
    publish(event)
    publish(event)

    def coding_xp() -> int:
        tree = api("GET", "/api/users/me/skills", token=user["accessToken"]).json()
        return next(skill["xp"] for skill in tree["skills"] if skill["skill"] == "coding")

    first = wait_for(coding_xp, seconds=30)
    assert first > 0
    other = DomainEvent.new("tasks", "TaskCompleted", {**data, "taskId": new_ulid()}, actor=user["id"])
    publish(other)
    wait_for(lambda: coding_xp() == 2 * first, seconds=30)  # the duplicate added nothing; the new task did


def test_given_a_key_rotation_when_run_then_both_keys_are_published_and_every_token_keeps_working(
    stack, api, account
) -> None:
    user = _register(account, "rotation")
    before = {key["kid"] for key in api("GET", "/.well-known/jwks.json").json()["keys"]}
    result = stack.client("lambda").invoke(FunctionName="deepiri-e2e-users-key-rotation", Payload=b"{}")
    assert "FunctionError" not in result, result["Payload"].read()
    rotated = json.loads(result["Payload"].read())
    # Both keys verify; warm verifiers (and the JWKS route) load the new key within their 5-minute
    # cache, before it starts signing (deepiri_common.tokens.PUBLICATION_DELAY).
    assert set(rotated["verifying"]) == before | {rotated["kid"]}
    assert api("GET", "/api/users/me", token=user["accessToken"]).status_code == 200
    login = api("POST", "/api/auth/login", json={"email": user["email"], "password": PASSWORD})
    assert api("GET", "/api/users/me", token=login.json()["accessToken"]).status_code == 200


def test_given_an_admin_disables_a_user_then_the_users_tokens_stop_within_five_seconds(api, account, stack) -> None:
    admin, user = _register(account, "admin-7"), _register(account, "mallory-7")
    promoted = stack.client("lambda").invoke(FunctionName=function_name(stack.target, "UsersAdminFunction"),
                                             Payload=json.dumps({"email": admin["email"]}).encode())
    assert "admin" in json.loads(promoted["Payload"].read())["roles"]
    login = api("POST", "/api/auth/login", json={"email": admin["email"], "password": PASSWORD})
    admin_token = login.json()["accessToken"]  # a token issued after the promotion carries the role
    # The user's token is in use, so the gateway and the authorizer may hold a cached answer for it.
    assert api("GET", "/api/users/me", token=user["accessToken"]).status_code == 200

    disabled = api("POST", f"/api/users/{user['id']}/disable", token=admin_token)
    assert disabled.status_code == 200, disabled.text

    _stops_within_the_bound(api, user["accessToken"])
    assert api("GET", "/api/tasks", token=user["accessToken"]).status_code == 401

"""Accounts end to end in-process: handlers → logic → DynamoDB (moto), tables from template.yaml."""

from __future__ import annotations

import base64
import io
import json
import re
from concurrent.futures import ThreadPoolExecutor

import boto3

from deepiri_common.outbox import outbox_events
from deepiri_common.settings import reset_settings_cache
from deepiri_common.tokens import KeyStore, verify_access_token
from deepiri_gateway import wiring as gateway_wiring
from deepiri_gateway.dal.sessions import UserSessionCheck
from deepiri_gateway.handlers import authorizer
from deepiri_users.handlers import admin
from tests.integration.gateway.test_authorizer_moto import _rest_event
from tests.integration.users.conftest import AUDIENCE, ISSUER, PASSWORD, Api
from tests.support import flows, template
from tests.support.lambda_context import FakeLambdaContext

NEW_PASSWORD = "a much better passphrase"


def _events(api: Api, detail_type: str) -> list[dict]:
    stream = flows.stream_event(api.created["UsersTable"])
    return [e.detail.data for e in outbox_events(stream["Records"]) if e.detail_type == detail_type]


def _claims(token: str):
    store = KeyStore(template.physical_name("JwtKeysSecret"), boto3.client("secretsmanager"))
    return verify_access_token(store, token, issuer=ISSUER, audience=AUDIENCE)


def test_given_a_new_user_when_they_register_login_refresh_and_logout_then_tokens_rotate_and_reuse_kills_the_family(
    api: Api,
) -> None:
    # Given a registration with a messy email
    registered = api.register("  Ada@Example.COM ")
    assert registered.status == 201
    user_id = registered.body["user"]["userId"]
    assert registered.body["user"]["email"] == "ada@example.com"
    assert _claims(registered.body["tokens"]["accessToken"]).sub == user_id
    assert _events(api, "UserRegistered") == [{"userId": user_id, "email": "ada@example.com", "displayName": "Ada",
                                               "timezone": "UTC", "dayStartHour": 0}]

    # When they sign in and read their profile
    pair = api.login("ADA@example.com").body
    assert api.call("GET", "/api/users/me", user=user_id).body["email"] == "ada@example.com"

    # Then a refresh rotates the refresh token
    rotated = api.call("POST", "/api/auth/refresh", {"refreshToken": pair["refreshToken"]})
    assert rotated.status == 200 and rotated.body["refreshToken"] != pair["refreshToken"]

    # And presenting the spent token again revokes the whole family, including the newest token
    reused = api.call("POST", "/api/auth/refresh", {"refreshToken": pair["refreshToken"]})
    assert reused.status == 401
    assert api.call("POST", "/api/auth/refresh", {"refreshToken": rotated.body["refreshToken"]}).status == 401

    # And logout revokes another session's family
    other = api.login("ada@example.com").body
    assert api.call("POST", "/api/auth/logout", {"refreshToken": other["refreshToken"]}, user=user_id).status == 204
    assert api.call("POST", "/api/auth/refresh", {"refreshToken": other["refreshToken"]}).status == 401


def test_given_two_sessions_when_logout_all_then_every_refresh_token_and_access_token_dies(api: Api) -> None:
    user_id = api.register("grace@example.com").body["user"]["userId"]
    first, second = api.login("grace@example.com").body, api.login("grace@example.com").body

    assert api.call("POST", "/api/auth/logout-all", user=user_id).status == 204

    for pair in (first, second):
        assert api.call("POST", "/api/auth/refresh", {"refreshToken": pair["refreshToken"]}).status == 401
    check = UserSessionCheck(api.created["UsersTable"], boto3.client("dynamodb"))
    try:
        check(_claims(first["accessToken"]))
        raise AssertionError("the old access token was accepted")
    except Exception as refused:
        assert getattr(refused, "status", None) == 401
    check(_claims(api.login("grace@example.com").body["accessToken"]))  # a new sign-in works
    # The token version moved in one transaction with SessionsRevoked in the outbox (realtime closes sockets on it).
    published = outbox_events(flows.stream_event(api.created["UsersTable"])["Records"])
    assert [e.detail.data for e in published if e.detail_type == "SessionsRevoked"] == [
        {"userId": user_id, "reason": "logout-all"}]


def test_given_a_taken_email_when_registering_again_in_any_case_then_409(api: Api) -> None:
    assert api.register("linus@example.com").status == 201
    again = api.register(" LINUS@example.com")
    assert again.status == 409 and again.headers["Content-Type"] == "application/problem+json"


def test_given_two_concurrent_registrations_of_one_email_then_exactly_one_wins(api: Api) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = sorted(r.status for r in pool.map(lambda n: api.register("race@example.com", name=n), ["A", "B"]))
    assert statuses == [201, 409]


def test_given_weak_passwords_when_registering_then_422_naming_the_password(api: Api) -> None:
    short = api.register("short@example.com", password="too-short")
    same = api.register("same.as.email@example.com", password="Same.As.Email@example.com")
    for reply in (short, same):
        assert reply.status == 422
        assert [e["field"] for e in reply.body["errors"]] == ["body.password"]


def test_given_unknown_email_or_wrong_password_when_logging_in_then_identical_401_bodies(api: Api) -> None:
    api.register("known@example.com")
    unknown = api.login("nobody@example.com")
    wrong = api.login("known@example.com", password="not the password at all")
    assert unknown.status == wrong.status == 401
    assert {k: v for k, v in unknown.body.items()} == {k: v for k, v in wrong.body.items()}


def test_given_ten_failed_logins_when_trying_again_then_429_with_retry_after_even_with_the_right_password(
    api: Api,
) -> None:
    api.register("target@example.com")
    for _ in range(10):
        assert api.login("target@example.com", password="guess guess guess").status == 401
    locked = api.login("target@example.com")
    assert locked.status == 429
    assert 800 < int(locked.headers["Retry-After"]) <= 900


def test_given_many_attempts_from_one_ip_when_logging_in_then_429_with_retry_after(api: Api) -> None:
    # The bucket holds 50 and refills one attempt every 6 seconds, so on a slow machine a few more
    # attempts may pass before the 429; the 429 must still come, and no sooner than the 51st.
    statuses: list[int] = []
    while len(statuses) < 70 and 429 not in statuses:
        statuses.append(api.login(f"u{len(statuses)}@example.com", password="whatever password",
                                  ip="198.51.100.7").status)
    assert statuses[:50] == [401] * 50
    assert statuses[-1] == 429
    assert api.login("u0@example.com", ip="198.51.100.8").status == 401  # another IP is not affected


def test_given_a_patch_with_privileged_fields_then_422_and_nothing_changes(api: Api) -> None:
    user_id = api.register("eve@example.com").body["user"]["userId"]
    for field, value in (("role", "admin"), ("roles", ["admin"]), ("xp", 9000), ("id", "x")):
        reply = api.call("PATCH", "/api/users/me", {"version": 1, field: value}, user=user_id)
        assert reply.status == 422, field
    assert api.call("GET", "/api/users/me", user=user_id).body["roles"] == ["user"]


def test_given_a_patch_when_applied_then_version_moves_and_a_stale_version_is_412(api: Api) -> None:
    user_id = api.register("tz@example.com").body["user"]["userId"]
    body = {"version": 1, "displayName": "T", "timezone": "Europe/Paris", "avatarUrl": "https://img.example/a.png"}
    updated = api.call("PATCH", "/api/users/me", body, user=user_id)
    assert updated.status == 200 and updated.body["version"] == 2 and updated.body["timezone"] == "Europe/Paris"
    assert api.call("PATCH", "/api/users/me", {"version": 1, "bio": "x"}, user=user_id).status == 412
    bad = api.call("PATCH", "/api/users/me", {"version": 2, "timezone": "Mars/Olympus",
                                               "avatarUrl": "http://img.example/a.png"}, user=user_id)
    assert bad.status == 422
    assert {e["field"] for e in bad.body["errors"]} >= {"body.timezone", "body.avatarUrl"}
    assert _events(api, "UserUpdated") == [
        {"userId": user_id, "changed": ["avatarUrl", "displayName", "timezone"]}]


def test_given_preferences_when_put_then_read_back(api: Api) -> None:
    user_id = api.register("prefs@example.com").body["user"]["userId"]
    prefs = {"weekStart": "sunday", "theme": "dark"}
    assert api.call("PUT", "/api/users/me/preferences", prefs, user=user_id).status == 200
    assert api.call("GET", "/api/users/me/preferences", user=user_id).body == prefs
    assert api.call("PUT", "/api/users/me/preferences", {**prefs, "theme": "neon"}, user=user_id).status == 422


def test_given_notification_toggles_sent_to_the_users_service_then_422_pointing_to_notifications(api: Api) -> None:
    """They moved to /api/notifications/preferences; a client still sending them learns it, nothing is half-saved."""
    user_id = api.register("moved@example.com").body["user"]["userId"]
    old_body = {"notifications": {"tasks": {"email": False, "push": True, "inApp": True}},
                "quietHours": {"start": "22:00", "end": "07:00", "timezone": "Europe/Berlin"}, "theme": "dark"}

    refused = api.call("PUT", "/api/users/me/preferences", old_body, user=user_id)

    assert refused.status == 422
    fields = {error["field"]: error["message"] for error in refused.body["errors"]}
    assert set(fields) == {"body.notifications", "body.quietHours"}
    assert all("PUT /api/notifications/preferences" in message for message in fields.values())
    assert api.call("GET", "/api/users/me/preferences", user=user_id).body == {"weekStart": "monday",
                                                                              "theme": "system"}


def test_given_privacy_settings_when_others_read_a_profile_then_private_and_friends_only_hide_it(api: Api) -> None:
    alice = api.register("alice@example.com", name="Alice").body["user"]["userId"]
    bob = api.register("bob@example.com", name="Bob").body["user"]["userId"]
    carol = api.register("carol@example.com", name="Carol").body["user"]["userId"]
    assert api.call("GET", f"/api/users/{bob}", user=alice).body == {
        "userId": bob, "displayName": "Bob", "avatarUrl": None, "bio": None}

    api.call("PATCH", "/api/users/me", {"version": 1, "privacy": "private"}, user=bob)
    assert api.call("GET", f"/api/users/{bob}", user=alice).status == 404
    assert api.call("GET", f"/api/users/{bob}", user=bob).status == 200

    api.call("PATCH", "/api/users/me", {"version": 2, "privacy": "friends"}, user=bob)
    boto3.client("dynamodb").put_item(TableName=api.created["UsersTable"], Item={
        "pk": {"S": f"USER#{bob}"}, "sk": {"S": f"FRIEND#{carol}"}})
    assert api.call("GET", f"/api/users/{bob}", user=alice).status == 404
    assert api.call("GET", f"/api/users/{bob}", user=carol).status == 200
    assert api.call("GET", "/api/users/01NOSUCHUSER0000000000000", user=alice).status == 404


def test_given_a_password_reset_when_confirmed_with_the_emailed_token_then_old_credentials_die(api: Api) -> None:
    user_id = api.register("reset@example.com").body["user"]["userId"]
    old_pair = api.login("reset@example.com").body

    accepted = api.call("POST", "/api/auth/password-reset", {"email": "reset@example.com"})
    unknown = api.call("POST", "/api/auth/password-reset", {"email": "ghost@example.com"})
    assert accepted.status == unknown.status == 202 and accepted.body == unknown.body

    [event] = _events(api, "PasswordResetRequested")
    assert event["userId"] == user_id and event["email"] == "reset@example.com"
    confirm = {"token": event["token"], "newPassword": NEW_PASSWORD}
    assert api.call("POST", "/api/auth/password-reset/confirm", confirm).status == 204

    assert api.login("reset@example.com").status == 401
    assert api.login("reset@example.com", password=NEW_PASSWORD).status == 200
    assert api.call("POST", "/api/auth/refresh", {"refreshToken": old_pair["refreshToken"]}).status == 401
    assert api.call("POST", "/api/auth/password-reset/confirm", confirm).status == 400  # single use


def test_given_a_verification_request_when_the_token_is_presented_then_the_email_is_verified(api: Api) -> None:
    user_id = api.register("verify@example.com").body["user"]["userId"]
    assert api.call("POST", "/api/users/me/email-verification", user=user_id).status == 202
    [event] = _events(api, "EmailVerificationRequested")
    assert api.call("POST", "/api/auth/verify-email", {"token": event["token"]}).status == 204
    assert api.call("GET", "/api/users/me", user=user_id).body["emailVerified"] is True
    assert api.call("POST", "/api/auth/verify-email", {"token": event["token"]}).status == 400


def test_given_a_password_change_then_the_current_password_is_required_and_other_sessions_end(api: Api) -> None:
    user_id = api.register("change@example.com").body["user"]["userId"]
    other = api.login("change@example.com").body
    wrong = api.call("POST", "/api/users/me/password", {"current": "not it at all!", "new": NEW_PASSWORD},
                     user=user_id)
    assert wrong.status == 403
    changed = api.call("POST", "/api/users/me/password", {"current": PASSWORD, "new": NEW_PASSWORD}, user=user_id)
    assert changed.status == 200
    assert api.call("POST", "/api/auth/refresh", {"refreshToken": other["refreshToken"]}).status == 401
    assert api.call("POST", "/api/auth/refresh", {"refreshToken": changed.body["refreshToken"]}).status == 200
    assert api.login("change@example.com", password=NEW_PASSWORD).status == 200


def test_given_an_account_when_deleted_with_its_password_then_it_is_gone_and_the_email_is_free(api: Api) -> None:
    registered = api.register("bye@example.com").body
    user_id = registered["user"]["userId"]
    assert api.call("DELETE", "/api/users/me", {"password": "wrong password!"}, user=user_id).status == 403
    assert api.call("DELETE", "/api/users/me", {"password": PASSWORD}, user=user_id).status == 204
    assert api.call("GET", "/api/users/me", user=user_id).status == 404
    assert api.call("POST", "/api/auth/refresh", {"refreshToken": registered["tokens"]["refreshToken"]}).status == 401
    assert _events(api, "UserDeleted") == [{"userId": user_id}]
    assert api.register("bye@example.com").status == 201


def test_given_admin_routes_when_a_non_admin_calls_them_then_403(api: Api) -> None:
    user_id = api.register("plain@example.com").body["user"]["userId"]
    assert api.call("GET", "/api/users", user=user_id).status == 403
    assert api.call("POST", f"/api/users/{user_id}/disable", user=user_id).status == 403
    assert api.call("POST", f"/api/users/{user_id}/enable", user=user_id).status == 403


def test_given_the_first_admin_promoted_when_listing_and_disabling_then_the_authorizer_refuses_the_user(
    api: Api,
) -> None:
    boss = api.register("boss@example.com").body["user"]["userId"]
    for n in range(3):
        api.register(f"member{n}@example.com")
    target = api.register("target@example.com").body
    promoted = admin.promote({"email": " BOSS@example.com"}, FakeLambdaContext())
    assert promoted["roles"] == ["user", "admin"]
    assert _claims(api.login("boss@example.com").body["accessToken"]).roles == ("user", "admin")

    first = api.call("GET", "/api/users", user=boss, roles="user,admin", query={"emailPrefix": "member", "limit": "2"})
    assert [u["email"] for u in first.body["items"]] == ["member0@example.com", "member1@example.com"]
    rest = api.call("GET", "/api/users", user=boss, roles="user,admin",
                    query={"emailPrefix": "member", "cursor": first.body["nextCursor"]})
    assert [u["email"] for u in rest.body["items"]] == ["member2@example.com"]

    check = UserSessionCheck(api.created["UsersTable"], boto3.client("dynamodb"), cache_seconds=0)
    claims = _claims(target["tokens"]["accessToken"])
    check(claims)
    target_id = target["user"]["userId"]
    assert api.call("POST", f"/api/users/{target_id}/disable", user=boss, roles="user,admin").body["disabled"]
    try:
        check(claims)
        raise AssertionError("a disabled user's token was accepted")
    except Exception as refused:
        assert getattr(refused, "detail", None) == "user disabled"
    assert api.login("target@example.com").status == 403
    api.call("POST", f"/api/users/{target_id}/enable", user=boss, roles="user,admin")
    check(claims)


def test_given_every_flow_then_no_password_hash_or_foreign_token_appears_in_bodies_or_logs(
    api: Api, log_output: io.StringIO
) -> None:
    user_id = api.register("secret@example.com").body["user"]["userId"]
    api.login("secret@example.com", password="wrong wrong wrong")
    api.call("POST", "/api/auth/password-reset", {"email": "secret@example.com"})
    api.call("POST", "/api/users/me/email-verification", user=user_id)
    api.call("POST", "/api/auth/refresh", {"refreshToken": "forged-token-value"})
    api.call("PATCH", "/api/users/me", {"version": 1, "bio": "hello"}, user=user_id)
    stored = boto3.client("dynamodb").get_item(TableName=api.created["UsersTable"],
                                               Key={"pk": {"S": f"USER#{user_id}"}, "sk": {"S": "PROFILE"}})["Item"]
    password_hash = stored["passwordHash"]["S"]
    one_time = [e["token"] for t in ("PasswordResetRequested", "EmailVerificationRequested") for e in _events(api, t)]
    logs = log_output.getvalue()
    for text in [*api.bodies, logs]:
        assert PASSWORD not in text and "wrong wrong wrong" not in text
        assert password_hash not in text and "$argon2id$" not in text
        assert "forged-token-value" not in text
        assert all(token not in text for token in one_time)
    assert not re.search(r'"(passwordHash|password)"', "".join(api.bodies))


def test_given_the_jwks_route_then_it_publishes_the_key_that_signs_access_tokens(api: Api) -> None:
    token = api.register("keys@example.com").body["tokens"]["accessToken"]
    keys = api.call("GET", "/.well-known/jwks.json").body["keys"]
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header["kid"] in {k["kid"] for k in keys}
    assert all("d" not in k for k in keys)  # public halves only


def test_given_users_table_configured_when_the_authorizer_sees_a_disabled_users_token_then_unauthorized(
    api: Api, monkeypatch
) -> None:
    registered = api.register("door@example.com").body
    boss = api.register("admin@example.com").body["user"]["userId"]
    admin.promote({"email": "admin@example.com"}, FakeLambdaContext())
    monkeypatch.setenv("USERS_TABLE", api.created["UsersTable"])
    reset_settings_cache()
    gateway_wiring.reset()
    token = registered["tokens"]["accessToken"]
    assert authorizer.handler(_rest_event(token), FakeLambdaContext())["principalId"] == registered["user"]["userId"]

    api.call("POST", f"/api/users/{registered['user']['userId']}/disable", user=boss, roles="user,admin")
    gateway_wiring.reset()  # a new container: no cached answer
    try:
        authorizer.handler(_rest_event(token), FakeLambdaContext())
        raise AssertionError("the disabled user's token was allowed")
    except Exception as refused:
        assert str(refused) == "Unauthorized"
    gateway_wiring.reset()

"""OAuth provider rules with in-memory fakes: PKCE, redirect URIs, scopes, codes, refresh rotation."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest

from deepiri_common.problems import BadRequest, NotFound, ValidationFailed
from deepiri_users.logic import oauth_authorize, oauth_clients, oauth_flow, oauth_introspection
from deepiri_users.logic.oauth_errors import (
    InvalidClient,
    InvalidGrant,
    InvalidRequest,
    InvalidScope,
    UnauthorizedClient,
    UnsupportedGrantType,
)
from deepiri_users.logic.oauth_scopes import format_scope, parse_scope, require_within
from deepiri_users.models.oauth import (
    AccountState,
    OAuthAuthorizeDecision,
    OAuthAuthorizeRequest,
    OAuthClientRegistration,
)
from tests.unit.users_oauth.fakes import FakeOAuthStore, RecordingSigner

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
LIFETIMES = oauth_flow.TokenLifetimes(access=900, refresh=3600)
# RFC 7636 Appendix B.
RFC_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
RFC_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
APP_URI = "https://app.example.com/callback"


@pytest.fixture
def store() -> FakeOAuthStore:
    fake = FakeOAuthStore()
    fake.accounts["alice"] = AccountState(userId="alice", tokenVersion=3, roles=frozenset({"user", "admin"}))
    return fake


def _register(store: FakeOAuthStore, client_type: str = "public", scopes: list[str] | None = None):
    return oauth_clients.register_client(store, "owner", OAuthClientRegistration(
        name="Planner", clientType=client_type, redirectUris=[APP_URI],
        scopes=scopes or ["tasks:read", "profile:read", "offline_access"],
    ), NOW)


def _code(store: FakeOAuthStore, client_id: str, scope: str = "tasks:read offline_access",
          challenge: str | None = RFC_CHALLENGE) -> str:
    redirect = oauth_authorize.decide(store, "alice", OAuthAuthorizeDecision(
        response_type="code", client_id=client_id, redirect_uri=APP_URI, scope=scope, state="xyz",
        code_challenge=challenge, code_challenge_method="S256" if challenge else None,
    ), NOW)
    query = dict(item.split("=", 1) for item in redirect.redirectTo.split("?", 1)[1].split("&"))
    assert query["state"] == "xyz"
    return query["code"]


def _exchange(store, client, code, verifier=RFC_VERIFIER, redirect_uri=APP_URI, now=NOW, signer=None):
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if verifier is not None:
        form["code_verifier"] = verifier
    return oauth_flow.grant_tokens(store, signer or RecordingSigner(), client, form, lifetimes=LIFETIMES, now=now)


def _refresh(store, client, token, now=NOW):
    return oauth_flow.grant_tokens(store, RecordingSigner(), client,
                                   {"grant_type": "refresh_token", "refresh_token": token},
                                   lifetimes=LIFETIMES, now=now)


# ---------------------------------------------------------------- PKCE
def test_given_the_rfc_verifier_when_hashed_with_s256_then_it_gives_the_rfc_challenge() -> None:
    assert oauth_flow.s256_challenge(RFC_VERIFIER) == RFC_CHALLENGE
    assert oauth_flow.pkce_matches(RFC_VERIFIER, RFC_CHALLENGE)


@pytest.mark.parametrize("verifier", [None, "", RFC_VERIFIER[:-1] + "A", "short", RFC_VERIFIER + " ", "x" * 129])
def test_given_a_wrong_or_malformed_verifier_when_checked_then_it_does_not_match(verifier) -> None:
    assert not oauth_flow.pkce_matches(verifier, RFC_CHALLENGE)


def test_given_a_plain_challenge_shape_when_checked_then_it_is_not_an_s256_challenge() -> None:
    assert oauth_flow.is_valid_challenge(RFC_CHALLENGE)
    assert not oauth_flow.is_valid_challenge(RFC_VERIFIER + "xx")
    assert not oauth_flow.is_valid_challenge("abc")


# ---------------------------------------------------------------- redirect URIs
@pytest.mark.parametrize("uri", [APP_URI, "http://127.0.0.1:8765/cb", "http://localhost/cb", "http://[::1]:9/cb"])
def test_given_https_or_loopback_http_when_registering_then_the_uri_is_accepted(uri: str) -> None:
    assert oauth_clients.redirect_uri_problem(uri) is None


@pytest.mark.parametrize("uri", [
    "http://app.example.com/cb", "https://app.example.com/cb#frag", "javascript:alert(1)", "https:///nohost",
    "https://user:pw@app.example.com/cb", "com.example.app:/cb", "http://localhost.evil.com/cb",
])
def test_given_an_unsafe_uri_when_registering_then_it_is_refused(uri: str) -> None:
    assert oauth_clients.redirect_uri_problem(uri) is not None


@pytest.mark.parametrize("uri", [APP_URI + "/", APP_URI + "?x=1", APP_URI.upper(), "https://app.example.com/callbac"])
def test_given_a_near_miss_redirect_uri_when_matched_then_only_the_exact_string_matches(
        store: FakeOAuthStore, uri: str) -> None:
    client = store.clients[_register(store).clientId]
    assert oauth_clients.redirect_uri_registered(APP_URI, client)
    assert not oauth_clients.redirect_uri_registered(uri, client)


def test_given_an_http_redirect_uri_when_registering_then_422_names_the_field(store: FakeOAuthStore) -> None:
    with pytest.raises(ValidationFailed) as refused:
        oauth_clients.register_client(store, "owner", OAuthClientRegistration(
            name="x", clientType="public", redirectUris=[APP_URI, "http://evil.example/cb"], scopes=["nope"],
        ), NOW)
    assert [e["field"] for e in refused.value.errors] == ["body.redirectUris.1", "body.scopes"]


# ---------------------------------------------------------------- scopes
def test_given_a_scope_string_when_parsed_then_known_scopes_form_a_set() -> None:
    assert parse_scope("tasks:read  profile:read tasks:read") == {"tasks:read", "profile:read"}
    assert parse_scope(None) == frozenset()
    assert format_scope({"tasks:read", "profile:read"}) == "profile:read tasks:read"


def test_given_an_unknown_scope_when_parsed_then_invalid_scope() -> None:
    with pytest.raises(InvalidScope):
        parse_scope("tasks:read admin:all")


def test_given_a_scope_beyond_the_allowed_set_when_checked_then_invalid_scope() -> None:
    require_within(frozenset({"tasks:read"}), frozenset({"tasks:read", "tasks:write"}))
    with pytest.raises(InvalidScope):
        require_within(frozenset({"tasks:write"}), frozenset({"tasks:read"}))


# ---------------------------------------------------------------- authorization request
def test_given_a_public_client_without_pkce_when_authorizing_then_refused(store: FakeOAuthStore) -> None:
    client_id = _register(store).clientId
    request = OAuthAuthorizeRequest(response_type="code", client_id=client_id, redirect_uri=APP_URI,
                                    scope="tasks:read")
    with pytest.raises(BadRequest) as refused:
        oauth_authorize.check_request(store, request)
    assert refused.value.extensions["error"] == "invalid_request"


@pytest.mark.parametrize(("changes", "error"), [
    ({"code_challenge_method": "plain"}, "invalid_request"),
    ({"redirect_uri": APP_URI + "/"}, "invalid_request"),
    ({"scope": "tasks:write"}, "invalid_scope"),
    ({"scope": ""}, "invalid_scope"),
    ({"response_type": "token"}, "unsupported_response_type"),
    ({"client_id": "nobody"}, "invalid_client"),
])
def test_given_a_bad_authorization_request_when_checked_then_400_names_the_oauth_error(
        store: FakeOAuthStore, changes: dict, error: str) -> None:
    fields = {"response_type": "code", "client_id": _register(store).clientId, "redirect_uri": APP_URI,
              "scope": "tasks:read", "code_challenge": RFC_CHALLENGE, "code_challenge_method": "S256", **changes}
    with pytest.raises(BadRequest) as refused:
        oauth_authorize.check_request(store, OAuthAuthorizeRequest(**fields))
    assert refused.value.extensions["error"] == error


def test_given_a_denial_when_deciding_then_the_redirect_carries_access_denied_and_no_code(
        store: FakeOAuthStore) -> None:
    client_id = _register(store).clientId
    answer = oauth_authorize.decide(store, "alice", OAuthAuthorizeDecision(
        response_type="code", client_id=client_id, redirect_uri=APP_URI, scope="tasks:read", state="s1",
        code_challenge=RFC_CHALLENGE, code_challenge_method="S256", approve=False), NOW)
    assert answer.redirectTo == f"{APP_URI}?error=access_denied&state=s1"
    assert store.codes == {} and store.consents == {}


# ---------------------------------------------------------------- authorization code grant
def test_given_a_code_when_exchanged_with_the_verifier_then_tokens_carry_the_granted_scopes(
        store: FakeOAuthStore) -> None:
    client = store.clients[_register(store).clientId]
    signer = RecordingSigner()
    answer = _exchange(store, client, _code(store, client.clientId), signer=signer)
    assert answer.scope == "offline_access tasks:read" and answer.refresh_token and answer.expires_in == 900
    issued = signer.issued[0]
    assert issued["subject"] == "alice" and issued["roles"] == ["user"]  # admin is never delegated
    assert issued["token_version"] == 3 and issued["claims"]["client_id"] == client.clientId


def test_given_a_used_code_when_exchanged_again_then_invalid_grant_and_its_tokens_are_revoked(
        store: FakeOAuthStore) -> None:
    client = store.clients[_register(store).clientId]
    code = _code(store, client.clientId)
    first = _exchange(store, client, code)
    with pytest.raises(InvalidGrant):
        _exchange(store, client, code)
    with pytest.raises(InvalidGrant):
        _refresh(store, client, first.refresh_token)


@pytest.mark.parametrize(("kwargs", "reason"), [
    ({"verifier": RFC_VERIFIER[:-1] + "B"}, "code_verifier"),
    ({"verifier": None}, "code_verifier"),
    ({"redirect_uri": "http://127.0.0.1/cb"}, "redirect_uri"),
    ({"now": NOW + timedelta(minutes=5)}, "expired"),
])
def test_given_a_wrong_binding_when_exchanging_then_invalid_grant_and_only_a_wrong_verifier_burns_the_code(
        store: FakeOAuthStore, kwargs: dict, reason: str) -> None:
    client = store.clients[_register(store).clientId]
    code = _code(store, client.clientId)
    with pytest.raises(InvalidGrant) as refused:
        _exchange(store, client, code, **kwargs)
    assert reason in refused.value.description
    if reason == "redirect_uri":
        assert _exchange(store, client, code).access_token
    if reason == "code_verifier":  # a guessed verifier gets one try: the code is spent
        with pytest.raises(InvalidGrant, match="already used"):
            _exchange(store, client, code)


def test_given_another_clients_code_when_exchanged_then_invalid_grant(store: FakeOAuthStore) -> None:
    mine = store.clients[_register(store).clientId]
    theirs = store.clients[_register(store).clientId]
    with pytest.raises(InvalidGrant):
        _exchange(store, theirs, _code(store, mine.clientId))


def test_given_a_disabled_user_when_exchanging_then_invalid_grant(store: FakeOAuthStore) -> None:
    client = store.clients[_register(store).clientId]
    code = _code(store, client.clientId)
    store.accounts["alice"] = AccountState(userId="alice", disabled=True)
    with pytest.raises(InvalidGrant):
        _exchange(store, client, code)


def test_given_no_offline_access_when_exchanging_then_no_refresh_token(store: FakeOAuthStore) -> None:
    client = store.clients[_register(store).clientId]
    answer = _exchange(store, client, _code(store, client.clientId, scope="tasks:read"))
    assert answer.refresh_token is None and store.refresh_tokens == {}


def test_given_a_code_issued_without_pkce_when_a_verifier_is_sent_then_invalid_grant(
        store: FakeOAuthStore) -> None:
    client = store.clients[_register(store, "confidential").clientId]
    code = _code(store, client.clientId, challenge=None)
    with pytest.raises(InvalidGrant):
        _exchange(store, client, code, verifier=RFC_VERIFIER)
    assert _exchange(store, client, code, verifier=None).access_token


# ---------------------------------------------------------------- refresh rotation
def test_given_a_refresh_token_when_used_then_it_rotates_and_the_new_one_works(store: FakeOAuthStore) -> None:
    client = store.clients[_register(store).clientId]
    first = _exchange(store, client, _code(store, client.clientId))
    second = _refresh(store, client, first.refresh_token)
    assert second.refresh_token not in (None, first.refresh_token)
    third = _refresh(store, client, second.refresh_token)
    assert third.access_token


def test_given_a_rotated_refresh_token_when_reused_then_the_whole_family_is_revoked(store: FakeOAuthStore) -> None:
    client = store.clients[_register(store).clientId]
    first = _exchange(store, client, _code(store, client.clientId))
    second = _refresh(store, client, first.refresh_token)
    with pytest.raises(InvalidGrant, match="already used"):
        _refresh(store, client, first.refresh_token)
    with pytest.raises(InvalidGrant):
        _refresh(store, client, second.refresh_token)


def test_given_an_expired_or_foreign_refresh_token_when_used_then_invalid_grant(store: FakeOAuthStore) -> None:
    client = store.clients[_register(store).clientId]
    other = store.clients[_register(store).clientId]
    token = _exchange(store, client, _code(store, client.clientId)).refresh_token
    with pytest.raises(InvalidGrant):
        _refresh(store, other, token)
    with pytest.raises(InvalidGrant, match="expired"):
        _refresh(store, client, token, now=NOW + timedelta(seconds=LIFETIMES.refresh))
    assert _refresh(store, client, token).refresh_token  # neither attempt burnt the token


def test_given_a_narrower_scope_when_refreshing_then_the_access_token_is_narrowed(store: FakeOAuthStore) -> None:
    client = store.clients[_register(store).clientId]
    token = _exchange(store, client, _code(store, client.clientId)).refresh_token
    answer = oauth_flow.grant_tokens(store, RecordingSigner(), client, {
        "grant_type": "refresh_token", "refresh_token": token, "scope": "tasks:read"}, lifetimes=LIFETIMES, now=NOW)
    assert answer.scope == "tasks:read"
    with pytest.raises(InvalidScope):
        oauth_flow.grant_tokens(store, RecordingSigner(), client, {
            "grant_type": "refresh_token", "refresh_token": answer.refresh_token, "scope": "profile:read"},
            lifetimes=LIFETIMES, now=NOW)


def test_given_a_revoked_consent_when_refreshing_then_invalid_grant(store: FakeOAuthStore) -> None:
    client = store.clients[_register(store).clientId]
    token = _exchange(store, client, _code(store, client.clientId)).refresh_token
    oauth_authorize.revoke_consent(store, "alice", client.clientId, NOW)
    with pytest.raises(InvalidGrant):
        _refresh(store, client, token)
    with pytest.raises(NotFound):
        oauth_authorize.revoke_consent(store, "alice", "unknown-client", NOW)


# ---------------------------------------------------------------- client credentials and grant types
def test_given_a_confidential_client_when_asking_client_credentials_then_the_client_is_the_subject(
        store: FakeOAuthStore) -> None:
    client = store.clients[_register(store, "confidential").clientId]
    signer = RecordingSigner()
    answer = oauth_flow.grant_tokens(store, signer, client, {"grant_type": "client_credentials"},
                                     lifetimes=LIFETIMES, now=NOW)
    assert answer.scope == "profile:read tasks:read" and answer.refresh_token is None
    assert signer.issued[0]["subject"] == client.clientId and signer.issued[0]["roles"] == []


@pytest.mark.parametrize(("client_type", "form", "error"), [
    ("public", {"grant_type": "client_credentials"}, UnauthorizedClient),
    ("confidential", {"grant_type": "client_credentials", "scope": "tasks:write"}, InvalidScope),
    ("confidential", {"grant_type": "client_credentials", "scope": "offline_access"}, InvalidScope),
    ("confidential", {"grant_type": "password"}, UnsupportedGrantType),
    ("confidential", {}, InvalidRequest),
])
def test_given_a_grant_the_client_may_not_use_when_asked_then_refused(
        store: FakeOAuthStore, client_type: str, form: dict, error: type) -> None:
    client = store.clients[_register(store, client_type).clientId]
    with pytest.raises(error):
        oauth_flow.grant_tokens(store, RecordingSigner(), client, form, lifetimes=LIFETIMES, now=NOW)


# ---------------------------------------------------------------- client authentication
def _basic(client_id: str, secret: str) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def test_given_the_secret_by_basic_or_body_when_authenticating_then_the_client_is_proved(
        store: FakeOAuthStore) -> None:
    created = _register(store, "confidential")
    assert created.clientSecret and store.clients[created.clientId].secretHash != created.clientSecret
    by_basic = oauth_clients.credentials_from_request(_basic(created.clientId, created.clientSecret), {})
    by_body = oauth_clients.credentials_from_request(
        None, {"client_id": created.clientId, "client_secret": created.clientSecret})
    for credentials in (by_basic, by_body):
        assert oauth_clients.authenticate_client(store, credentials).clientId == created.clientId


@pytest.mark.parametrize("secret", [None, "wrong"])
def test_given_a_missing_or_wrong_secret_when_authenticating_then_invalid_client(
        store: FakeOAuthStore, secret: str | None) -> None:
    created = _register(store, "confidential")
    credentials = oauth_clients.ClientCredentials(client_id=created.clientId, client_secret=secret, basic=True)
    with pytest.raises(InvalidClient) as refused:
        oauth_clients.authenticate_client(store, credentials)
    assert refused.value.basic


def test_given_two_auth_methods_or_none_when_reading_credentials_then_refused() -> None:
    with pytest.raises(InvalidRequest):
        oauth_clients.credentials_from_request(_basic("a", "b"), {"client_secret": "b"})
    with pytest.raises(InvalidClient):
        oauth_clients.credentials_from_request(None, {})
    with pytest.raises(InvalidClient):
        oauth_clients.credentials_from_request("Basic !!!", {})


def test_given_a_public_client_presenting_a_secret_when_authenticating_then_invalid_client(
        store: FakeOAuthStore) -> None:
    created = _register(store)
    with pytest.raises(InvalidClient):
        oauth_clients.authenticate_client(store, oauth_clients.ClientCredentials(created.clientId, "x", False))


def test_given_another_owner_when_reading_or_deleting_a_client_then_not_found(store: FakeOAuthStore) -> None:
    created = _register(store)
    with pytest.raises(NotFound):
        oauth_clients.owned_client(store, "intruder", created.clientId)
    with pytest.raises(NotFound):
        oauth_clients.delete_client(store, "intruder", created.clientId)
    assert created.clientId in store.clients


# ---------------------------------------------------------------- introspection and revocation
def _fake_verifier(client_id: str, family_id: str | None = None):
    def verify(token: str):
        if token != "a.b.c":
            return None
        return oauth_introspection.VerifiedAccess(sub="alice", jti="J1", exp=2_000_000_000, iat=1_900_000_000,
                                                  scope="tasks:read", client_id=client_id, family_id=family_id)
    return verify


def test_given_an_own_access_token_when_introspected_then_active_until_revoked(store: FakeOAuthStore) -> None:
    client = store.clients[_register(store, "confidential").clientId]
    verify = _fake_verifier(client.clientId)
    active = oauth_introspection.introspect(store, verify, client, "a.b.c", NOW)
    assert active.active and active.sub == "alice" and active.scope == "tasks:read"
    assert not oauth_introspection.introspect(store, verify, client, "x.y.z", NOW).active
    oauth_introspection.revoke(store, verify, client, "a.b.c", NOW)
    assert not oauth_introspection.introspect(store, verify, client, "a.b.c", NOW).active


def test_given_another_clients_token_when_introspected_or_revoked_then_inactive_and_untouched(
        store: FakeOAuthStore) -> None:
    client = store.clients[_register(store, "confidential").clientId]
    verify = _fake_verifier("someone-else")
    assert not oauth_introspection.introspect(store, verify, client, "a.b.c", NOW).active
    oauth_introspection.revoke(store, verify, client, "a.b.c", NOW)
    assert store.revoked_access == {}

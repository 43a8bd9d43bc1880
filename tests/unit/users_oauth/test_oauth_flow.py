"""The token endpoint's grants: what a client gets back, what it is refused and why, what is kept and for how long."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from deepiri_common.clock import epoch_seconds, to_iso
from deepiri_users.logic import oauth_flow
from deepiri_users.logic.oauth_clients import hash_secret
from deepiri_users.logic.oauth_errors import (
    InvalidGrant,
    InvalidRequest,
    InvalidScope,
    OAuthError,
    UnauthorizedClient,
    UnsupportedGrantType,
)
from deepiri_users.models.oauth import AccountState, OAuthClient, RefreshTokenRecord, TokenFamily
from tests.unit.users_oauth.fakes import FakeOAuthStore, RecordingSigner

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
NOW_EPOCH = epoch_seconds(NOW)
LIFETIMES = oauth_flow.TokenLifetimes(access=900, refresh=3600)
APP_URI = "https://app.example.com/callback"
# RFC 7636 Appendix B.
RFC_VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
RFC_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def _client(client_type: str = "public", scopes: frozenset[str] | None = None) -> OAuthClient:
    return OAuthClient(clientId=f"{client_type}-app", ownerId="owner", name="App", clientType=client_type,
                       redirectUris=(APP_URI,), createdAt=to_iso(NOW),
                       scopes=scopes or frozenset({"tasks:read", "profile:read", "offline_access"}))


class KeepingStore(FakeOAuthStore):
    """Also remembers how long each family and rotated token must be kept."""

    def __init__(self) -> None:
        super().__init__()
        self.kept: list[tuple[str, int]] = []
        self.accounts["alice"] = AccountState(userId="alice", tokenVersion=3, roles=frozenset({"admin", "user"}))

    def start_family(self, family: TokenFamily, keep_until: int, refresh: RefreshTokenRecord | None) -> None:
        self.kept.append(("start", keep_until))
        super().start_family(family, keep_until, refresh)

    def rotate_refresh(self, old_hash: str, new: RefreshTokenRecord, used_at: str, keep_until: int) -> bool:
        self.kept.append(("rotate", keep_until))
        return super().rotate_refresh(old_hash, new, used_at, keep_until)


@pytest.fixture
def store() -> KeepingStore:
    return KeepingStore()


def _code(store: KeepingStore, scopes: frozenset[str] = frozenset({"tasks:read", "offline_access"}),
          challenge: str | None = RFC_CHALLENGE, client: OAuthClient | None = None) -> str:
    return oauth_flow.issue_code(store, client_id=(client or _client()).clientId, user_id="alice",
                                 redirect_uri=APP_URI, scopes=scopes, code_challenge=challenge, family_id="F1",
                                 now=NOW)


def _exchange(store: KeepingStore, issued: str, *, now: datetime = NOW, client: OAuthClient | None = None,
              signer: RecordingSigner | None = None, **form: str):
    fields = {"grant_type": "authorization_code", "code": issued, "redirect_uri": APP_URI,
              "code_verifier": RFC_VERIFIER, **form}
    return oauth_flow.grant_tokens(store, signer or RecordingSigner(), client or _client(),
                                   {k: v for k, v in fields.items() if v != "-"}, lifetimes=LIFETIMES, now=now)


def _refresh(store: KeepingStore, token: str, *, now: datetime = NOW, signer: RecordingSigner | None = None,
             **form: str):
    return oauth_flow.grant_tokens(store, signer or RecordingSigner(), _client(),
                                   {"grant_type": "refresh_token", "refresh_token": token, **form},
                                   lifetimes=LIFETIMES, now=now)


def _refused(error: type[OAuthError], call: Callable[..., object], *args: object, **kwargs: object) -> str:
    with pytest.raises(error) as refused:
        call(*args, **kwargs)
    return refused.value.description


# ---------------------------------------------------------------- PKCE

def test_given_the_rfc_example_then_its_challenge_is_computed() -> None:
    assert oauth_flow.s256_challenge(RFC_VERIFIER) == RFC_CHALLENGE


@pytest.mark.parametrize(("verifier", "matches"), [
    ("a" * 42, False), ("a" * 43, True), ("a" * 128, True), ("a" * 129, False), ("a" * 42 + "~", True),
    ("a" * 42 + "+", False), ("a" * 42 + "=", False),
])
def test_given_a_verifier_of_some_length_and_alphabet_then_only_43_to_128_unreserved_characters_count(
    verifier: str, matches: bool,
) -> None:
    assert oauth_flow.pkce_matches(verifier, oauth_flow.s256_challenge(verifier)) is matches


@pytest.mark.parametrize(("challenge", "valid"), [
    (RFC_CHALLENGE, True), (RFC_CHALLENGE[:-1], False), (RFC_CHALLENGE + "A", False),
    (RFC_CHALLENGE[:-1] + "~", False), (RFC_CHALLENGE[:-1] + ".", False),
])
def test_given_a_challenge_then_only_43_base64url_characters_are_an_s256_challenge(challenge: str, valid: bool) -> None:
    assert oauth_flow.is_valid_challenge(challenge) is valid


# ---------------------------------------------------------------- codes

def test_given_a_code_when_issued_then_only_its_hash_is_kept_for_five_minutes_with_its_binding(
    store: KeepingStore,
) -> None:
    code = _code(store)
    stored = store.codes[hash_secret(code)]
    assert stored.validUntil == NOW_EPOCH + 300 == NOW_EPOCH + oauth_flow.CODE_TTL_SECONDS
    assert (stored.codeChallenge, stored.codeChallengeMethod, stored.familyId, stored.userId) == (
        RFC_CHALLENGE, "S256", "F1", "alice")
    without = store.codes[hash_secret(_code(store, challenge=None))]
    assert (without.codeChallenge, without.codeChallengeMethod) == (None, None)


def test_given_a_code_when_exchanged_then_tokens_for_the_user_with_only_the_user_role(store: KeepingStore) -> None:
    signer = RecordingSigner()
    answer = _exchange(store, _code(store), signer=signer)
    assert (answer.access_token, answer.expires_in, answer.scope, answer.token_type) == (
        "access-1", 900, "offline_access tasks:read", "Bearer")
    assert answer.refresh_token is not None
    assert signer.issued == [{"subject": "alice", "roles": ["user"], "token_version": 3,
                              "scopes": frozenset({"tasks:read", "offline_access"}),
                              "claims": {"client_id": "public-app", "fid": "F1"}, "now": NOW}]
    record = store.refresh_tokens[hash_secret(answer.refresh_token)]
    assert (record.familyId, record.clientId, record.userId, record.validUntil) == (
        "F1", "public-app", "alice", NOW_EPOCH + 3600)
    assert store.families["F1"] == TokenFamily(familyId="F1", clientId="public-app", userId="alice")
    # The family is kept until its refresh token and the access tokens issued last have expired.
    assert store.kept == [("start", NOW_EPOCH + 3600 + 900)]


def test_given_a_code_without_offline_access_when_exchanged_then_no_refresh_token_and_a_short_kept_family(
    store: KeepingStore,
) -> None:
    answer = _exchange(store, _code(store, scopes=frozenset({"tasks:read"})))
    assert answer.refresh_token is None and store.refresh_tokens == {}
    assert store.kept == [("start", NOW_EPOCH + 900)]


@pytest.mark.parametrize(("form", "error", "description"), [
    ({"grant_type": "-"}, InvalidRequest, "grant_type is required"),
    ({"grant_type": "password"}, UnsupportedGrantType,
     "grant_type must be authorization_code, refresh_token or client_credentials"),
    ({"code": "-"}, InvalidRequest, "code is required"),
    ({"code": "unknown"}, InvalidGrant, "invalid authorization code"),
    ({"redirect_uri": APP_URI + "/"}, InvalidGrant, "redirect_uri does not match the authorization request"),
    ({"redirect_uri": "-"}, InvalidGrant, "redirect_uri does not match the authorization request"),
])
def test_given_a_bad_code_exchange_then_refused_with_its_reason_and_the_code_still_works(
    store: KeepingStore, form: dict[str, str], error: type[OAuthError], description: str,
) -> None:
    code = _code(store)
    assert _refused(error, _exchange, store, code, **form) == description
    assert _exchange(store, code).access_token


@pytest.mark.parametrize("verifier", ["-", "b" * 43])
def test_given_a_missing_or_wrong_verifier_then_refused_and_the_code_is_burnt(
    store: KeepingStore, verifier: str,
) -> None:
    code = _code(store)
    assert _refused(InvalidGrant, _exchange, store, code, code_verifier=verifier) == (
        "code_verifier does not match the code_challenge")
    assert _refused(InvalidGrant, _exchange, store, code) == (
        "authorization code was already used; tokens issued from it are revoked")


def test_given_a_code_without_challenge_when_a_verifier_is_sent_then_refused(store: KeepingStore) -> None:
    code = _code(store, challenge=None)
    assert _refused(InvalidGrant, _exchange, store, code) == (
        "code_verifier sent for a code issued without a code_challenge")
    assert _exchange(store, code, code_verifier="-").access_token


def test_given_another_clients_code_when_exchanged_then_invalid_and_nothing_revoked(store: KeepingStore) -> None:
    code = _code(store)
    other = _client("confidential")
    assert _refused(InvalidGrant, _exchange, store, code, client=other) == "invalid authorization code"
    assert store.families == {}


def test_given_a_code_at_the_end_of_its_five_minutes_then_expired(store: KeepingStore) -> None:
    code = _code(store)
    at_end = NOW + timedelta(seconds=300)
    assert _refused(InvalidGrant, _exchange, store, code, now=at_end) == "authorization code expired"
    assert _exchange(store, code, now=at_end - timedelta(seconds=1)).access_token


def test_given_a_used_code_when_exchanged_again_then_refused_and_its_grant_revoked(store: KeepingStore) -> None:
    code = _code(store)
    _exchange(store, code)
    later = NOW + timedelta(seconds=5)
    assert _refused(InvalidGrant, _exchange, store, code, now=later) == (
        "authorization code was already used; tokens issued from it are revoked")
    assert store.families["F1"].revokedAt == to_iso(later)


def test_given_a_code_consumed_concurrently_when_exchanged_then_refused_and_the_family_revoked(
    store: KeepingStore, monkeypatch: pytest.MonkeyPatch,
) -> None:
    code = _code(store)
    store.families["F1"] = TokenFamily(familyId="F1", clientId="public-app", userId="alice")
    monkeypatch.setattr(store, "consume_code", lambda code_hash, used_at: False)
    assert _refused(InvalidGrant, _exchange, store, code) == (
        "authorization code was already used; tokens issued from it are revoked")
    assert store.families["F1"].revokedAt == to_iso(NOW)


@pytest.mark.parametrize("account", [None, AccountState(userId="alice", disabled=True)])
def test_given_a_user_gone_or_disabled_when_exchanging_then_refused(
    store: KeepingStore, account: AccountState | None,
) -> None:
    code = _code(store)
    if account is None:
        del store.accounts["alice"]
    else:
        store.accounts["alice"] = account
    assert _refused(InvalidGrant, _exchange, store, code) == "the user of this grant cannot sign in"


# ---------------------------------------------------------------- refresh tokens

def _refresh_token(store: KeepingStore) -> str:
    token = _exchange(store, _code(store, scopes=frozenset({"tasks:read", "profile:read", "offline_access"})))
    assert token.refresh_token is not None
    store.kept.clear()
    return token.refresh_token


def test_given_a_refresh_token_when_used_then_a_new_one_of_the_same_grant_with_the_full_scopes(
    store: KeepingStore,
) -> None:
    token = _refresh_token(store)
    later = NOW + timedelta(minutes=10)
    signer = RecordingSigner()
    answer = _refresh(store, token, now=later, signer=signer)
    assert (answer.access_token, answer.expires_in, answer.scope) == (
        "access-1", 900, "offline_access profile:read tasks:read")
    assert answer.refresh_token is not None and answer.refresh_token != token
    assert store.refresh_tokens[hash_secret(token)].usedAt == to_iso(later)
    new = store.refresh_tokens[hash_secret(answer.refresh_token)]
    assert (new.familyId, new.validUntil) == ("F1", epoch_seconds(later) + 3600)
    assert store.kept == [("rotate", epoch_seconds(later) + 3600 + 900)]
    assert signer.issued[0]["claims"] == {"client_id": "public-app", "fid": "F1"}
    assert signer.issued[0]["now"] == later  # the access token's iat and exp count from the refresh
    assert (signer.issued[0]["subject"], signer.issued[0]["roles"]) == ("alice", ["user"])


def test_given_a_narrower_scope_when_refreshing_then_the_access_token_is_narrowed_but_not_the_grant(
    store: KeepingStore,
) -> None:
    token = _refresh_token(store)
    signer = RecordingSigner()
    answer = _refresh(store, token, signer=signer, scope="tasks:read")
    assert answer.scope == "tasks:read" and signer.issued[0]["scopes"] == frozenset({"tasks:read"})
    assert answer.refresh_token is not None
    assert store.refresh_tokens[hash_secret(answer.refresh_token)].scopes == frozenset(
        {"tasks:read", "profile:read", "offline_access"})
    assert _refused(InvalidScope, _refresh, store, answer.refresh_token, scope="tasks:write") == (
        "scope(s) not allowed for this grant: tasks:write")


@pytest.mark.parametrize(("token", "description", "error"), [
    ("", "refresh_token is required", InvalidRequest),
    ("unknown", "invalid refresh token", InvalidGrant),
])
def test_given_a_missing_or_unknown_refresh_token_then_refused(
    store: KeepingStore, token: str, description: str, error: type[OAuthError],
) -> None:
    assert _refused(error, _refresh, store, token) == description


def test_given_another_clients_refresh_token_then_invalid_and_the_grant_untouched(store: KeepingStore) -> None:
    token = _refresh_token(store)
    record = store.refresh_tokens[hash_secret(token)]
    store.refresh_tokens[record.tokenHash] = record.model_copy(update={"clientId": "another-app"})
    assert _refused(InvalidGrant, _refresh, store, token) == "invalid refresh token"
    assert not store.families["F1"].is_revoked


def test_given_a_refresh_token_at_its_expiry_then_expired(store: KeepingStore) -> None:
    token = _refresh_token(store)
    at_end = NOW + timedelta(seconds=3600)
    assert _refused(InvalidGrant, _refresh, store, token, now=at_end) == "refresh token expired"
    assert _refresh(store, token, now=at_end - timedelta(seconds=1)).access_token


def test_given_a_reused_refresh_token_then_the_grant_is_revoked(store: KeepingStore) -> None:
    token = _refresh_token(store)
    _refresh(store, token)
    later = NOW + timedelta(minutes=1)
    assert _refused(InvalidGrant, _refresh, store, token, now=later) == (
        "refresh token was already used; the grant is revoked")
    assert store.families["F1"].revokedAt == to_iso(later)


@pytest.mark.parametrize("family", ["revoked", "missing"])
def test_given_a_revoked_or_missing_grant_then_its_refresh_token_is_refused(store: KeepingStore, family: str) -> None:
    token = _refresh_token(store)
    if family == "revoked":
        store.revoke_family("F1", to_iso(NOW))
    else:
        del store.families["F1"]
    assert _refused(InvalidGrant, _refresh, store, token) == "refresh token was revoked"


def test_given_a_rotation_that_loses_a_race_then_refused_and_the_grant_revoked(
    store: KeepingStore, monkeypatch: pytest.MonkeyPatch,
) -> None:
    token = _refresh_token(store)
    monkeypatch.setattr(store, "rotate_refresh", lambda *args: False)
    assert _refused(InvalidGrant, _refresh, store, token) == "refresh token was already used; the grant is revoked"
    assert store.families["F1"].revokedAt == to_iso(NOW)


def test_given_a_disabled_user_then_their_refresh_token_is_refused(store: KeepingStore) -> None:
    token = _refresh_token(store)
    store.accounts["alice"] = AccountState(userId="alice", disabled=True)
    assert _refused(InvalidGrant, _refresh, store, token) == "the user of this grant cannot sign in"


# ---------------------------------------------------------------- client credentials

def _credentials(client: OAuthClient, signer: RecordingSigner | None = None, **form: str):
    return oauth_flow.grant_tokens(FakeOAuthStore(), signer or RecordingSigner(), client,
                                   {"grant_type": "client_credentials", **form}, lifetimes=LIFETIMES, now=NOW)


def test_given_a_confidential_client_without_scope_then_all_its_scopes_but_offline_access_for_itself() -> None:
    signer = RecordingSigner()
    answer = _credentials(_client("confidential"), signer)
    assert (answer.scope, answer.expires_in, answer.refresh_token) == ("profile:read tasks:read", 900, None)
    assert signer.issued == [{"subject": "confidential-app", "roles": [], "token_version": 0,
                              "scopes": frozenset({"profile:read", "tasks:read"}),
                              "claims": {"client_id": "confidential-app"}, "now": NOW}]


def test_given_a_requested_scope_then_only_it() -> None:
    assert _credentials(_client("confidential"), scope="tasks:read").scope == "tasks:read"


@pytest.mark.parametrize(("client", "form", "error", "description"), [
    (_client("public"), {}, UnauthorizedClient, "client_credentials is for confidential clients only"),
    (_client("confidential"), {"scope": "offline_access"}, InvalidScope,
     "offline_access is not available with client_credentials"),
    (_client("confidential"), {"scope": "tasks:write"}, InvalidScope,
     "scope(s) not allowed for the client: tasks:write"),
    (_client("confidential", frozenset({"offline_access"})), {}, InvalidScope, "the client has no scope to grant"),
])
def test_given_a_client_credentials_request_that_cannot_be_granted_then_refused(
    client: OAuthClient, form: dict[str, str], error: type[OAuthError], description: str,
) -> None:
    assert _refused(error, _credentials, client, **form) == description


def test_given_the_delegable_roles_then_only_user() -> None:
    assert frozenset({"user"}) == oauth_flow.DELEGABLE_ROLES

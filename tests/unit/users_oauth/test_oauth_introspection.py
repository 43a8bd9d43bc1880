"""Token introspection (RFC 7662) and revocation (RFC 7009): what a client learns about its own tokens."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from deepiri_common.clock import clock_at, epoch_seconds, to_iso, utc_now
from deepiri_common.tokens import KeyStore, issue_access_token
from deepiri_users.logic import oauth_introspection
from deepiri_users.logic.oauth_clients import hash_secret
from deepiri_users.logic.oauth_introspection import VerifiedAccess
from deepiri_users.models.oauth import OAuthClient, RefreshTokenRecord, TokenFamily
from tests.unit.users.fakes import OneSecret
from tests.unit.users_oauth.fakes import FakeOAuthStore

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
NOW_EPOCH = epoch_seconds(NOW)
ISSUER, AUDIENCE = "https://deepiri.test", "deepiri-api"
CLIENT = OAuthClient(clientId="planner", ownerId="owner", name="Planner", clientType="confidential",
                     redirectUris=["https://app.example.com/cb"], scopes=frozenset({"tasks:read"}),
                     createdAt=to_iso(NOW))


@pytest.fixture(scope="module")
def key_store() -> KeyStore:
    return KeyStore("deepiri-test-keys", OneSecret())


def _signed(key_store: KeyStore, **overrides: Any) -> str:
    arguments: dict[str, Any] = {"subject": "alice", "roles": ["user"], "issuer": ISSUER, "audience": AUDIENCE,
                                 "scopes": ["tasks:read", "profile:read"],
                                 "extra": {"client_id": "planner", "fid": "F1"}, **overrides}
    return issue_access_token(key_store, **arguments)


# ---------------------------------------------------------------- reading a signed access token

def test_given_an_oauth_access_token_when_verified_then_its_claims_are_read(key_store: KeyStore) -> None:
    issued_at = utc_now().replace(microsecond=0)
    verify = oauth_introspection.key_store_verifier(key_store, issuer=ISSUER, audience=AUDIENCE)
    claims = verify(_signed(key_store, now=issued_at, ttl_seconds=600))
    assert claims is not None
    assert (claims.sub, claims.scope, claims.client_id, claims.family_id) == (
        "alice", "profile:read tasks:read", "planner", "F1")
    assert (claims.iat, claims.exp) == (epoch_seconds(issued_at), epoch_seconds(issued_at) + 600)
    assert claims.jti


def test_given_a_first_party_token_when_verified_then_it_names_no_scope_client_or_family(
    key_store: KeyStore,
) -> None:
    verify = oauth_introspection.key_store_verifier(key_store, issuer=ISSUER, audience=AUDIENCE)
    claims = verify(_signed(key_store, scopes=None, extra={"client_id": ""}))
    assert claims is not None and (claims.scope, claims.client_id, claims.family_id) == (None, None, None)


@pytest.mark.parametrize("change", [{"issuer": "https://elsewhere"}, {"audience": "other-api"},
                                    {"expired_seconds_ago": 10}])
def test_given_a_token_for_another_issuer_or_audience_or_expired_seconds_ago_then_not_verified(
    key_store: KeyStore, change: dict[str, Any],
) -> None:
    # An expired token gets no leeway: ten seconds past its expiry is too late.
    if "expired_seconds_ago" in change:
        change = {"now": utc_now() - timedelta(seconds=900 + change["expired_seconds_ago"])}
    verify = oauth_introspection.key_store_verifier(key_store, issuer=ISSUER, audience=AUDIENCE)
    assert verify(_signed(key_store, ttl_seconds=900, **change)) is None
    assert verify("not.a.token") is None


def test_given_a_payload_that_is_not_a_json_object_then_it_reads_as_no_claims() -> None:
    assert oauth_introspection._payload("h.bm90IGpzb24.s") == {}  # "not json"
    assert oauth_introspection._payload("h.WzEsMl0.s") == {}  # [1,2]
    assert oauth_introspection._payload("h.eyJhIjoxfQ.s") == {"a": 1}


@pytest.mark.parametrize(("token", "jwt"), [("a.b.c", True), ("a.b", False), ("a.b.c.d", False), ("opaque", False)])
def test_given_a_token_shape_then_three_segments_mean_an_access_token(token: str, jwt: bool) -> None:
    assert oauth_introspection.looks_like_jwt(token) is jwt


# ---------------------------------------------------------------- introspection

def _claims(client_id: str | None = "planner", family_id: str | None = "F1", scope: str | None = "tasks:read"):
    def verify(token: str) -> VerifiedAccess | None:
        if token != "a.b.c":
            return None
        return VerifiedAccess(sub="alice", jti="J1", exp=NOW_EPOCH + 900, iat=NOW_EPOCH, scope=scope,
                              client_id=client_id, family_id=family_id)
    return verify


@pytest.fixture
def store() -> FakeOAuthStore:
    """Given family F1 of alice's grant to the planner, with one live refresh token "r1"."""
    fake = FakeOAuthStore()
    fake.families["F1"] = TokenFamily(familyId="F1", clientId="planner", userId="alice")
    fake.refresh_tokens[hash_secret("r1")] = RefreshTokenRecord(
        tokenHash=hash_secret("r1"), familyId="F1", clientId="planner", userId="alice",
        scopes=frozenset({"tasks:read", "offline_access"}), validUntil=NOW_EPOCH + 60)
    return fake


@pytest.mark.parametrize("token", [None, ""])
def test_given_no_token_when_introspected_or_revoked_then_inactive_and_nothing_changes(
    store: FakeOAuthStore, token: str | None,
) -> None:
    assert oauth_introspection.introspect(store, _claims(), CLIENT, token, NOW).model_dump(exclude_none=True) == {
        "active": False}
    oauth_introspection.revoke(store, _claims(), CLIENT, token, NOW)
    assert not store.families["F1"].is_revoked and store.revoked_access == {}


def test_given_an_own_access_token_when_introspected_then_everything_it_grants(store: FakeOAuthStore) -> None:
    answer = oauth_introspection.introspect(store, _claims(), CLIENT, "a.b.c", NOW)
    assert answer.model_dump() == {"active": True, "scope": "tasks:read", "client_id": "planner", "sub": "alice",
                                   "exp": NOW_EPOCH + 900, "iat": NOW_EPOCH, "token_type": "Bearer"}


def test_given_an_access_token_without_scope_or_family_when_introspected_then_active_with_an_empty_scope(
    store: FakeOAuthStore,
) -> None:
    store.families.clear()
    answer = oauth_introspection.introspect(store, _claims(family_id=None, scope=None), CLIENT, "a.b.c", NOW)
    assert answer.active and answer.scope == ""


@pytest.mark.parametrize("family", ["revoked", "missing"])
def test_given_an_access_token_of_a_revoked_or_unknown_family_when_introspected_then_inactive(
    store: FakeOAuthStore, family: str,
) -> None:
    if family == "revoked":
        store.revoke_family("F1", to_iso(NOW))
    else:
        store.families.clear()
    assert not oauth_introspection.introspect(store, _claims(), CLIENT, "a.b.c", NOW).active


def test_given_an_access_token_of_a_first_party_session_when_a_client_introspects_then_inactive(
    store: FakeOAuthStore,
) -> None:
    assert not oauth_introspection.introspect(store, _claims(client_id=None), CLIENT, "a.b.c", NOW).active


def test_given_an_own_refresh_token_when_introspected_then_its_sorted_scopes_owner_and_expiry(
    store: FakeOAuthStore,
) -> None:
    answer = oauth_introspection.introspect(store, _claims(), CLIENT, "r1", NOW)
    assert answer.model_dump() == {"active": True, "scope": "offline_access tasks:read", "client_id": "planner",
                                   "sub": "alice", "exp": NOW_EPOCH + 60, "iat": None,
                                   "token_type": "refresh_token"}


def test_given_a_refresh_token_at_its_expiry_when_introspected_then_inactive(store: FakeOAuthStore) -> None:
    assert oauth_introspection.introspect(store, _claims(), CLIENT, "r1", NOW + timedelta(seconds=59)).active
    assert not oauth_introspection.introspect(store, _claims(), CLIENT, "r1", NOW + timedelta(seconds=60)).active


@pytest.mark.parametrize("state", ["used", "revoked family", "missing family", "foreign", "unknown"])
def test_given_a_spent_revoked_or_foreign_refresh_token_when_introspected_then_inactive(
    store: FakeOAuthStore, state: str,
) -> None:
    record = store.refresh_tokens[hash_secret("r1")]
    token = "r1"
    if state == "used":
        store.refresh_tokens[record.tokenHash] = record.model_copy(update={"usedAt": to_iso(NOW)})
    elif state == "revoked family":
        store.revoke_family("F1", to_iso(NOW))
    elif state == "missing family":
        store.families.clear()
    elif state == "foreign":
        store.refresh_tokens[record.tokenHash] = record.model_copy(update={"clientId": "another-app"})
    else:
        token = "r2"
    assert oauth_introspection.introspect(store, _claims(), CLIENT, token, NOW).model_dump(exclude_none=True) == {
        "active": False}


# ---------------------------------------------------------------- revocation

def test_given_an_own_refresh_token_when_revoked_then_it_is_deleted_and_its_family_revoked_now(
    store: FakeOAuthStore,
) -> None:
    oauth_introspection.revoke(store, _claims(), CLIENT, "r1", NOW)
    assert store.refresh_tokens == {}
    assert store.families["F1"].revokedAt == to_iso(NOW)


def test_given_another_clients_or_an_unknown_refresh_token_when_revoked_then_nothing_changes(
    store: FakeOAuthStore,
) -> None:
    record = store.refresh_tokens[hash_secret("r1")]
    store.refresh_tokens[record.tokenHash] = record.model_copy(update={"clientId": "another-app"})
    oauth_introspection.revoke(store, _claims(), CLIENT, "r1", NOW)
    oauth_introspection.revoke(store, _claims(), CLIENT, "r2", NOW)
    assert hash_secret("r1") in store.refresh_tokens and not store.families["F1"].is_revoked


def test_given_an_own_access_token_when_revoked_then_its_id_is_refused_until_it_expires(
    store: FakeOAuthStore,
) -> None:
    oauth_introspection.revoke(store, _claims(), CLIENT, "a.b.c", NOW)
    assert store.revoked_access == {"J1": NOW_EPOCH + 900}
    assert not store.families["F1"].is_revoked and hash_secret("r1") in store.refresh_tokens
    oauth_introspection.revoke(store, _claims(), CLIENT, "x.y.z", NOW)  # does not verify: ignored
    assert list(store.revoked_access) == ["J1"]


def test_given_a_token_at_its_expiry_then_it_is_not_verified(key_store: KeyStore) -> None:
    issued_at = utc_now().replace(microsecond=0) - timedelta(seconds=60)
    verify = oauth_introspection.key_store_verifier(key_store, issuer=ISSUER, audience=AUDIENCE)
    token = _signed(key_store, now=issued_at, ttl_seconds=30)

    with clock_at(issued_at + timedelta(seconds=29)):
        assert verify(token) is not None  # the last second of its life
    with clock_at(issued_at + timedelta(seconds=30)):
        assert verify(token) is None  # expired, and no leeway at all

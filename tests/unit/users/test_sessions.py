"""Refresh-token rotation and reuse detection, with in-memory fakes of the stores."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from deepiri_common.clock import epoch_seconds, to_iso
from deepiri_common.problems import Conflict, Unauthorized
from deepiri_common.tokens import KeyStore, verify_access_token
from deepiri_users.logic import sessions
from deepiri_users.logic.access_tokens import JwtIssuer
from deepiri_users.models.accounts import Account
from deepiri_users.models.sessions import RefreshRecord
from tests.unit.users.fakes import MemorySessions, OneSecret

ACCOUNT = Account(userId="u1", email="u1@example.com", displayName="U", passwordHash="h",
                  createdAt="2026-01-01T00:00:00.000Z", updatedAt="2026-01-01T00:00:00.000Z")


@dataclass
class FakeSessions(MemorySessions):
    """The in-memory session store, refusing a rotation that lost a race (or of a used token) as DynamoDB's
    condition does."""

    race_on_rotate: bool = False

    def rotate(self, old: RefreshRecord, new: RefreshRecord) -> None:
        if self.race_on_rotate or self.refresh[old.tokenHash].used:
            raise Conflict()
        super().rotate(old, new)


@dataclass
class FakeAccounts:
    account: Account = ACCOUNT

    def get(self, user_id: str) -> Account | None:
        return self.account if user_id == self.account.userId else None


@dataclass
class FakeIssuer:
    ttl_seconds: int = 900

    def issue(self, account: Account) -> str:
        return f"access-for-{account.userId}-v{account.tokenVersion}"


POLICY = sessions.SessionPolicy(refresh_ttl_seconds=3600)


def _start(store: FakeSessions, accounts: FakeAccounts) -> str:
    return sessions.start_session(store, FakeIssuer(), POLICY, accounts.account).refreshToken


def test_given_a_refresh_token_then_only_its_hash_is_stored() -> None:
    store, accounts = FakeSessions(), FakeAccounts()
    token = _start(store, accounts)
    assert token not in str(store.refresh) and sessions.hash_token(token) in store.refresh


def test_given_a_fresh_token_when_refreshed_then_a_new_token_of_the_same_family_is_issued() -> None:
    store, accounts = FakeSessions(), FakeAccounts()
    token = _start(store, accounts)
    pair = sessions.refresh_session(store, accounts, FakeIssuer(), POLICY, token)
    old, new = store.refresh[sessions.hash_token(token)], store.refresh[sessions.hash_token(pair.refreshToken)]
    assert old.used and not new.used and old.familyId == new.familyId
    assert pair.accessToken == "access-for-u1-v0"


def test_given_a_spent_token_when_presented_again_then_the_family_is_revoked() -> None:
    store, accounts = FakeSessions(), FakeAccounts()
    token = _start(store, accounts)
    successor = sessions.refresh_session(store, accounts, FakeIssuer(), POLICY, token).refreshToken
    with pytest.raises(Unauthorized):
        sessions.refresh_session(store, accounts, FakeIssuer(), POLICY, token)
    assert store.sessions == {}
    with pytest.raises(Unauthorized):
        sessions.refresh_session(store, accounts, FakeIssuer(), POLICY, successor)


def test_given_a_concurrent_use_when_rotation_loses_the_race_then_the_family_is_revoked() -> None:
    store, accounts = FakeSessions(), FakeAccounts()
    token = _start(store, accounts)
    store.race_on_rotate = True
    with pytest.raises(Unauthorized):
        sessions.refresh_session(store, accounts, FakeIssuer(), POLICY, token)
    assert store.sessions == {}


@pytest.mark.parametrize("change", [{"disabled": True}, {"tokenVersion": 1}])
def test_given_a_disabled_or_revoked_account_when_refreshing_then_401(change: dict) -> None:
    store, accounts = FakeSessions(), FakeAccounts()
    token = _start(store, accounts)
    accounts.account = ACCOUNT.model_copy(update=change)
    with pytest.raises(Unauthorized):
        sessions.refresh_session(store, accounts, FakeIssuer(), POLICY, token)


def test_given_an_unknown_or_foreign_token_when_logging_out_then_nothing_is_revoked() -> None:
    store, accounts = FakeSessions(), FakeAccounts()
    token = _start(store, accounts)
    sessions.end_session(store, "someone-else", token)
    sessions.end_session(store, "u1", "unknown")
    assert len(store.sessions) == 1
    sessions.end_session(store, "u1", token)
    assert store.sessions == {}


# ---------------------------------------------------------------- lifetimes, refusals and the reuse alarm

CLOCK_NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TIMED = sessions.SessionPolicy(refresh_ttl_seconds=3600, clock=lambda: CLOCK_NOW)


def test_given_a_sign_in_then_the_family_lives_for_the_refresh_lifetime_at_the_accounts_token_version() -> None:
    store = FakeSessions()
    account = ACCOUNT.model_copy(update={"tokenVersion": 4})
    pair = sessions.start_session(store, FakeIssuer(ttl_seconds=600), TIMED, account)
    [session] = store.sessions.values()
    assert (session.userId, session.tokenVersion, session.createdAt) == ("u1", 4, to_iso(CLOCK_NOW))
    assert session.expiresAt == epoch_seconds(CLOCK_NOW) + 3600
    record = store.refresh[sessions.hash_token(pair.refreshToken)]
    assert (record.familyId, record.expiresAt, record.used) == (session.familyId, session.expiresAt, False)
    assert (pair.accessToken, pair.expiresIn, pair.tokenType) == ("access-for-u1-v4", 600, "Bearer")


def test_given_opaque_tokens_then_each_carries_256_random_bits() -> None:
    tokens = {sessions.new_opaque_token() for _ in range(3)}
    assert len(tokens) == 3 and all(len(token) == 43 for token in tokens)  # 32 bytes, base64url


def test_given_a_refresh_token_at_its_expiry_then_refused_and_a_second_before_it_rotates() -> None:
    store, accounts = FakeSessions(), FakeAccounts()
    token = sessions.start_session(store, FakeIssuer(), TIMED, ACCOUNT).refreshToken
    record = store.refresh[sessions.hash_token(token)]
    at_expiry = sessions.SessionPolicy(refresh_ttl_seconds=3600,
                                       clock=lambda: datetime.fromtimestamp(record.expiresAt, UTC))
    with pytest.raises(Unauthorized) as refused:
        sessions.refresh_session(store, accounts, FakeIssuer(), at_expiry, token)
    assert refused.value.detail == "invalid refresh token"
    just_before = sessions.SessionPolicy(refresh_ttl_seconds=3600,
                                         clock=lambda: datetime.fromtimestamp(record.expiresAt - 1, UTC))
    successor = sessions.refresh_session(store, accounts, FakeIssuer(), just_before, token)
    # Then the successor keeps the family's expiry: rotation never extends a session.
    assert store.refresh[sessions.hash_token(successor.refreshToken)].expiresAt == record.expiresAt


@pytest.mark.parametrize("case", ["unknown", "disabled", "deleted", "family gone"])
def test_given_each_refusal_when_refreshing_then_the_same_401_detail(case: str) -> None:
    store, accounts = FakeSessions(), FakeAccounts()
    token = sessions.start_session(store, FakeIssuer(), TIMED, ACCOUNT).refreshToken
    if case == "unknown":
        token = "unknown"
    elif case == "disabled":
        accounts.account = ACCOUNT.model_copy(update={"disabled": True})
    elif case == "deleted":
        accounts.account = ACCOUNT.model_copy(update={"userId": "someone-else"})
    else:
        store.sessions.clear()
    with pytest.raises(Unauthorized) as refused:
        sessions.refresh_session(store, accounts, FakeIssuer(), TIMED, token)
    assert refused.value.detail == "invalid refresh token"


def test_given_a_reused_token_then_a_warning_names_the_user_and_family_but_not_the_token(
    log_output: io.StringIO,
) -> None:
    store, accounts = FakeSessions(), FakeAccounts()
    token = sessions.start_session(store, FakeIssuer(), TIMED, ACCOUNT).refreshToken
    family_id = next(iter(store.sessions.values())).familyId
    sessions.refresh_session(store, accounts, FakeIssuer(), TIMED, token)
    with pytest.raises(Unauthorized, match=r"^invalid refresh token$"):
        sessions.refresh_session(store, accounts, FakeIssuer(), TIMED, token)
    [line] = [json.loads(raw) for raw in log_output.getvalue().splitlines() if "reuse" in raw]
    assert (line["level"], line["message"]) == ("WARNING", "refresh token reuse: family revoked")
    assert (line["userId"], line["familyId"]) == ("u1", family_id)
    assert token not in log_output.getvalue()


def test_given_the_jwt_issuer_then_the_access_token_carries_the_accounts_roles_and_token_version() -> None:
    key_store = KeyStore("deepiri-test-keys", OneSecret())
    issuer = JwtIssuer(key_store=key_store, issuer="https://deepiri.test", audience="deepiri-api", ttl_seconds=600)
    account = ACCOUNT.model_copy(update={"roles": ("user", "admin"), "tokenVersion": 7})
    token = issuer.issue(account)
    claims = verify_access_token(key_store, token, issuer="https://deepiri.test", audience="deepiri-api")
    assert (claims.sub, claims.roles, claims.token_version, claims.scopes) == ("u1", ("user", "admin"), 7, None)
    lifetime = claims.exp - datetime.now(UTC)
    assert timedelta(seconds=590) < lifetime <= timedelta(seconds=600)

"""Refresh-token rotation and reuse detection, with in-memory fakes of the stores."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from deepiri_common.problems import Conflict, Unauthorized
from deepiri_users.logic import sessions
from deepiri_users.models.accounts import Account
from deepiri_users.models.sessions import RefreshRecord, Session

ACCOUNT = Account(userId="u1", email="u1@example.com", displayName="U", passwordHash="h",
                  createdAt="2026-01-01T00:00:00.000Z", updatedAt="2026-01-01T00:00:00.000Z")


@dataclass
class FakeSessions:
    sessions: dict[tuple[str, str], Session] = field(default_factory=dict)
    refresh: dict[str, RefreshRecord] = field(default_factory=dict)
    race_on_rotate: bool = False

    def start(self, session: Session, first: RefreshRecord) -> None:
        self.sessions[(session.userId, session.familyId)] = session
        self.refresh[first.tokenHash] = first

    def get_refresh(self, token_hash: str) -> RefreshRecord | None:
        return self.refresh.get(token_hash)

    def get_session(self, user_id: str, family_id: str) -> Session | None:
        return self.sessions.get((user_id, family_id))

    def rotate(self, old: RefreshRecord, new: RefreshRecord) -> None:
        if self.race_on_rotate or self.refresh[old.tokenHash].used:
            raise Conflict()
        self.refresh[old.tokenHash] = old.model_copy(update={"used": True})
        self.refresh[new.tokenHash] = new

    def revoke_family(self, user_id: str, family_id: str) -> None:
        self.sessions.pop((user_id, family_id), None)

    def revoke_all(self, user_id: str) -> None:
        self.sessions = {k: v for k, v in self.sessions.items() if k[0] != user_id}


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

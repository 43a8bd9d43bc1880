"""In-memory fakes of the users service's stores, limiter, token issuer and key secret, for logic tests.

They keep the behaviour of the repositories in ``deepiri_users.dal`` that the logic relies on (an email
is claimed once, a single-use token is spent once, a password change with revocation moves the token
version) and record what a test needs to see: events written, limiter buckets asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from deepiri_common.events import DomainEvent
from deepiri_common.problems import Conflict, TooManyRequests
from deepiri_common.ratelimit import TokenBucket
from deepiri_users.logic.accounts import AccountServices, OneTimeKind
from deepiri_users.logic.sessions import SessionPolicy
from deepiri_users.models.accounts import Account
from deepiri_users.models.profiles import Preferences
from deepiri_users.models.sessions import OneTimeToken, RefreshRecord, Session

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def account(user_id: str = "u1", email: str = "ada@example.com", **fields: Any) -> Account:
    return Account.model_validate({"userId": user_id, "email": email, "displayName": "Ada", "passwordHash": "h",
                                   "createdAt": "2026-01-01T00:00:00.000Z", "updatedAt": "2026-01-01T00:00:00.000Z",
                                   **fields})


@dataclass
class MemoryAccounts:
    accounts: dict[str, Account] = field(default_factory=dict)
    one_time: dict[tuple[str, str], OneTimeToken] = field(default_factory=dict)
    preferences: dict[str, Preferences] = field(default_factory=dict)
    events: list[DomainEvent] = field(default_factory=list)
    updates: list[tuple[str, dict[str, Any], int | None]] = field(default_factory=list)

    def add(self, stored: Account) -> Account:
        self.accounts[stored.userId] = stored
        return stored

    def _change(self, user_id: str, **changes: Any) -> None:
        # Validated, as the repository reads the item back into the model.
        self.accounts[user_id] = Account.model_validate({**self.accounts[user_id].model_dump(), **changes})

    def get(self, user_id: str) -> Account | None:
        return self.accounts.get(user_id)

    def find_by_email(self, email: str) -> Account | None:
        return next((a for a in self.accounts.values() if a.email == email), None)

    def create(self, new: Account, event: DomainEvent) -> None:
        if self.find_by_email(new.email) is not None:
            raise Conflict("email taken")
        self.accounts[new.userId] = new
        self.events.append(event)

    def update_profile(
        self, user_id: str, changes: dict[str, Any], expected_version: int | None, event: DomainEvent | None,
        *, also: Sequence[DomainEvent] = (),
    ) -> None:
        current = self.accounts[user_id]
        if expected_version is not None and current.version != expected_version:
            raise Conflict("version moved")
        self.updates.append((user_id, changes, expected_version))
        self._change(user_id, **changes, version=current.version + 1)
        if event is not None:
            self.events.append(event)
        self.events.extend(also)

    def set_password(self, user_id: str, password_hash: str, *, revoke_sessions: bool,
                     revoked: DomainEvent | None = None) -> None:
        version = self.accounts[user_id].tokenVersion + (1 if revoke_sessions else 0)
        self._change(user_id, passwordHash=password_hash, failedLogins=0, lockedUntil=0, tokenVersion=version)
        self.events.extend([revoked] if revoked else [])

    def bump_token_version(self, user_id: str, revoked: DomainEvent | None = None) -> None:
        self._change(user_id, tokenVersion=self.accounts[user_id].tokenVersion + 1)
        self.events.extend([revoked] if revoked else [])

    def record_failed_login(self, user_id: str) -> int:
        self._change(user_id, failedLogins=self.accounts[user_id].failedLogins + 1)
        return self.accounts[user_id].failedLogins

    def lock(self, user_id: str, until_epoch: int) -> None:
        self._change(user_id, lockedUntil=until_epoch, failedLogins=0)

    def clear_failed_logins(self, user_id: str) -> None:
        self._change(user_id, failedLogins=0, lockedUntil=0)

    def put_one_time(self, kind: OneTimeKind, token: OneTimeToken, event: DomainEvent) -> None:
        self.one_time[(kind, token.tokenHash)] = token
        self.events.append(event)

    def get_one_time(self, kind: OneTimeKind, token_hash: str) -> OneTimeToken | None:
        return self.one_time.get((kind, token_hash))

    def _spend(self, kind: OneTimeKind, token: OneTimeToken) -> None:
        if self.one_time.pop((kind, token.tokenHash), None) is None:
            raise Conflict("token spent")

    def reset_password(self, token: OneTimeToken, password_hash: str, revoked: DomainEvent | None = None) -> None:
        self._spend("RESET", token)
        self.set_password(token.userId, password_hash, revoke_sessions=True, revoked=revoked)

    def verify_email(self, token: OneTimeToken, event: DomainEvent) -> None:
        self._spend("VERIFY", token)
        self._change(token.userId, emailVerified=True)
        self.events.append(event)

    def delete(self, gone: Account, event: DomainEvent) -> None:
        del self.accounts[gone.userId]
        self.preferences.pop(gone.userId, None)
        self.events.append(event)

    def get_preferences(self, user_id: str) -> Preferences | None:
        return self.preferences.get(user_id)

    def put_preferences(self, user_id: str, preferences: Preferences) -> None:
        self.preferences[user_id] = preferences

    def list_by_email_prefix(
        self, prefix: str, limit: int, start: dict[str, Any] | None
    ) -> tuple[list[Account], dict[str, Any] | None]:
        matching = sorted((a for a in self.accounts.values() if a.email.startswith(prefix)), key=lambda a: a.email)
        after = start["gsi1sk"]["S"] if start else ""
        page = [a for a in matching if a.email > after][:limit]
        more = len(page) == limit and page[-1].email != matching[-1].email
        # The last key as the gsi1 listing returns it (attribute-value form).
        return page, ({"gsi1pk": {"S": "USERS"}, "gsi1sk": {"S": page[-1].email}} if more else None)


@dataclass
class MemorySessions:
    sessions: dict[tuple[str, str], Session] = field(default_factory=dict)
    refresh: dict[str, RefreshRecord] = field(default_factory=dict)

    def start(self, session: Session, first: RefreshRecord) -> None:
        self.sessions[(session.userId, session.familyId)] = session
        self.refresh[first.tokenHash] = first

    def get_refresh(self, token_hash: str) -> RefreshRecord | None:
        return self.refresh.get(token_hash)

    def get_session(self, user_id: str, family_id: str) -> Session | None:
        return self.sessions.get((user_id, family_id))

    def rotate(self, old: RefreshRecord, new: RefreshRecord) -> None:
        self.refresh[old.tokenHash] = old.model_copy(update={"used": True})
        self.refresh[new.tokenHash] = new

    def revoke_family(self, user_id: str, family_id: str) -> None:
        self.sessions.pop((user_id, family_id), None)

    def revoke_all(self, user_id: str) -> None:
        self.sessions = {k: v for k, v in self.sessions.items() if k[0] != user_id}

    def of(self, user_id: str) -> list[Session]:
        return [s for (owner, _), s in self.sessions.items() if owner == user_id]


@dataclass
class FakeIssuer:
    ttl_seconds: int = 900

    def issue(self, issued_to: Account) -> str:
        return f"access-for-{issued_to.userId}-v{issued_to.tokenVersion}"


@dataclass
class MemoryLimiter:
    """Token buckets that never refill (the tests' clock stands still); remembers each key's bucket."""

    buckets: dict[str, TokenBucket] = field(default_factory=dict)
    spent: dict[str, int] = field(default_factory=dict)

    def acquire(self, key: str, bucket: TokenBucket, cost: int = 1) -> None:
        self.buckets[key] = bucket
        if self.spent.get(key, 0) + cost > bucket.capacity:
            raise TooManyRequests(60)
        self.spent[key] = self.spent.get(key, 0) + cost


class OneSecret:
    """A Secrets Manager secret for the signing key set (written by the key store on first use)."""

    def __init__(self) -> None:
        self.value, self.version = "placeholder-written-by-cloudformation", "v0"

    def get_secret_value(self, *, SecretId: str) -> dict[str, Any]:
        return {"Name": SecretId, "SecretString": self.value, "VersionId": self.version}

    def put_secret_value(self, *, SecretId: str, SecretString: str, ClientRequestToken: str) -> dict[str, Any]:
        self.value, self.version = SecretString, ClientRequestToken
        return {"Name": SecretId, "VersionId": ClientRequestToken}


@dataclass
class Users:
    """Every collaborator of the account operations, in memory, with a clock that stands still."""

    accounts: MemoryAccounts = field(default_factory=MemoryAccounts)
    sessions: MemorySessions = field(default_factory=MemorySessions)
    limiter: MemoryLimiter = field(default_factory=MemoryLimiter)
    now: datetime = NOW

    @property
    def services(self) -> AccountServices:
        return AccountServices(accounts=self.accounts, sessions=self.sessions, issuer=FakeIssuer(),
                               policy=SessionPolicy(refresh_ttl_seconds=3600, clock=lambda: self.now),
                               limiter=self.limiter)

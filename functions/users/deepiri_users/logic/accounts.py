"""Accounts: registration, sign-in, passwords (change and reset), email verification, deletion,
and the admin's powers over accounts.

Sign-in never tells an unknown email from a wrong password: both answer the same 401, and an unknown
email still spends one argon2 verification. Attempts are rate-limited per source IP and per email
(the same buckets whether or not the account exists), and ten consecutive failures lock the account
for fifteen minutes. Password resets answer 202 whatever the email; the single-use token leaves the
service only inside the PasswordResetRequested event, and the table keeps its SHA-256 hash.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal, Protocol

from deepiri_common.clock import epoch_seconds, to_iso
from deepiri_common.events import DomainEvent
from deepiri_common.identity import Caller, require_role
from deepiri_common.ids import new_ulid
from deepiri_common.problems import (
    BadRequest,
    Conflict,
    Forbidden,
    NotFound,
    TooManyRequests,
    Unauthorized,
    ValidationFailed,
)
from deepiri_common.ratelimit import TokenBucket
from deepiri_users.logic.admin import ADMIN
from deepiri_users.logic.emails import canonical_email, normalise_email
from deepiri_users.logic.passwords import check_policy, dummy_verify, hash_password, needs_rehash, verify_password
from deepiri_users.logic.sessions import (
    AccessTokenIssuer,
    SessionPolicy,
    SessionStore,
    hash_token,
    new_opaque_token,
    start_session,
)
from deepiri_users.models.accounts import (
    Accepted,
    Account,
    DeleteAccountRequest,
    LoginRequest,
    PasswordChange,
    PasswordResetConfirm,
    PasswordResetRequest,
    RegisterRequest,
    TokenPair,
    VerifyEmailRequest,
)
from deepiri_users.models.events import (
    SERVICE,
    EmailVerificationRequested,
    PasswordResetRequested,
    RevocationReason,
    SessionsRevoked,
    UserDeleted,
    UserRegistered,
    UserUpdated,
)
from deepiri_users.models.profiles import AdminUserView, MyProfile, Preferences, RegisteredUser
from deepiri_users.models.sessions import OneTimeToken

INVALID_CREDENTIALS = "invalid email or password"
LOCK_AFTER_FAILURES = 10
LOCK_DURATION = timedelta(minutes=15)
VERIFY_TTL = timedelta(hours=24)

LOGIN_PER_IP = TokenBucket(capacity=50, refill_per_second=50 / 300)
LOGIN_PER_EMAIL = TokenBucket(capacity=20, refill_per_second=20 / 900)
RESET_PER_IP = TokenBucket(capacity=20, refill_per_second=20 / 3600)
RESET_PER_EMAIL = TokenBucket(capacity=3, refill_per_second=3 / 900)
PASSWORD_CHECK_PER_USER = TokenBucket(capacity=5, refill_per_second=5 / 900)
VERIFY_PER_USER = TokenBucket(capacity=3, refill_per_second=3 / 900)

OneTimeKind = Literal["RESET", "VERIFY"]


class AccountStore(Protocol):
    def get(self, user_id: str) -> Account | None: ...
    def find_by_email(self, email: str) -> Account | None: ...
    def create(self, account: Account, event: DomainEvent) -> None: ...
    def update_profile(
        self, user_id: str, changes: dict[str, Any], expected_version: int | None, event: DomainEvent | None,
        *, also: Sequence[DomainEvent] = (),
    ) -> None: ...
    def set_password(self, user_id: str, password_hash: str, *, revoke_sessions: bool,
                     revoked: DomainEvent | None = None) -> None: ...
    def bump_token_version(self, user_id: str, revoked: DomainEvent | None = None) -> None: ...
    def record_failed_login(self, user_id: str) -> int: ...
    def lock(self, user_id: str, until_epoch: int) -> None: ...
    def clear_failed_logins(self, user_id: str) -> None: ...
    def put_one_time(self, kind: OneTimeKind, token: OneTimeToken, event: DomainEvent) -> None: ...
    def get_one_time(self, kind: OneTimeKind, token_hash: str) -> OneTimeToken | None: ...
    def reset_password(self, token: OneTimeToken, password_hash: str, revoked: DomainEvent | None = None) -> None: ...
    def verify_email(self, token: OneTimeToken, event: DomainEvent) -> None: ...
    def delete(self, account: Account, event: DomainEvent) -> None: ...
    def get_preferences(self, user_id: str) -> Preferences | None: ...
    def put_preferences(self, user_id: str, preferences: Preferences) -> None: ...
    def list_by_email_prefix(
        self, prefix: str, limit: int, start: dict[str, Any] | None
    ) -> tuple[list[Account], dict[str, Any] | None]: ...


class Limiter(Protocol):
    """``deepiri_common.ratelimit.RateLimiter`` fits: raises ``TooManyRequests`` when a bucket is empty."""

    def acquire(self, key: str, bucket: TokenBucket) -> None: ...


@dataclass(frozen=True)
class AccountServices:
    """The collaborators account operations use, built once per process."""

    accounts: AccountStore
    sessions: SessionStore
    issuer: AccessTokenIssuer
    policy: SessionPolicy
    limiter: Limiter
    reset_ttl_seconds: int = 30 * 60
    registrations_per_ip_per_hour: int = 20


def register(s: AccountServices, request: RegisterRequest, source_ip: str) -> RegisteredUser:
    """Create an account and sign it in; ``Conflict`` when the email is taken (also under a race)."""
    email = normalise_email(request.email)
    display_name = request.displayName.strip()
    if not display_name:
        raise ValidationFailed([{"field": "body.displayName", "message": "must not be blank"}])
    check_policy(request.password, email)
    per_hour = s.registrations_per_ip_per_hour
    s.limiter.acquire(f"register-ip#{source_ip}", TokenBucket(capacity=per_hour, refill_per_second=per_hour / 3600))
    now = to_iso(s.policy.clock())
    account = Account(userId=new_ulid(), email=email, displayName=display_name,
                      passwordHash=hash_password(request.password), createdAt=now, updatedAt=now)
    data = UserRegistered(userId=account.userId, email=email, displayName=display_name, timezone=account.timezone,
                          dayStartHour=account.dayStartHour)
    try:
        s.accounts.create(account, DomainEvent.new(SERVICE, "UserRegistered", data, actor=account.userId))
    except Conflict:
        raise Conflict("an account with this email already exists") from None
    tokens = start_session(s.sessions, s.issuer, s.policy, account)
    return RegisteredUser(user=MyProfile.of(account), tokens=tokens)


def login(s: AccountServices, request: LoginRequest, source_ip: str) -> TokenPair:
    """Sign in with email and password; one generic 401 for every credential failure."""
    email = canonical_email(request.email)
    s.limiter.acquire(f"login-ip#{source_ip}", LOGIN_PER_IP)
    s.limiter.acquire(f"login-email#{hash_token(email)}", LOGIN_PER_EMAIL)
    account = s.accounts.find_by_email(email)
    if account is None:
        dummy_verify(request.password)
        raise Unauthorized(INVALID_CREDENTIALS)
    now = epoch_seconds(s.policy.clock())
    if account.lockedUntil > now:
        raise TooManyRequests(account.lockedUntil - now, "too many failed sign-ins; try again later")
    if not verify_password(account.passwordHash, request.password):
        _count_failure(s, account, now)
        raise Unauthorized(INVALID_CREDENTIALS)
    if account.disabled:
        raise Forbidden("this account is disabled")
    if account.failedLogins or account.lockedUntil:
        s.accounts.clear_failed_logins(account.userId)
    if needs_rehash(account.passwordHash):
        # the repository only tests revoke_sessions for truth: None is as false (equivalent)
        s.accounts.set_password(account.userId, hash_password(request.password), revoke_sessions=False)
    return start_session(s.sessions, s.issuer, s.policy, account)


def _count_failure(s: AccountServices, account: Account, now: int) -> None:
    if s.accounts.record_failed_login(account.userId) >= LOCK_AFTER_FAILURES:
        s.accounts.lock(account.userId, now + int(LOCK_DURATION.total_seconds()))


def logout_all(s: AccountServices, user_id: str) -> None:
    """End every session of the user: refresh families and, through the token version, access tokens."""
    s.accounts.bump_token_version(user_id, _sessions_revoked(user_id, "logout-all", user_id))
    s.sessions.revoke_all(user_id)


def change_password(s: AccountServices, user_id: str, request: PasswordChange) -> TokenPair:
    """Replace the password (the current one is required); other sessions end, this one gets a new pair."""
    account = _confirm_password(s, user_id, request.current, "current password is wrong")
    check_policy(request.new, account.email, field="body.new")
    s.accounts.set_password(user_id, hash_password(request.new), revoke_sessions=True,
                            revoked=_sessions_revoked(user_id, "password-changed", user_id))
    s.sessions.revoke_all(user_id)
    return start_session(s.sessions, s.issuer, s.policy, _existing(s, user_id))


def request_password_reset(s: AccountServices, request: PasswordResetRequest, source_ip: str) -> Accepted:
    """Send a reset token to the address if it has an account; the answer is the same either way."""
    email = canonical_email(request.email)
    s.limiter.acquire(f"reset-ip#{source_ip}", RESET_PER_IP)
    s.limiter.acquire(f"reset-email#{hash_token(email)}", RESET_PER_EMAIL)
    account = s.accounts.find_by_email(email)
    if account is not None and not account.disabled:
        _send_one_time(s, "RESET", account, timedelta(seconds=s.reset_ttl_seconds))
    return Accepted()


def confirm_password_reset(s: AccountServices, request: PasswordResetConfirm) -> None:
    """Set a new password with a reset token; the token is spent and every session ends."""
    token = _valid_one_time(s, "RESET", request.token)
    account = s.accounts.get(token.userId)
    if account is None or account.email != token.email:
        raise BadRequest("invalid or expired token")
    check_policy(request.newPassword, account.email, field="body.newPassword")
    try:
        s.accounts.reset_password(token, hash_password(request.newPassword),
                                  _sessions_revoked(account.userId, "password-reset", account.userId))
    except Conflict:
        raise BadRequest("invalid or expired token") from None
    s.sessions.revoke_all(account.userId)


def request_email_verification(s: AccountServices, user_id: str) -> Accepted:
    """Send a verification token to the account's address; ``Conflict`` if it is verified already."""
    account = _existing(s, user_id)
    if account.emailVerified:
        raise Conflict("the email address is already verified")
    s.limiter.acquire(f"verify-email#{user_id}", VERIFY_PER_USER)
    _send_one_time(s, "VERIFY", account, VERIFY_TTL)
    return Accepted()


def verify_email(s: AccountServices, request: VerifyEmailRequest) -> None:
    """Mark the address verified with a verification token (spent in the same write)."""
    token = _valid_one_time(s, "VERIFY", request.token)
    event = DomainEvent.new(SERVICE, "UserUpdated", UserUpdated(userId=token.userId, changed=["emailVerified"]),
                            actor=token.userId)
    try:
        s.accounts.verify_email(token, event)
    except Conflict:
        raise BadRequest("invalid or expired token") from None


def delete_account(s: AccountServices, user_id: str, request: DeleteAccountRequest) -> None:
    """Delete the account (profile, email claim, preferences, sessions) once the password confirms it."""
    account = _confirm_password(s, user_id, request.password, "password is wrong")
    event = DomainEvent.new(SERVICE, "UserDeleted", UserDeleted(userId=user_id), actor=user_id)
    s.accounts.delete(account, event)
    s.sessions.revoke_all(user_id)


def set_disabled(s: AccountServices, caller: Caller, user_id: str, disabled: bool) -> AdminUserView:
    """Admin: disable (every token stops working at once) or enable an account."""
    require_role(caller, ADMIN)
    if disabled and user_id == caller.user_id:
        raise Conflict("an admin cannot disable their own account")
    account = s.accounts.get(user_id)
    if account is None:
        raise NotFound("no such user")
    if account.disabled != disabled:
        event = DomainEvent.new(SERVICE, "UserUpdated", UserUpdated(userId=user_id, changed=["disabled"]),
                                actor=caller.user_id)
        also = (_sessions_revoked(user_id, "disabled", caller.user_id),) if disabled else ()
        s.accounts.update_profile(user_id, {"disabled": disabled}, None, event, also=also)
        if disabled:
            s.sessions.revoke_all(user_id)
    return AdminUserView.of(account.model_copy(update={"disabled": disabled}))


def _sessions_revoked(user_id: str, reason: RevocationReason, actor: str) -> DomainEvent:
    """SessionsRevoked, written with the change that ends every session (live connections close on it)."""
    return DomainEvent.new(SERVICE, "SessionsRevoked", SessionsRevoked(userId=user_id, reason=reason), actor=actor)


def _existing(s: AccountServices, user_id: str) -> Account:
    account = s.accounts.get(user_id)
    if account is None:
        raise NotFound("no such user")
    return account


def _confirm_password(s: AccountServices, user_id: str, password: str, refusal: str) -> Account:
    account = _existing(s, user_id)
    s.limiter.acquire(f"password-check#{user_id}", PASSWORD_CHECK_PER_USER)
    if not verify_password(account.passwordHash, password):
        raise Forbidden(refusal)
    return account


def _send_one_time(s: AccountServices, kind: OneTimeKind, account: Account, ttl: timedelta) -> None:
    token = new_opaque_token()
    expires = s.policy.clock() + ttl
    record = OneTimeToken(tokenHash=hash_token(token), userId=account.userId, email=account.email,
                          expiresAt=epoch_seconds(expires))
    if kind == "RESET":
        data: PasswordResetRequested | EmailVerificationRequested = PasswordResetRequested(
            userId=account.userId, email=account.email, token=token, expiresAt=to_iso(expires))
        detail_type = "PasswordResetRequested"
    else:
        data = EmailVerificationRequested(userId=account.userId, email=account.email, token=token,
                                          expiresAt=to_iso(expires))
        detail_type = "EmailVerificationRequested"
    s.accounts.put_one_time(kind, record, DomainEvent.new(SERVICE, detail_type, data, actor=account.userId))


def _valid_one_time(s: AccountServices, kind: OneTimeKind, token: str) -> OneTimeToken:
    record = s.accounts.get_one_time(kind, hash_token(token))
    if record is None or record.expiresAt <= epoch_seconds(s.policy.clock()):
        raise BadRequest("invalid or expired token")
    return record

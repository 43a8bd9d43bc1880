"""Account rules: registration, sign-in and lockout, passwords, email verification, deletion, admin powers.

Every collaborator is an in-memory fake (``fakes.py``); the clock stands still at ``NOW``.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from argon2 import PasswordHasher

from deepiri_common.clock import epoch_seconds, to_iso
from deepiri_common.identity import Caller
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
from deepiri_users.logic import accounts, admin, emails
from deepiri_users.logic.passwords import hash_password, needs_rehash, verify_password
from deepiri_users.logic.sessions import hash_token
from deepiri_users.models.accounts import (
    DeleteAccountRequest,
    LoginRequest,
    PasswordChange,
    PasswordResetConfirm,
    PasswordResetRequest,
    RegisterRequest,
    VerifyEmailRequest,
)
from deepiri_users.models.sessions import OneTimeToken
from tests.unit.users.fakes import NOW, Users, account

PASSWORD = "correct horse battery"
NOW_EPOCH = epoch_seconds(NOW)


@pytest.fixture(scope="module")
def password_hash() -> str:
    return hash_password(PASSWORD)


@pytest.fixture
def users(password_hash: str) -> Users:
    """Given Ada's account (u1, ada@example.com) with a known password."""
    users = Users()
    users.accounts.add(account(passwordHash=password_hash))
    return users


def _login(users: Users, password: str = PASSWORD, email: str = "ada@example.com", ip: str = "203.0.113.7"):
    return accounts.login(users.services, LoginRequest(email=email, password=password), ip)


# ---------------------------------------------------------------------------------------------- emails

def test_given_an_address_of_254_characters_then_accepted_and_255_refused_naming_the_field() -> None:
    local = "a" * 64
    domain = "b" * (254 - 64 - 1 - 4) + ".com"
    assert len(emails.normalise_email(f"{local}@{domain}")) == 254
    with pytest.raises(ValidationFailed) as refused:
        emails.normalise_email(f"{local}a@{domain}", field="email")
    assert refused.value.errors == [{"field": "email", "message": "must be an email address"}]


@pytest.mark.parametrize("raw", ["ada@example", "ada example@x.com", "@example.com", "ada@@example.com"])
def test_given_something_that_is_not_an_address_then_refused(raw: str) -> None:
    with pytest.raises(ValidationFailed):
        emails.normalise_email(raw)


def test_given_a_full_width_address_then_it_normalises_to_ascii() -> None:
    assert emails.normalise_email("\uff21\uff24\uff21@example.com") == "ada@example.com"


# ------------------------------------------------------------------------------------------ register

def test_given_a_new_email_when_registering_then_the_account_exists_signed_in_and_announced() -> None:
    users = Users()
    registered = accounts.register(
        users.services, RegisterRequest(email=" Ada@Example.com ", password=PASSWORD, displayName="  Ada  "), "ip1")
    stored = users.accounts.find_by_email("ada@example.com")
    assert stored is not None and registered.user.userId == stored.userId
    assert (registered.user.email, registered.user.displayName) == ("ada@example.com", "Ada")
    assert stored.createdAt == stored.updatedAt == to_iso(NOW)
    assert verify_password(stored.passwordHash, PASSWORD) and PASSWORD not in stored.passwordHash
    [event] = users.accounts.events
    assert (event.detail_type, event.detail.actor) == ("UserRegistered", stored.userId)
    assert event.detail.data == {"userId": stored.userId, "email": "ada@example.com", "displayName": "Ada",
                                 "timezone": "UTC", "dayStartHour": 0}
    assert registered.tokens.accessToken == f"access-for-{stored.userId}-v0"
    assert len(users.sessions.of(stored.userId)) == 1


def test_given_a_malformed_email_when_registering_then_422_on_the_body_email_field() -> None:
    with pytest.raises(ValidationFailed) as refused:
        accounts.register(Users().services, RegisterRequest(email="ada.example.com", password=PASSWORD,
                                                            displayName="Ada"), "ip1")
    assert refused.value.errors == [{"field": "body.email", "message": "must be an email address"}]


def test_given_a_blank_display_name_when_registering_then_422_on_that_field() -> None:
    with pytest.raises(ValidationFailed) as refused:
        accounts.register(Users().services, RegisterRequest(email="a@b.co", password=PASSWORD, displayName="  "),
                          "ip1")
    assert refused.value.errors == [{"field": "body.displayName", "message": "must not be blank"}]


def test_given_a_short_password_when_registering_then_422_and_nothing_stored() -> None:
    users = Users()
    with pytest.raises(ValidationFailed):
        accounts.register(users.services, RegisterRequest(email="a@b.co", password="short", displayName="A"), "ip")
    assert users.accounts.accounts == {}


def test_given_a_taken_email_when_registering_then_409_and_the_first_account_stays(users: Users) -> None:
    with pytest.raises(Conflict) as refused:
        accounts.register(users.services, RegisterRequest(email="ADA@example.com", password=PASSWORD,
                                                          displayName="Other"), "ip1")
    assert refused.value.detail == "an account with this email already exists"
    assert list(users.accounts.accounts) == ["u1"]


def test_given_registrations_from_one_ip_then_twenty_an_hour_by_default() -> None:
    users = Users()
    accounts.register(users.services, RegisterRequest(email="a@b.co", password=PASSWORD, displayName="A"), "ip1")
    assert users.limiter.buckets["register-ip#ip1"] == TokenBucket(capacity=20, refill_per_second=20 / 3600)


def test_given_a_lower_registration_limit_when_exceeded_then_429() -> None:
    users = Users()
    services = accounts.AccountServices(**{**users.services.__dict__, "registrations_per_ip_per_hour": 1})
    accounts.register(services, RegisterRequest(email="a@b.co", password=PASSWORD, displayName="A"), "ip1")
    with pytest.raises(TooManyRequests):
        accounts.register(services, RegisterRequest(email="b@b.co", password=PASSWORD, displayName="B"), "ip1")
    accounts.register(services, RegisterRequest(email="c@b.co", password=PASSWORD, displayName="C"), "ip2")
    assert len(users.accounts.accounts) == 2


# --------------------------------------------------------------------------------------------- login

def test_given_the_right_password_when_signing_in_then_a_token_pair_and_a_session(users: Users) -> None:
    pair = _login(users, email="  ADA@example.com ")
    assert pair.accessToken == "access-for-u1-v0" and pair.expiresIn == 900
    assert len(users.sessions.of("u1")) == 1


def test_given_an_unknown_email_or_a_wrong_password_then_the_same_401(users: Users) -> None:
    with pytest.raises(Unauthorized) as unknown:
        _login(users, email="nobody@example.com")
    with pytest.raises(Unauthorized) as wrong:
        _login(users, password="not the password")
    assert unknown.value.detail == wrong.value.detail == "invalid email or password"
    assert users.sessions.sessions == {}


def test_given_sign_ins_then_limited_per_ip_and_per_email_whatever_the_case_of_the_email(users: Users) -> None:
    _login(users, email="ADA@example.com", ip="ip9")
    assert users.limiter.buckets["login-ip#ip9"] == TokenBucket(capacity=50, refill_per_second=50 / 300)
    email_key = f"login-email#{hash_token('ada@example.com')}"
    assert users.limiter.buckets[email_key] == TokenBucket(capacity=20, refill_per_second=20 / 900)
    users.limiter.spent[email_key] = 20
    with pytest.raises(TooManyRequests):
        _login(users, ip="another-ip")


def test_given_nine_failures_when_the_tenth_fails_then_the_account_is_locked_for_fifteen_minutes(
    users: Users,
) -> None:
    users.accounts.add(users.accounts.accounts["u1"].model_copy(update={"failedLogins": 8}))
    with pytest.raises(Unauthorized):
        _login(users, password="wrong password 9")
    assert (users.accounts.accounts["u1"].failedLogins, users.accounts.accounts["u1"].lockedUntil) == (9, 0)
    with pytest.raises(Unauthorized):
        _login(users, password="wrong password 10")
    assert users.accounts.accounts["u1"].lockedUntil == NOW_EPOCH + 15 * 60
    # Then even the right password is refused with a 429 saying how long to wait.
    with pytest.raises(TooManyRequests) as locked:
        _login(users)
    assert locked.value.retry_after == 15 * 60
    assert locked.value.detail == "too many failed sign-ins; try again later"


def test_given_a_lock_that_ends_now_when_signing_in_then_accepted_and_the_lock_cleared(users: Users) -> None:
    users.accounts.add(users.accounts.accounts["u1"].model_copy(update={"lockedUntil": NOW_EPOCH}))
    _login(users)
    assert users.accounts.accounts["u1"].lockedUntil == 0


def test_given_earlier_failures_when_signing_in_then_the_count_starts_again(users: Users) -> None:
    users.accounts.add(users.accounts.accounts["u1"].model_copy(update={"failedLogins": 9}))
    _login(users)
    with pytest.raises(Unauthorized):
        _login(users, password="wrong password 1")
    assert users.accounts.accounts["u1"].failedLogins == 1


def test_given_a_disabled_account_when_the_password_is_right_then_403_and_when_wrong_401(users: Users) -> None:
    users.accounts.add(users.accounts.accounts["u1"].model_copy(update={"disabled": True}))
    with pytest.raises(Forbidden) as refused:
        _login(users)
    assert refused.value.detail == "this account is disabled"
    with pytest.raises(Unauthorized):
        _login(users, password="wrong password 1")


def test_given_a_hash_with_old_parameters_when_signing_in_then_it_is_upgraded_and_sessions_survive() -> None:
    users = Users()
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    users.accounts.add(account(passwordHash=weak))
    _login(users)
    upgraded = users.accounts.accounts["u1"]
    assert upgraded.passwordHash != weak and not needs_rehash(upgraded.passwordHash)
    assert verify_password(upgraded.passwordHash, PASSWORD)
    assert upgraded.tokenVersion == 0


def test_given_a_current_hash_when_signing_in_then_it_is_kept(users: Users, password_hash: str) -> None:
    _login(users)
    assert users.accounts.accounts["u1"].passwordHash == password_hash


# ------------------------------------------------------------------------------- sessions and passwords

def test_given_two_sessions_when_logging_out_everywhere_then_both_end_and_tokens_move_on(users: Users) -> None:
    _login(users)
    _login(users)
    users.accounts.add(account("u2", "bob@example.com"))
    accounts.start_session(users.sessions, users.services.issuer, users.services.policy, account("u2"))
    accounts.logout_all(users.services, "u1")
    assert users.sessions.of("u1") == [] and len(users.sessions.of("u2")) == 1
    assert users.accounts.accounts["u1"].tokenVersion == 1
    # Then live connections are told, with the token version's change.
    [revoked] = [e for e in users.accounts.events if e.detail_type == "SessionsRevoked"]
    assert (revoked.detail.data, revoked.detail.actor) == ({"userId": "u1", "reason": "logout-all"}, "u1")


def test_given_the_current_password_when_changing_it_then_other_sessions_end_and_this_one_continues(
    users: Users,
) -> None:
    _login(users)
    pair = accounts.change_password(users.services, "u1", PasswordChange(current=PASSWORD, new="a brand new secret"))
    assert verify_password(users.accounts.accounts["u1"].passwordHash, "a brand new secret")
    assert [e.detail.data for e in users.accounts.events if e.detail_type == "SessionsRevoked"] == [
        {"userId": "u1", "reason": "password-changed"}]
    assert pair.accessToken == "access-for-u1-v1"
    assert len(users.sessions.of("u1")) == 1
    assert users.limiter.buckets["password-check#u1"] == TokenBucket(capacity=5, refill_per_second=5 / 900)


def test_given_a_wrong_current_password_when_changing_it_then_403_and_nothing_changes(
    users: Users, password_hash: str,
) -> None:
    with pytest.raises(Forbidden) as refused:
        accounts.change_password(users.services, "u1", PasswordChange(current="not it at all", new="a brand new one"))
    assert refused.value.detail == "current password is wrong"
    assert users.accounts.accounts["u1"].passwordHash == password_hash


def test_given_a_new_password_equal_to_the_email_then_422_on_the_new_field(users: Users) -> None:
    with pytest.raises(ValidationFailed) as refused:
        accounts.change_password(users.services, "u1", PasswordChange(current=PASSWORD, new="Ada@Example.com"))
    assert refused.value.errors[0]["field"] == "body.new"


def test_given_five_password_checks_when_a_sixth_comes_then_429(users: Users) -> None:
    users.limiter.spent["password-check#u1"] = 5
    with pytest.raises(TooManyRequests):
        accounts.delete_account(users.services, "u1", DeleteAccountRequest(password=PASSWORD))
    assert "u1" in users.accounts.accounts


def test_given_an_unknown_user_when_changing_a_password_then_404() -> None:
    with pytest.raises(NotFound, match=r"^no such user$"):
        accounts.change_password(Users().services, "ghost", PasswordChange(current=PASSWORD, new="whatever long"))


# ------------------------------------------------------------------------------------ password reset

def _reset_token(users: Users) -> str:
    accounts.request_password_reset(users.services, PasswordResetRequest(email="ADA@example.com"), "ip1")
    return users.accounts.events[-1].detail.data["token"]


def test_given_an_account_when_a_reset_is_requested_then_a_token_is_sent_and_only_its_hash_kept(
    users: Users,
) -> None:
    answer = accounts.request_password_reset(users.services, PasswordResetRequest(email=" ADA@example.com"), "ip1")
    assert answer.status == "accepted"
    [event] = users.accounts.events
    token = event.detail.data["token"]
    assert (event.detail_type, event.detail.actor) == ("PasswordResetRequested", "u1")
    expires = NOW + timedelta(minutes=30)
    assert event.detail.data == {"userId": "u1", "email": "ada@example.com", "token": token,
                                 "expiresAt": to_iso(expires)}
    assert users.accounts.one_time == {("RESET", hash_token(token)): OneTimeToken(
        tokenHash=hash_token(token), userId="u1", email="ada@example.com", expiresAt=epoch_seconds(expires))}
    assert users.limiter.buckets["reset-ip#ip1"] == TokenBucket(capacity=20, refill_per_second=20 / 3600)
    email_bucket = users.limiter.buckets[f"reset-email#{hash_token('ada@example.com')}"]
    assert email_bucket == TokenBucket(capacity=3, refill_per_second=3 / 900)


@pytest.mark.parametrize("email", ["nobody@example.com", "disabled@example.com"])
def test_given_no_usable_account_when_a_reset_is_requested_then_the_same_answer_and_nothing_sent(
    users: Users, email: str,
) -> None:
    users.accounts.add(account("u2", "disabled@example.com", disabled=True))
    assert accounts.request_password_reset(users.services, PasswordResetRequest(email=email), "ip").status == "accepted"
    assert users.accounts.events == [] and users.accounts.one_time == {}


def test_given_a_reset_token_when_confirmed_then_the_password_changes_every_session_ends_and_it_is_spent(
    users: Users,
) -> None:
    _login(users)
    token = _reset_token(users)
    accounts.confirm_password_reset(users.services, PasswordResetConfirm(token=token, newPassword="fresh and long"))
    assert verify_password(users.accounts.accounts["u1"].passwordHash, "fresh and long")
    assert users.sessions.of("u1") == []
    # live connections are told, as after any revocation
    assert [(e.detail.data, e.detail.actor) for e in users.accounts.events if e.detail_type == "SessionsRevoked"] == [
        ({"userId": "u1", "reason": "password-reset"}, "u1")]
    with pytest.raises(BadRequest) as again:
        accounts.confirm_password_reset(users.services, PasswordResetConfirm(token=token, newPassword="other long"))
    assert again.value.detail == "invalid or expired token"


def test_given_a_reset_token_at_its_expiry_when_confirmed_then_400(users: Users) -> None:
    token = _reset_token(users)
    users.now = NOW + timedelta(minutes=30)
    with pytest.raises(BadRequest):
        accounts.confirm_password_reset(users.services, PasswordResetConfirm(token=token, newPassword="fresh and long"))
    users.now = NOW + timedelta(minutes=30) - timedelta(seconds=1)
    accounts.confirm_password_reset(users.services, PasswordResetConfirm(token=token, newPassword="fresh and long"))


@pytest.mark.parametrize("change", ["email", "delete"])
def test_given_the_account_changed_its_email_or_went_when_a_reset_is_confirmed_then_400(
    users: Users, change: str,
) -> None:
    token = _reset_token(users)
    if change == "email":
        users.accounts.add(users.accounts.accounts["u1"].model_copy(update={"email": "new@example.com"}))
    else:
        del users.accounts.accounts["u1"]
    with pytest.raises(BadRequest, match=r"^invalid or expired token$"):
        accounts.confirm_password_reset(users.services, PasswordResetConfirm(token=token, newPassword="fresh and long"))


def test_given_a_weak_new_password_when_a_reset_is_confirmed_then_422_and_the_token_still_works(
    users: Users,
) -> None:
    token = _reset_token(users)
    with pytest.raises(ValidationFailed) as refused:
        accounts.confirm_password_reset(users.services, PasswordResetConfirm(token=token, newPassword="short"))
    assert refused.value.errors[0]["field"] == "body.newPassword"
    accounts.confirm_password_reset(users.services, PasswordResetConfirm(token=token, newPassword="fresh and long"))


def test_given_a_token_spent_concurrently_when_a_reset_is_confirmed_then_400_and_sessions_stay(
    users: Users, monkeypatch: pytest.MonkeyPatch,
) -> None:
    _login(users)
    token = _reset_token(users)

    def spent_meanwhile(*_: object) -> None:
        raise Conflict("token spent")

    monkeypatch.setattr(users.accounts, "reset_password", spent_meanwhile)
    with pytest.raises(BadRequest, match=r"^invalid or expired token$"):
        accounts.confirm_password_reset(users.services, PasswordResetConfirm(token=token, newPassword="fresh and long"))
    assert len(users.sessions.of("u1")) == 1


# -------------------------------------------------------------------------------- email verification

def test_given_an_unverified_address_when_verification_is_requested_then_a_day_long_token_is_sent(
    users: Users,
) -> None:
    assert accounts.request_email_verification(users.services, "u1").status == "accepted"
    [event] = users.accounts.events
    token = event.detail.data["token"]
    assert (event.detail_type, event.detail.actor) == ("EmailVerificationRequested", "u1")
    assert event.detail.data == {"userId": "u1", "email": "ada@example.com", "token": token,
                                 "expiresAt": to_iso(NOW + timedelta(hours=24))}
    stored = users.accounts.one_time[("VERIFY", hash_token(token))]
    assert stored.expiresAt == NOW_EPOCH + 24 * 3600 and stored.userId == "u1"
    assert users.limiter.buckets["verify-email#u1"] == TokenBucket(capacity=3, refill_per_second=3 / 900)


def test_given_a_verified_address_when_verification_is_requested_then_409_and_nothing_sent(users: Users) -> None:
    users.accounts.add(users.accounts.accounts["u1"].model_copy(update={"emailVerified": True}))
    with pytest.raises(Conflict) as refused:
        accounts.request_email_verification(users.services, "u1")
    assert refused.value.detail == "the email address is already verified"
    assert users.accounts.events == [] and users.limiter.spent == {}


def test_given_a_verification_token_when_used_then_the_address_is_verified_once(users: Users) -> None:
    accounts.request_email_verification(users.services, "u1")
    token = users.accounts.events[-1].detail.data["token"]
    accounts.verify_email(users.services, VerifyEmailRequest(token=token))
    assert users.accounts.accounts["u1"].emailVerified
    event = users.accounts.events[-1]
    assert (event.detail_type, event.detail.actor) == ("UserUpdated", "u1")
    assert event.detail.data == {"userId": "u1", "changed": ["emailVerified"]}
    with pytest.raises(BadRequest) as again:
        accounts.verify_email(users.services, VerifyEmailRequest(token=token))
    assert again.value.detail == "invalid or expired token"


def test_given_a_token_spent_concurrently_when_verifying_then_400(
    users: Users, monkeypatch: pytest.MonkeyPatch,
) -> None:
    accounts.request_email_verification(users.services, "u1")
    token = users.accounts.events[-1].detail.data["token"]

    def spent_meanwhile(*_: object) -> None:
        raise Conflict("token spent")

    monkeypatch.setattr(users.accounts, "verify_email", spent_meanwhile)
    with pytest.raises(BadRequest, match=r"^invalid or expired token$"):
        accounts.verify_email(users.services, VerifyEmailRequest(token=token))


def test_given_a_reset_token_when_used_to_verify_an_address_then_400(users: Users) -> None:
    token = _reset_token(users)
    with pytest.raises(BadRequest):
        accounts.verify_email(users.services, VerifyEmailRequest(token=token))
    assert not users.accounts.accounts["u1"].emailVerified


# ------------------------------------------------------------------------------------------ deletion

def test_given_the_password_when_deleting_the_account_then_it_and_its_sessions_are_gone(users: Users) -> None:
    _login(users)
    accounts.delete_account(users.services, "u1", DeleteAccountRequest(password=PASSWORD))
    assert users.accounts.accounts == {} and users.sessions.of("u1") == []
    [event] = users.accounts.events
    assert (event.detail_type, event.detail.actor, event.detail.data) == ("UserDeleted", "u1", {"userId": "u1"})


def test_given_a_wrong_password_when_deleting_the_account_then_403_and_it_stays(users: Users) -> None:
    with pytest.raises(Forbidden) as refused:
        accounts.delete_account(users.services, "u1", DeleteAccountRequest(password="not the password"))
    assert refused.value.detail == "password is wrong"
    assert "u1" in users.accounts.accounts


# --------------------------------------------------------------------------------------- admin powers

def test_given_an_email_when_promoting_then_the_account_becomes_admin_once(users: Users) -> None:
    promoted = admin.promote_admin(users.accounts, " ADA@example.com ")
    assert promoted.roles == ("user", "admin") == users.accounts.accounts["u1"].roles
    [event] = users.accounts.events
    assert (event.detail_type, event.detail.actor) == ("UserUpdated", "system")
    assert event.detail.data == {"userId": "u1", "changed": ["roles"]}
    assert users.accounts.updates == [("u1", {"roles": ["user", "admin"]}, None)]
    again = admin.promote_admin(users.accounts, "ada@example.com")
    assert again.roles == ("user", "admin") and len(users.accounts.events) == 1


def test_given_an_unknown_or_malformed_email_when_promoting_then_404_or_422(users: Users) -> None:
    with pytest.raises(NotFound, match=r"^no account has this email$"):
        admin.promote_admin(users.accounts, "nobody@example.com")
    with pytest.raises(ValidationFailed) as refused:
        admin.promote_admin(users.accounts, "nobody")
    assert refused.value.errors[0]["field"] == "email"


ADMIN = Caller(user_id="boss", roles=frozenset({"user", "admin"}))


def test_given_an_admin_when_disabling_an_account_then_its_sessions_end_and_the_change_is_announced(
    users: Users,
) -> None:
    _login(users)
    view = accounts.set_disabled(users.services, ADMIN, "u1", True)
    assert (view.userId, view.disabled) == ("u1", True)
    assert users.accounts.accounts["u1"].disabled and users.sessions.of("u1") == []
    event, revoked = users.accounts.events
    assert (event.detail_type, event.detail.actor) == ("UserUpdated", "boss")
    assert event.detail.data == {"userId": "u1", "changed": ["disabled"]}
    assert (revoked.detail_type, revoked.detail.data) == ("SessionsRevoked", {"userId": "u1", "reason": "disabled"})
    assert users.accounts.updates == [("u1", {"disabled": True}, None)]


def test_given_a_disabled_account_when_enabled_then_announced_and_no_session_touched(users: Users) -> None:
    users.accounts.add(users.accounts.accounts["u1"].model_copy(update={"disabled": True}))
    users.sessions.start(*_session_of("u1"))
    view = accounts.set_disabled(users.services, ADMIN, "u1", False)
    assert not view.disabled and not users.accounts.accounts["u1"].disabled
    assert len(users.accounts.events) == 1 and len(users.sessions.of("u1")) == 1


def test_given_no_change_when_setting_disabled_then_nothing_is_written(users: Users) -> None:
    users.sessions.start(*_session_of("u1"))
    assert not accounts.set_disabled(users.services, ADMIN, "u1", False).disabled
    assert users.accounts.events == [] and users.accounts.updates == [] and len(users.sessions.of("u1")) == 1


def test_given_an_admin_when_disabling_themselves_then_409_but_enabling_themselves_is_fine(users: Users) -> None:
    users.accounts.add(account("boss", "boss@example.com"))
    with pytest.raises(Conflict) as refused:
        accounts.set_disabled(users.services, ADMIN, "boss", True)
    assert refused.value.detail == "an admin cannot disable their own account"
    assert not accounts.set_disabled(users.services, ADMIN, "boss", False).disabled


def test_given_a_non_admin_or_an_unknown_user_when_setting_disabled_then_403_or_404(users: Users) -> None:
    with pytest.raises(Forbidden):
        accounts.set_disabled(users.services, Caller(user_id="u2", roles=frozenset({"user"})), "u1", True)
    with pytest.raises(NotFound, match=r"^no such user$"):
        accounts.set_disabled(users.services, ADMIN, "ghost", True)
    assert not users.accounts.accounts["u1"].disabled


def _session_of(user_id: str):  # a session and its first refresh record, as a sign-in would store them
    from deepiri_users.models.sessions import RefreshRecord, Session  # noqa: PLC0415

    return (Session(userId=user_id, familyId="f1", tokenVersion=0, createdAt=to_iso(NOW), expiresAt=NOW_EPOCH + 60),
            RefreshRecord(tokenHash="x", userId=user_id, familyId="f1", expiresAt=NOW_EPOCH + 60))

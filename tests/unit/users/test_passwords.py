"""Password policy and argon2id hashing."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, extract_parameters

from deepiri_common.problems import ValidationFailed
from deepiri_users.logic import passwords


def test_given_a_hash_then_it_is_argon2id_at_or_above_the_owasp_minimum() -> None:
    params = extract_parameters(passwords.hash_password("a fine long passphrase"))
    assert params.type.name == "ID"
    assert params.memory_cost >= 19_456 and params.time_cost >= 2 and params.parallelism >= 1


def test_given_a_hash_when_verifying_then_only_the_same_password_matches() -> None:
    stored = passwords.hash_password("a fine long passphrase")
    assert passwords.verify_password(stored, "a fine long passphrase")
    assert not passwords.verify_password(stored, "a fine long passphrase!")
    assert not passwords.verify_password("not-a-hash", "anything")


def test_given_a_weaker_old_hash_then_it_still_verifies_and_needs_a_rehash() -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("an old long password")
    assert passwords.verify_password(weak, "an old long password")
    assert passwords.needs_rehash(weak)
    assert not passwords.needs_rehash(passwords.hash_password("an old long password"))


@pytest.mark.parametrize(("password", "message"), [
    ("eleven char", "at least 12"),
    ("Ada@Example.com", "email"),
])
def test_given_a_bad_password_when_checked_then_validation_names_the_field(password: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        passwords.check_policy(password, "ada@example.com", field="body.new")
    assert refused.value.errors[0]["field"] == "body.new" and message in refused.value.errors[0]["message"]


def test_given_twelve_characters_not_the_email_then_accepted() -> None:
    passwords.check_policy("twelve chars", "ada@example.com")


def test_given_a_registration_password_equal_to_the_email_then_the_password_field_is_named() -> None:
    with pytest.raises(ValidationFailed) as refused:
        passwords.check_policy(" ADA@example.com ", "ada@example.com")
    assert refused.value.errors == [{"field": "body.password", "message": "must not be the email address"}]
    with pytest.raises(ValidationFailed) as short:
        passwords.check_policy("x" * 11, "ada@example.com")
    assert short.value.errors == [{"field": "body.password", "message": "must have at least 12 characters"}]


def test_given_something_that_is_not_a_hash_then_it_needs_rehashing() -> None:
    assert passwords.needs_rehash("not-a-hash")


def test_given_an_unknown_email_when_the_dummy_verification_runs_then_it_checks_against_a_real_current_hash() -> None:
    assert passwords.dummy_verify("whatever was typed") is None
    dummy = passwords._dummy_hash()
    assert extract_parameters(dummy).type.name == "ID" and not passwords.needs_rehash(dummy)
    assert not passwords.verify_password(dummy, "whatever was typed")

"""Profile and preferences validation, and who may see a profile."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from deepiri_common.problems import NotFound, ValidationFailed
from deepiri_users.logic.accounts import normalise_email
from deepiri_users.logic.profiles import public_profile
from deepiri_users.models.accounts import Account
from deepiri_users.models.profiles import Preferences, ProfilePatch


@pytest.mark.parametrize("field", ["role", "roles", "xp", "id", "email", "tokenVersion"])
def test_given_a_privileged_or_unknown_field_then_the_patch_is_refused(field: str) -> None:
    with pytest.raises(ValidationError):
        ProfilePatch.model_validate({"version": 1, field: "x"})


@pytest.mark.parametrize(("field", "value"), [
    ("avatarUrl", "http://example.com/a.png"), ("timezone", "Mars/Olympus"), ("privacy", "secret"),
    ("locale", "not a locale"),
])
def test_given_an_invalid_value_then_the_patch_is_refused(field: str, value: str) -> None:
    with pytest.raises(ValidationError):
        ProfilePatch.model_validate({"version": 1, field: value})


def test_given_a_valid_patch_then_changes_name_only_the_sent_fields() -> None:
    patch = ProfilePatch.model_validate({"version": 3, "timezone": "Asia/Tokyo", "bio": None,
                                         "avatarUrl": "https://cdn.example/a.png"})
    assert patch.changes() == {"timezone": "Asia/Tokyo", "bio": None, "avatarUrl": "https://cdn.example/a.png"}


def test_given_preferences_with_a_bad_quiet_hour_or_theme_then_refused() -> None:
    with pytest.raises(ValidationError):
        Preferences.model_validate({"quietHours": {"start": "7:00", "end": "08:00", "timezone": "UTC"}})
    with pytest.raises(ValidationError):
        Preferences.model_validate({"theme": "neon"})
    assert Preferences().weekStart == "monday"


def test_given_messy_emails_then_they_normalise_or_are_refused() -> None:
    assert normalise_email("  Ada@Example.COM\t") == "ada@example.com"
    with pytest.raises(ValidationFailed):
        normalise_email("not-an-email")


class _Accounts:
    def __init__(self, account: Account) -> None:
        self.account = account

    def get(self, user_id: str) -> Account | None:
        return self.account if user_id == self.account.userId else None


class _Friends:
    def __init__(self, pairs: set[tuple[str, str]]) -> None:
        self.pairs = pairs

    def are_friends(self, user_id: str, other_id: str) -> bool:
        return (user_id, other_id) in self.pairs


def _owner(privacy: str) -> Account:
    return Account(userId="owner", email="o@example.com", displayName="O", passwordHash="h", privacy=privacy,
                   createdAt="2026-01-01T00:00:00.000Z", updatedAt="2026-01-01T00:00:00.000Z")


@pytest.mark.parametrize(("privacy", "caller", "visible"), [
    ("public", "stranger", True), ("friends", "stranger", False), ("friends", "friend", True),
    ("private", "friend", False), ("private", "owner", True),
])
def test_given_a_privacy_setting_then_only_the_allowed_callers_see_the_profile(
    privacy: str, caller: str, visible: bool
) -> None:
    accounts, friends = _Accounts(_owner(privacy)), _Friends({("owner", "friend")})
    if visible:
        assert public_profile(accounts, friends, caller, "owner").userId == "owner"  # type: ignore[arg-type]
    else:
        with pytest.raises(NotFound):
            public_profile(accounts, friends, caller, "owner")  # type: ignore[arg-type]

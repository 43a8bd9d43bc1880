"""Profile and preferences validation, and who may see a profile."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from deepiri_common.identity import Caller
from deepiri_common.pagination import PageQuery, encode_cursor
from deepiri_common.problems import BadRequest, Conflict, Forbidden, NotFound, PreconditionFailed, ValidationFailed
from deepiri_users.logic import profiles
from deepiri_users.logic.emails import normalise_email
from deepiri_users.logic.profiles import public_profile
from deepiri_users.models.accounts import Account
from deepiri_users.models.profiles import Preferences, ProfilePatch
from tests.unit.users.fakes import MemoryAccounts, account


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


def test_given_preferences_with_a_bad_theme_then_refused() -> None:
    with pytest.raises(ValidationError):
        Preferences.model_validate({"theme": "neon"})
    assert Preferences().weekStart == "monday"


@pytest.mark.parametrize("moved", [{"notifications": {"tasks": {"email": False}}},
                                   {"quietHours": {"start": "22:00", "end": "07:00", "timezone": "UTC"}},
                                   {"notifications": None}])
def test_given_notification_toggles_or_quiet_hours_then_refused_with_where_they_moved(moved: dict) -> None:
    with pytest.raises(ValidationError) as refused:
        Preferences.model_validate({"theme": "dark", **moved})

    [error] = refused.value.errors()
    assert error["loc"] == (next(iter(moved)),) and "PUT /api/notifications/preferences" in error["msg"]


def test_given_a_document_stored_with_the_moved_toggles_then_read_without_them() -> None:
    stored = ('{"notifications": {"tasks": {"email": false, "push": true, "inApp": true}}, '
              '"quietHours": {"start": "22:00", "end": "07:00", "timezone": "UTC"}, "theme": "dark"}')

    preferences = Preferences.stored(stored)

    assert preferences == Preferences(theme="dark")
    assert preferences.model_dump() == {"weekStart": "monday", "theme": "dark"}


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


# ------------------------------------------------------------- own profile, preferences, admin listing

def _store(*stored: Account) -> MemoryAccounts:
    store = MemoryAccounts()
    for one in stored:
        store.add(one)
    return store


def test_given_my_account_when_reading_my_profile_then_my_fields_and_an_unknown_id_is_404() -> None:
    store = _store(account(bio="hi"))
    me = profiles.get_me(store, "u1")
    assert (me.userId, me.email, me.displayName, me.bio, me.version) == ("u1", "ada@example.com", "Ada", "hi", 1)
    with pytest.raises(NotFound, match=r"^no such user$"):
        profiles.get_me(store, "ghost")


def test_given_the_current_version_when_patching_then_only_sent_fields_change_and_are_announced() -> None:
    store = _store(account(bio="old"))
    patch = ProfilePatch.model_validate({"version": 1, "timezone": "Asia/Tokyo", "bio": None, "displayName": "A."})
    me = profiles.update_me(store, "u1", patch)
    assert (me.timezone, me.bio, me.displayName, me.version) == ("Asia/Tokyo", None, "A.", 2)
    assert store.updates == [("u1", {"timezone": "Asia/Tokyo", "bio": None, "displayName": "A."}, 1)]
    event, settings = store.events
    assert (event.detail_type, event.detail.actor) == ("UserUpdated", "u1")
    assert event.detail.data == {"userId": "u1", "changed": ["bio", "displayName", "timezone"]}
    assert (settings.detail_type, settings.detail.data) == (
        "UserSettingsChanged", {"userId": "u1", "timezone": "Asia/Tokyo", "dayStartHour": 0})


@pytest.mark.parametrize(("sent", "announced"), [
    ({"dayStartHour": 4}, {"timezone": "UTC", "dayStartHour": 4}),
    ({"dayStartHour": 4, "timezone": "America/New_York"}, {"timezone": "America/New_York", "dayStartHour": 4}),
    ({"dayStartHour": 0, "timezone": "UTC"}, None),  # the values it has: no settings event
    ({"bio": "hello"}, None),
])
def test_given_a_patch_of_the_day_settings_then_their_values_after_it_are_announced_once(
        sent: dict[str, object], announced: dict[str, object] | None) -> None:
    store = _store(account())

    me = profiles.update_me(store, "u1", ProfilePatch.model_validate({"version": 1, **sent}))

    assert me.dayStartHour == sent.get("dayStartHour", 0)
    settings = [e.detail.data for e in store.events if e.detail_type == "UserSettingsChanged"]
    assert settings == ([] if announced is None else [{"userId": "u1", **announced}])


@pytest.mark.parametrize("value", [-1, 24, 99, 3.5, "5", True, None, [1], {"h": 1}])
def test_given_a_day_start_hour_outside_0_to_23_or_not_an_integer_then_the_patch_is_refused(value: object) -> None:
    if value is None:  # null is accepted by the model but never applied: the setting cannot be cleared
        assert ProfilePatch.model_validate({"version": 1, "dayStartHour": None}).changes() == {}
        return
    with pytest.raises(ValidationError):
        ProfilePatch.model_validate({"version": 1, "dayStartHour": value})


def test_given_a_stale_version_when_patching_then_412_naming_both_versions_and_nothing_changes() -> None:
    store = _store(account(version=3))
    with pytest.raises(PreconditionFailed) as refused:
        profiles.update_me(store, "u1", ProfilePatch.model_validate({"version": 2, "bio": "new"}))
    assert refused.value.detail == "the profile is at version 3, not 2"
    assert store.updates == [] and store.events == []


def test_given_a_patch_with_no_field_when_applied_then_the_profile_is_returned_unchanged() -> None:
    store = _store(account(version=4, bio="same"))
    me = profiles.update_me(store, "u1", ProfilePatch.model_validate({"version": 4}))
    assert (me.version, me.bio) == (4, "same")
    assert store.updates == [] and store.events == []


def test_given_a_concurrent_edit_when_the_write_loses_then_412_asking_to_read_again() -> None:
    class RacingAccounts(MemoryAccounts):
        def update_profile(self, *args: object, **kwargs: object) -> None:
            raise Conflict("version moved")

    store = RacingAccounts()
    store.add(account())
    with pytest.raises(PreconditionFailed) as refused:
        profiles.update_me(store, "u1", ProfilePatch.model_validate({"version": 1, "bio": "new"}))
    assert refused.value.detail == "the profile changed since it was read; read it again"


def test_given_no_saved_preferences_then_the_defaults_and_after_saving_the_saved_ones() -> None:
    store = _store(account())
    assert profiles.get_preferences(store, "u1") == Preferences()
    saved = Preferences.model_validate({"theme": "dark", "weekStart": "sunday"})
    assert profiles.put_preferences(store, "u1", saved) == saved
    assert profiles.get_preferences(store, "u1") == saved
    assert profiles.get_preferences(store, "u2") == Preferences()


def test_given_an_unknown_user_when_saving_preferences_then_404_and_nothing_saved() -> None:
    store = _store()
    with pytest.raises(NotFound):
        profiles.put_preferences(store, "ghost", Preferences())
    assert store.preferences == {}


def test_given_a_disabled_public_profile_then_only_its_owner_sees_it() -> None:
    accounts, friends = _Accounts(_owner("public").model_copy(update={"disabled": True})), _Friends(set())
    with pytest.raises(NotFound, match=r"^no such user$"):
        public_profile(accounts, friends, "stranger", "owner")  # type: ignore[arg-type]
    with pytest.raises(NotFound):
        public_profile(accounts, friends, "stranger", "nobody")  # type: ignore[arg-type]
    assert public_profile(accounts, friends, "owner", "owner").displayName == "O"  # type: ignore[arg-type]


def test_given_friends_one_way_only_then_the_friendship_is_asked_owner_first() -> None:
    accounts, friends = _Accounts(_owner("friends")), _Friends({("friend", "owner")})
    with pytest.raises(NotFound):
        public_profile(accounts, friends, "friend", "owner")  # type: ignore[arg-type]


ADMIN_CALLER = Caller(user_id="boss", roles=frozenset({"user", "admin"}))


def test_given_an_admin_when_listing_users_then_pages_by_email_with_a_working_cursor() -> None:
    store = _store(account("u1", "ada@example.com"), account("u2", "adam@example.com"),
                   account("u3", "bob@example.com", disabled=True))
    first = profiles.list_users(store, ADMIN_CALLER, "", PageQuery(limit=2))
    assert [u.email for u in first.items] == ["ada@example.com", "adam@example.com"]
    assert first.next_cursor is not None
    second = profiles.list_users(store, ADMIN_CALLER, "", PageQuery(limit=2, cursor=first.next_cursor))
    assert [(u.email, u.disabled) for u in second.items] == [("bob@example.com", True)]
    assert second.next_cursor is None


def test_given_a_prefix_in_any_case_when_listing_users_then_only_matching_emails() -> None:
    store = _store(account("u1", "ada@example.com"), account("u2", "bob@example.com"))
    listed = profiles.list_users(store, ADMIN_CALLER, "  ADA ", PageQuery())
    assert [u.userId for u in listed.items] == ["u1"] and listed.next_cursor is None


def test_given_a_cursor_of_another_listing_when_listing_users_then_400() -> None:
    foreign = encode_cursor({"gsi1pk": {"S": "TASKS"}, "gsi1sk": {"S": "x"}})
    with pytest.raises(BadRequest, match=r"^invalid cursor$"):
        profiles.list_users(_store(), ADMIN_CALLER, "", PageQuery(cursor=foreign))
    without_pk = encode_cursor({"gsi1sk": {"S": "x"}})
    with pytest.raises(BadRequest):
        profiles.list_users(_store(), ADMIN_CALLER, "", PageQuery(cursor=without_pk))


def test_given_a_non_admin_when_listing_users_then_403() -> None:
    with pytest.raises(Forbidden):
        profiles.list_users(_store(account()), Caller(user_id="u1", roles=frozenset({"user"})), "", PageQuery())

"""Profiles: what a user sees and edits of their own account, what others may see, preferences, and
the admin listing.

Privacy decides who sees a profile: ``public`` anyone signed in, ``friends`` the owner's friends,
``private`` the owner alone. Anyone else gets the same 404 as for an id that does not exist, so a
profile's existence never leaks. Edits carry the version the client read (optimistic concurrency):
a stale version answers 412 and changes nothing.
"""

from __future__ import annotations

from typing import Protocol

from deepiri_common.events import DomainEvent
from deepiri_common.identity import Caller, require_role
from deepiri_common.pagination import Page, PageQuery, decode_cursor, encode_cursor
from deepiri_common.problems import BadRequest, Conflict, NotFound, PreconditionFailed
from deepiri_users.logic.accounts import AccountStore
from deepiri_users.logic.admin import ADMIN
from deepiri_users.models.accounts import Account
from deepiri_users.models.events import SERVICE, UserSettingsChanged, UserUpdated
from deepiri_users.models.profiles import AdminUserView, MyProfile, Preferences, ProfilePatch, PublicProfile

_LISTING_PK = {"S": "USERS"}
DAY_SETTINGS = ("timezone", "dayStartHour")  # what places a user's days; a change announces both values


class FriendshipReader(Protocol):
    """Whether two users are friends; the social part of the service owns the graph."""

    def are_friends(self, user_id: str, other_id: str) -> bool: ...


def get_me(accounts: AccountStore, user_id: str) -> MyProfile:
    """The caller's own profile."""
    return MyProfile.of(_existing(accounts, user_id))


def update_me(accounts: AccountStore, user_id: str, patch: ProfilePatch) -> MyProfile:
    """Apply the fields sent, if ``patch.version`` is still current; emits UserUpdated naming them."""
    current = _existing(accounts, user_id)
    changes = patch.changes()
    if current.version != patch.version:
        raise PreconditionFailed(f"the profile is at version {current.version}, not {patch.version}")
    if not changes:
        return MyProfile.of(current)
    event = DomainEvent.new(SERVICE, "UserUpdated", UserUpdated(userId=user_id, changed=sorted(changes)),
                            actor=user_id)
    try:
        accounts.update_profile(user_id, changes, patch.version, event, also=settings_changed(current, changes))
    except Conflict:
        raise PreconditionFailed("the profile changed since it was read; read it again") from None
    return MyProfile.of(_existing(accounts, user_id))


def settings_changed(current: Account, changes: dict[str, object]) -> list[DomainEvent]:
    """UserSettingsChanged with the values after ``changes`` when they change the timezone or the day start."""
    after = {name: changes.get(name, getattr(current, name)) for name in DAY_SETTINGS}
    if all(after[name] == getattr(current, name) for name in DAY_SETTINGS):
        return []
    data = UserSettingsChanged(userId=current.userId, timezone=str(after["timezone"]),
                               dayStartHour=int(str(after["dayStartHour"])))
    return [DomainEvent.new(SERVICE, "UserSettingsChanged", data, actor=current.userId)]


def get_preferences(accounts: AccountStore, user_id: str) -> Preferences:
    """The caller's preferences, or the defaults if they never saved any."""
    return accounts.get_preferences(user_id) or Preferences()


def put_preferences(accounts: AccountStore, user_id: str, preferences: Preferences) -> Preferences:
    """Replace the caller's preferences document."""
    _existing(accounts, user_id)
    accounts.put_preferences(user_id, preferences)
    return preferences


def public_profile(
    accounts: AccountStore, friendships: FriendshipReader, caller_id: str, user_id: str
) -> PublicProfile:
    """Another user's profile as their privacy setting allows the caller to see it, else 404."""
    account = accounts.get(user_id)
    if account is None or not _may_see(account, friendships, caller_id):
        raise NotFound("no such user")
    return PublicProfile.of(account)


def _may_see(account: Account, friendships: FriendshipReader, caller_id: str) -> bool:
    if account.userId == caller_id:
        return True
    if account.disabled or account.privacy == "private":
        return False
    return account.privacy == "public" or friendships.are_friends(account.userId, caller_id)


def list_users(accounts: AccountStore, caller: Caller, email_prefix: str, page: PageQuery) -> Page[AdminUserView]:
    """Admin: accounts ordered by email, optionally those whose email starts with ``email_prefix``."""
    require_role(caller, ADMIN)
    start = decode_cursor(page.cursor) if page.cursor else None
    if start is not None and start.get("gsi1pk") != _LISTING_PK:
        raise BadRequest("invalid cursor")
    found, last = accounts.list_by_email_prefix(email_prefix.strip().lower(), page.limit, start)
    return Page[AdminUserView](items=[AdminUserView.of(account) for account in found],
                               next_cursor=encode_cursor(last) if last else None)


def _existing(accounts: AccountStore, user_id: str) -> Account:
    account = accounts.get(user_id)
    if account is None:
        raise NotFound("no such user")
    return account

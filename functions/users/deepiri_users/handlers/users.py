"""Account routes under /api/users: the caller's own profile, preferences, password, email
verification and deletion; other users' public profiles; and the admin's listing and disable/enable."""

from __future__ import annotations

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from deepiri_common.api import api_handler, create_resolver
from deepiri_common.identity import caller_id, current_caller
from deepiri_common.pagination import Page, PageQuery
from deepiri_common.params import Cursor, Limit, QueryText
from deepiri_common.routes import Routes
from deepiri_users import wiring
from deepiri_users.logic import accounts, profiles
from deepiri_users.models.accounts import Accepted, DeleteAccountRequest, PasswordChange, TokenPair
from deepiri_users.models.profiles import AdminUserView, MyProfile, Preferences, ProfilePatch, PublicProfile

app = create_resolver()
routes = Routes(app)


@routes.get("/api/users/me", scope="profile:read")
def get_me() -> MyProfile:
    """Your profile."""
    return profiles.get_me(wiring.account_repository(), caller_id(app))


@routes.patch("/api/users/me", scope="profile:write")
def update_me(body: ProfilePatch) -> MyProfile:
    """Edit your profile (with its version)."""
    return profiles.update_me(wiring.account_repository(), caller_id(app), body)


@routes.delete("/api/users/me")
def delete_me(body: DeleteAccountRequest) -> Response[None]:
    """Delete your account (needs your password)."""
    accounts.delete_account(wiring.account_services(), caller_id(app), body)
    return Response(status_code=204)


@routes.get("/api/users/me/preferences", scope="profile:read")
def get_preferences() -> Preferences:
    """Your preferences."""
    return profiles.get_preferences(wiring.account_repository(), caller_id(app))


@routes.put("/api/users/me/preferences", scope="profile:write")
def put_preferences(body: Preferences) -> Preferences:
    """Replace your preferences."""
    return profiles.put_preferences(wiring.account_repository(), caller_id(app), body)


@routes.post("/api/users/me/password")
def change_password(body: PasswordChange) -> TokenPair:
    """Change your password; other sessions end."""
    return accounts.change_password(wiring.account_services(), caller_id(app), body)


@routes.post("/api/users/me/email-verification", status=202)
def request_email_verification() -> tuple[Accepted, int]:
    """Send a new email verification token."""
    return accounts.request_email_verification(wiring.account_services(), caller_id(app)), 202


@routes.get("/api/users")
def list_users(
    emailPrefix: Annotated[QueryText, Query(max_length=254)] = "",
    limit: Limit = 20,
    cursor: Cursor = None,
) -> Page[AdminUserView]:
    """Users by email prefix (admins)."""
    page = PageQuery(limit=limit, cursor=cursor)
    return profiles.list_users(wiring.account_repository(), current_caller(app), emailPrefix, page)


@routes.get("/api/users/<id>", scope="profile:read")
def get_user(id: str) -> PublicProfile:
    """A user's public profile; private and friends-only ones answer 404 to others."""
    return profiles.public_profile(wiring.account_repository(), wiring.friendship_reader(), caller_id(app), id)


@routes.post("/api/users/<id>/disable")
def disable_user(id: str) -> AdminUserView:
    """Disable a user (admins); their tokens stop at once."""
    return accounts.set_disabled(wiring.account_services(), current_caller(app), id, disabled=True)


@routes.post("/api/users/<id>/enable")
def enable_user(id: str) -> AdminUserView:
    """Enable a disabled user (admins)."""
    return accounts.set_disabled(wiring.account_services(), current_caller(app), id, disabled=False)


handler: Any = api_handler(app)

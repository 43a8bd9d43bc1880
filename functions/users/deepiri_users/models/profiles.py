"""Wire models of profiles and preferences, and the views built from an account.

Every model is built on first use (``defer_build``): a function builds only the models its routes use.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, HttpUrl, TypeAdapter, field_validator
from pydantic.json_schema import SkipJsonSchema

from deepiri_common.clock import is_valid_timezone
from deepiri_common.text import MultiLine, SingleLine
from deepiri_users.models.accounts import Account, Privacy, TokenPair

_LOCALE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


def _timezone(value: str) -> str:
    if not is_valid_timezone(value):
        raise ValueError("must be an IANA timezone, for example Europe/Paris")
    return value


def _locale(value: str) -> str:
    if not _LOCALE.match(value):
        raise ValueError("must be a BCP 47 language tag, for example en or pt-BR")
    return value


_URL = TypeAdapter(HttpUrl, config=ConfigDict(defer_build=True))


def _https(value: str) -> str:
    url = _URL.validate_python(value)
    if url.scheme != "https":
        raise ValueError("must be an https URL")
    if url.username or url.password:
        raise ValueError("must not contain credentials")
    return value


Timezone = Annotated[str, Field(max_length=64), AfterValidator(_timezone)]
# The hour a user's day begins (0-23) in their timezone: streaks and daily resets count days from it.
# Strict: a JSON true or "5" is refused rather than read as a number.
DayStartHour = Annotated[int, Field(strict=True, ge=0, le=23,
                                    description="the hour (0-23, local time) the user's day begins")]
Locale = Annotated[str, Field(max_length=35), AfterValidator(_locale)]
AvatarUrl = Annotated[str, Field(max_length=2048), AfterValidator(_https)]


class ProfilePatch(BaseModel):
    """Body of ``PATCH /api/users/me``: only the fields a user may change; ``version`` is the one read."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    version: int = Field(ge=1, strict=True)
    displayName: SingleLine | None = Field(default=None, min_length=1, max_length=64)
    avatarUrl: AvatarUrl | None = None
    bio: MultiLine | None = Field(default=None, max_length=500)
    timezone: Timezone | None = None
    dayStartHour: DayStartHour | None = None
    locale: Locale | None = None
    privacy: Privacy | None = None

    def changes(self) -> dict[str, object]:
        """The fields the client sent, other than ``version`` (``null`` clears avatarUrl and bio)."""
        sent = self.model_dump(exclude_unset=True, exclude={"version"})
        required = {"displayName", "timezone", "dayStartHour", "locale", "privacy"}
        return {name: value for name, value in sent.items() if value is not None or name not in required}


class MyProfile(BaseModel):
    """The owner's view of their account (``GET /api/users/me``)."""

    model_config = ConfigDict(defer_build=True)

    userId: str
    email: str
    displayName: str
    avatarUrl: str | None
    bio: str | None
    timezone: str
    dayStartHour: int
    locale: str
    privacy: Privacy
    roles: list[str]
    emailVerified: bool
    version: int
    createdAt: str
    updatedAt: str

    @classmethod
    def of(cls, account: Account) -> MyProfile:
        return cls.model_validate(account.model_dump(include=set(cls.model_fields)))


class PublicProfile(BaseModel):
    """What other users see of a profile they are allowed to see."""

    model_config = ConfigDict(defer_build=True)

    userId: str
    displayName: str
    avatarUrl: str | None
    bio: str | None

    @classmethod
    def of(cls, account: Account) -> PublicProfile:
        return cls.model_validate(account.model_dump(include=set(cls.model_fields)))


class AdminUserView(BaseModel):
    """A row of the admin listing."""

    model_config = ConfigDict(defer_build=True)

    userId: str
    email: str
    displayName: str
    roles: list[str]
    emailVerified: bool
    disabled: bool
    createdAt: str

    @classmethod
    def of(cls, account: Account) -> AdminUserView:
        return cls.model_validate(account.model_dump(include=set(cls.model_fields)))


class RegisteredUser(BaseModel):
    """Answer of ``POST /api/auth/register``."""

    model_config = ConfigDict(defer_build=True)

    user: MyProfile
    tokens: TokenPair


# Notification toggles and quiet hours belong to the notifications service, the one that applies them
# (GET / PUT /api/notifications/preferences). They were stored here too, and nothing read them: a request
# naming them is refused with a pointer (never dropped in silence), and a document stored before is read
# without them.
MOVED_TO_NOTIFICATIONS = ("notifications", "quietHours")
_MOVED = "moved: notification channels and quiet hours are set with PUT /api/notifications/preferences"


class Preferences(BaseModel):
    """Body and answer of ``PUT /api/users/me/preferences``; the whole document is replaced."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    weekStart: Literal["monday", "sunday"] = "monday"
    theme: Literal["light", "dark", "system"] = "system"
    notifications: SkipJsonSchema[None] = Field(default=None, exclude=True)
    quietHours: SkipJsonSchema[None] = Field(default=None, exclude=True)

    @field_validator(*MOVED_TO_NOTIFICATIONS, mode="before")
    @classmethod
    def _moved(cls, value: object) -> None:
        raise ValueError(_MOVED)

    @classmethod
    def stored(cls, document: str) -> Preferences:
        """A stored document, less what moved to the notifications service (it was never applied)."""
        values = json.loads(document)
        return cls.model_validate({name: value for name, value in values.items()
                                   if name not in MOVED_TO_NOTIFICATIONS})

"""The events the accounts part of the users service publishes (``source = deepiri.users``).

Each is the ``data`` of a :class:`deepiri_common.events.DomainEvent`, written to the outbox in the
same transaction as the state change it announces. ``PUBLISHES`` is the service's contract: every
detail-type it puts on the bus and the model of its ``data`` (``make contracts`` writes their schemas).
Every model is built on first use (``defer_build``): an event's model is built when it is first published.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from deepiri_users.models.social import (
    FriendRequestedData,
    FriendshipAcceptedData,
    FriendshipEndedData,
    UserBlockedData,
    UserUnblockedData,
)

SERVICE = "users"


class UserRegistered(BaseModel):
    model_config = ConfigDict(defer_build=True)

    userId: str
    email: str
    displayName: str
    timezone: str = Field(description="the user's IANA timezone")
    dayStartHour: int = Field(ge=0, le=23, description="the hour (0-23, local time) the user's day begins")


class UserSettingsChanged(BaseModel):
    """The values that place a user's days, whenever either changes (services that count days keep a copy)."""

    model_config = ConfigDict(defer_build=True)

    userId: str
    timezone: str = Field(description="the user's IANA timezone")
    dayStartHour: int = Field(ge=0, le=23, description="the hour (0-23, local time) the user's day begins")


class UserUpdated(BaseModel):
    model_config = ConfigDict(defer_build=True)

    userId: str
    changed: list[str]


class UserDeleted(BaseModel):
    model_config = ConfigDict(defer_build=True)

    userId: str = Field(min_length=1)


RevocationReason = Literal["logout-all", "password-changed", "password-reset", "disabled"]


class SessionsRevoked(BaseModel):
    """Every session of the user ended at once: live connections (realtime) close too."""

    model_config = ConfigDict(defer_build=True)

    userId: str = Field(min_length=1)
    reason: RevocationReason


class PasswordResetRequested(BaseModel):
    """Carries the single-use reset token to the notifications service, which emails it.

    The token exists in clear only here; the users table keeps its SHA-256 hash.
    """

    model_config = ConfigDict(defer_build=True)

    userId: str
    email: str
    token: str
    expiresAt: str


class EmailVerificationRequested(BaseModel):
    """Carries the single-use verification token to the notifications service."""

    model_config = ConfigDict(defer_build=True)

    userId: str
    email: str
    token: str
    expiresAt: str


PUBLISHES: dict[str, type[BaseModel]] = {
    "UserRegistered": UserRegistered,
    "UserUpdated": UserUpdated,
    "UserSettingsChanged": UserSettingsChanged,
    "UserDeleted": UserDeleted,
    "SessionsRevoked": SessionsRevoked,
    "PasswordResetRequested": PasswordResetRequested,
    "EmailVerificationRequested": EmailVerificationRequested,
    "FriendRequested": FriendRequestedData,
    "FriendshipAccepted": FriendshipAcceptedData,
    "FriendshipEnded": FriendshipEndedData,
    "UserBlocked": UserBlockedData,
    "UserUnblocked": UserUnblockedData,
}

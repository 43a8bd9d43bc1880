"""Wire models of the account routes (register, login, tokens, passwords, verification, deletion)
and the domain model of an account as the repository returns it.

Every model is built on first use (``defer_build``): a function builds only the models its routes use.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from deepiri_common.text import SingleLine

Privacy = Literal["public", "friends", "private"]

# Generous upper bounds: argon2 hashes any length, but a megabyte password is a denial of service.
MAX_PASSWORD_LENGTH = 1024
MAX_EMAIL_LENGTH = 254
MAX_TOKEN_LENGTH = 512


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False, defer_build=True)


class RegisterRequest(_Input):
    """Body of ``POST /api/auth/register``."""

    email: str = Field(min_length=3, max_length=MAX_EMAIL_LENGTH, examples=["ada@example.com"])
    password: str = Field(max_length=MAX_PASSWORD_LENGTH, examples=["correct horse battery staple"])
    displayName: SingleLine = Field(min_length=1, max_length=64, examples=["Ada"])


class LoginRequest(_Input):
    """Body of ``POST /api/auth/login``."""

    email: str = Field(min_length=1, max_length=MAX_EMAIL_LENGTH, examples=["ada@example.com"])
    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH, examples=["correct horse battery staple"])


class RefreshRequest(_Input):
    """Body of ``POST /api/auth/refresh`` and ``POST /api/auth/logout``."""

    refreshToken: str = Field(min_length=1, max_length=MAX_TOKEN_LENGTH)


class PasswordChange(_Input):
    """Body of ``POST /api/users/me/password``."""

    current: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)
    new: str = Field(max_length=MAX_PASSWORD_LENGTH)


class PasswordResetRequest(_Input):
    """Body of ``POST /api/auth/password-reset``."""

    email: str = Field(min_length=1, max_length=MAX_EMAIL_LENGTH)


class PasswordResetConfirm(_Input):
    """Body of ``POST /api/auth/password-reset/confirm``."""

    token: str = Field(min_length=1, max_length=MAX_TOKEN_LENGTH)
    newPassword: str = Field(max_length=MAX_PASSWORD_LENGTH)


class VerifyEmailRequest(_Input):
    """Body of ``POST /api/auth/verify-email``."""

    token: str = Field(min_length=1, max_length=MAX_TOKEN_LENGTH)


class DeleteAccountRequest(_Input):
    """Body of ``DELETE /api/users/me``: the password confirms the intent."""

    password: str = Field(min_length=1, max_length=MAX_PASSWORD_LENGTH)


class TokenPair(BaseModel):
    """What a successful sign-in answers: a short-lived access token and an opaque refresh token."""

    model_config = ConfigDict(defer_build=True)

    accessToken: str
    refreshToken: str
    tokenType: Literal["Bearer"] = "Bearer"
    expiresIn: int


class Accepted(BaseModel):
    """The answer of requests whose outcome is deliberately not revealed (202)."""

    model_config = ConfigDict(defer_build=True)

    status: Literal["accepted"] = "accepted"


class Account(BaseModel):
    """A user account as stored: the profile plus what only the service itself may see.

    Never serialised to a client: responses are built from it with ``models.profiles``.
    """

    model_config = ConfigDict(frozen=True, defer_build=True)

    userId: str
    email: str
    displayName: str
    passwordHash: str = Field(repr=False)
    avatarUrl: str | None = None
    bio: str | None = None
    timezone: str = "UTC"
    dayStartHour: int = 0
    locale: str = "en"
    privacy: Privacy = "public"
    roles: tuple[str, ...] = ("user",)
    emailVerified: bool = False
    disabled: bool = False
    tokenVersion: int = 0
    version: int = 1
    failedLogins: int = 0
    lockedUntil: int = 0  # epoch seconds; 0 when not locked
    createdAt: str
    updatedAt: str

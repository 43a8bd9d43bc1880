"""Domain models of sign-in sessions: a refresh-token family and the refresh tokens in it.

Every model is built on first use (``defer_build``): a function builds only the models its routes use.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Session(BaseModel):
    """One sign-in (a device): the family every rotated refresh token of that sign-in belongs to.

    ``tokenVersion`` is the user's token version when the session began; bumping the user's version
    (logout-all, password change or reset) ends every older session at once.
    """

    model_config = ConfigDict(frozen=True, defer_build=True)

    userId: str
    familyId: str
    tokenVersion: int
    createdAt: str
    expiresAt: int  # epoch seconds


class RefreshRecord(BaseModel):
    """A refresh token as stored: its SHA-256 hash only, never the token itself."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    tokenHash: str
    userId: str
    familyId: str
    used: bool = False
    expiresAt: int  # epoch seconds


class OneTimeToken(BaseModel):
    """A password-reset or email-verification token as stored (hash only)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    tokenHash: str
    userId: str
    email: str
    expiresAt: int  # epoch seconds

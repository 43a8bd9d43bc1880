"""The AI service's copy of a user's timezone, from the users service's settings events."""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, Field

DEFAULT_TIMEZONE = "UTC"


class UserSettingsData(BaseModel):
    """The part of UserRegistered and UserSettingsChanged that places a user's days."""

    userId: str
    timezone: str = Field(max_length=64)
    dayStartHour: int = Field(ge=0, le=23)


class UserDeletedData(BaseModel):
    userId: str


@dataclass(frozen=True)
class Profile:
    """A user's timezone and day start hour as this service last heard them (``at``/``eventId`` order them)."""

    userId: str
    timezone: str = DEFAULT_TIMEZONE
    dayStartHour: int = 0
    at: str = ""
    eventId: str = ""

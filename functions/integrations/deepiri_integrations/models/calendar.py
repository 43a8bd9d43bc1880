"""Google Calendar's side of the integration: focus blocks asked for a challenge, and the users' timezones this
service keeps from the users service's settings events (all-day events fall due at the end of the user's day)."""

from __future__ import annotations

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

ChallengeId = Field(min_length=26, max_length=26, pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$",
                    description="one of the caller's challenges (a ULID)")


class FocusBlockRequest(BaseModel):
    """Block time on the caller's calendar for one of their challenges."""

    model_config = ConfigDict(extra="forbid")

    challengeId: str = ChallengeId
    startAt: AwareDatetime | None = Field(default=None, description="when the block starts; default: now")
    minutes: int | None = Field(default=None, ge=15, le=480, strict=True,
                                description="how long; default: the challenge's time limit (15 to 480)")


class FocusBlock(BaseModel):
    """A focus block on the caller's Google calendar (one per challenge: asking again answers the same block)."""

    challengeId: str
    calendarId: str
    eventId: str
    summary: str
    startAt: AwareDatetime
    endAt: AwareDatetime
    timeZone: str
    url: str | None = None
    created: bool = Field(description="false when the block existed already (one per challenge)")


class UserSettingsData(BaseModel):
    """``UserRegistered`` and ``UserSettingsChanged`` (users service): the part that places a user's days."""

    userId: str
    timezone: str = Field(max_length=64)

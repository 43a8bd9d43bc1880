"""Users' timezones: kept from the users service's settings events, read to place a parsed due time."""

from __future__ import annotations

from deepiri_ai.dal.profiles import ProfileRepository
from deepiri_ai.models.profiles import Profile, UserSettingsData


def settings_changed(repository: ProfileRepository, event_id: str, at: str, data: UserSettingsData) -> bool:
    """Keep the user's settings unless later ones are kept already (whether these were kept)."""
    return repository.save(Profile(userId=data.userId, timezone=data.timezone, dayStartHour=data.dayStartHour,
                                   at=at, eventId=event_id))


def timezone_of(repository: ProfileRepository, user_id: str) -> str:
    """The user's IANA timezone, UTC when this service has not heard it."""
    return repository.profile(user_id).timezone


def forget(repository: ProfileRepository, user_id: str) -> None:
    repository.forget(user_id)

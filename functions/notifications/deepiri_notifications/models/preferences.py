"""A user's notification preferences: channels per kind, quiet hours, the daily digest, the timezone;
and the devices that receive pushes."""

from __future__ import annotations

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from deepiri_common.clock import is_valid_timezone
from deepiri_notifications.models.notifications import Kind

LOCAL_TIME_PATTERN = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
DEVICE_ID_PATTERN = r"^[a-f0-9]{32}$"


class Channels(BaseModel):
    model_config = ConfigDict(extra="forbid")

    inApp: bool = True
    email: bool = True
    push: bool = True


class NotificationQuietHours(BaseModel):
    """From ``start`` to ``end``, local times in the user's timezone (``22:00`` to ``07:00`` spans midnight)."""

    model_config = ConfigDict(extra="forbid")

    start: str = Field(pattern=LOCAL_TIME_PATTERN, examples=["22:00"])
    end: str = Field(pattern=LOCAL_TIME_PATTERN, examples=["07:00"])

    @model_validator(mode="after")
    def _not_empty(self) -> Self:
        if self.start == self.end:
            raise ValueError("start and end must differ")
        return self


class Digest(BaseModel):
    """One email a day, at ``hour`` local time, batching the low-priority kinds whose email is on."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    hour: int = Field(default=8, ge=0, le=23, strict=True)


class NotificationPreferences(BaseModel):
    """What the user chose; every kind not named keeps its default channels."""

    model_config = ConfigDict(extra="forbid")

    timezone: str = Field(default="UTC", max_length=64, examples=["Europe/Paris"],
                          description="IANA timezone of quiet hours and the digest hour")
    kinds: dict[Kind, Channels] = Field(default_factory=dict)
    quietHours: NotificationQuietHours | None = None
    digest: Digest = Field(default_factory=Digest)

    @field_validator("timezone")
    @classmethod
    def _iana(cls, value: str) -> str:
        if not is_valid_timezone(value):
            raise ValueError("must be an IANA timezone, for example Europe/Paris")
        return value


Platform = Literal["fcm", "apns", "apnsSandbox"]


class DeviceRegistration(BaseModel):
    model_config = ConfigDict(extra="forbid")

    platform: Platform
    token: str = Field(min_length=8, max_length=4096, pattern=r"^[A-Za-z0-9:_.\-]+$", repr=False,
                       description="the push token the device's platform (FCM, APNs) gave the app")


class Device(BaseModel):
    id: str
    platform: Platform
    createdAt: str
    push: Literal["ready", "unconfigured"] = Field(
        description="unconfigured: this stage has no SNS platform application, so pushes are skipped")


class StoredDevice(Device):
    endpointArn: str | None = None


class Contact(BaseModel):
    """Where and how to address a user, learnt from UserRegistered."""

    email: str | None = None
    displayName: str | None = None

"""Notifications as the API shows them, with every delivery attempt per channel, and the queue message
that asks for one channel's delivery."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal[
    "taskDueSoon", "taskOverdue", "mention", "memberAdded", "friendRequested", "friendshipAccepted", "levelUp",
    "badgeEarned", "streakAtRisk", "streakBroken", "duelInvited", "duelFinished", "challengeExpired",
    "passwordReset", "emailVerification",
]
KINDS: tuple[Kind, ...] = Kind.__args__  # type: ignore[attr-defined]
Channel = Literal["inApp", "email", "push"]
SendChannel = Literal["email", "push"]
DeliveryStatus = Literal["delivered", "sent", "held", "digest", "skipped", "failed", "off"]
"""delivered: stored in the app; sent: handed to SES / SNS; held: quiet hours, released after them;
digest: waiting for the daily digest email; skipped: nothing to send to, with the reason; failed: the
provider refused, with the reason; off: the user's preferences turned the channel off."""
ChannelState = Literal["pending", "held", "digest", "done"]

NOTIFICATION_ID_PATTERN = r"^[0-9A-HJKMNP-TV-Z]{26}$"


class Delivery(BaseModel):
    channel: Channel
    status: DeliveryStatus
    at: str
    reason: str | None = None


class Notification(BaseModel):
    id: str
    kind: Kind
    title: str
    body: str | None = None
    link: str | None = None
    createdAt: str
    readAt: str | None = None
    deliveries: list[Delivery] = Field(default_factory=list)


class StoredNotification(Notification):
    """A notification with what only the service needs: whose it is, and where each channel stands."""

    userId: str
    sourceEventId: str
    channels: dict[str, ChannelState] = Field(default_factory=dict)

    def public(self) -> Notification:
        return Notification.model_validate(self.model_dump(include=set(Notification.model_fields)))


class UnreadCount(BaseModel):
    unread: int = Field(ge=0)


class ReadAll(BaseModel):
    marked: int = Field(ge=0, description="how many notifications were unread and are now read")


class DeliveryRequest(BaseModel):
    """A message of the delivery queue: send one notification on one channel.

    ``secretLink`` carries a password-reset or verification link (with its single-use token) from the
    event to the email; it exists only in this message and the email, never in the table or a log.
    """

    model_config = ConfigDict(extra="forbid")

    userId: str
    notificationId: str
    channel: SendChannel
    email: str | None = None
    secretLink: str | None = Field(default=None, repr=False)

"""The events the notifications service publishes (``source = deepiri.notifications``) and those it reads.

``PUBLISHES`` is the service's contract (``make contracts`` writes its schemas). The models of what the
consumer reads are its own, holding only the fields it uses: the contract tests check each against its
producer's schema (or, for events whose producer has not landed, the model in ``contracts/pending.py``).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

SERVICE = "notifications"


class NotificationCreated(BaseModel):
    """A notification the user sees in the app; realtime pushes it to the connections of ``userId``."""

    notificationId: str
    userId: str
    kind: str
    title: str
    body: str | None = None
    link: str | None = None


PUBLISHES: dict[str, type[BaseModel]] = {
    "NotificationCreated": NotificationCreated,
}


class TaskReminderData(BaseModel):
    """TaskDueSoon and TaskOverdue: ``userId`` is the task's owner."""

    taskId: str
    userId: str
    dueAt: str
    title: str


class TaskCommentedData(BaseModel):
    taskId: str
    commentId: str
    authorId: str
    mentionedUserIds: list[str]
    projectId: str | None


class MemberAddedData(BaseModel):
    projectId: str
    userId: str
    role: str


class FriendRequestedData(BaseModel):
    requesterId: str
    addresseeId: str


class FriendshipAcceptedData(BaseModel):
    requesterId: str
    addresseeId: str


class LevelUpData(BaseModel):
    userId: str
    level: int


class SecurityMailData(BaseModel):
    """PasswordResetRequested and EmailVerificationRequested: the token exists in clear only here."""

    userId: str
    email: str
    token: str = Field(repr=False)
    expiresAt: str


class UserRegisteredData(BaseModel):
    userId: str
    email: str
    displayName: str
    timezone: str | None = Field(default=None, description="the account's IANA timezone (quiet hours, digest hour)")


class UserSettingsChangedData(BaseModel):
    """The account's timezone changed (or its day start, which this service does not use)."""

    userId: str
    timezone: str


class UserDeletedData(BaseModel):
    userId: str


class BadgeEarnedData(BaseModel):
    userId: str
    badgeId: str
    name: str


class StreakAtRiskData(BaseModel):
    userId: str
    days: int
    day: str = Field(description="the user's local date that still needs an activity")


class StreakBrokenData(BaseModel):
    userId: str
    length: int = Field(description="the streak's length when it broke")


class DuelInvitedData(BaseModel):
    duelId: str
    challengerId: str
    opponentId: str


class DuelFinishedData(BaseModel):
    duelId: str
    participantIds: list[str]
    winnerId: str | None


class ChallengeExpiredData(BaseModel):
    challengeId: str
    userId: str

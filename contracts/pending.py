"""Models of events whose producer has not landed yet, but which an existing consumer already reads.

Each entry names the module that will own the model (its future producer). The contract in
``contracts/events/`` is generated from the model here until then; when the producer lands, it moves the
model into that module, adds it to its ``PUBLISHES``, and deletes the entry here (``make lint`` fails
while a detail-type is declared in both places). Field names and constraints are what the consumers
already rely on (``participantIds`` and ``userId`` for realtime, the import fields for tasks), so the
producer adopts them as written, or changes them together with the consumers' models.
"""

from __future__ import annotations

from typing import Literal

from pydantic import AwareDatetime, BaseModel, Field

Difficulty = Literal["trivial", "easy", "medium", "hard", "epic"]


class ChallengeCompleted(BaseModel):
    """A user finished a challenge (``taskId`` is null for a daily challenge not tied to a task)."""

    challengeId: str
    userId: str
    taskId: str | None
    difficulty: Difficulty
    xp: int = Field(ge=0, description="XP the challenge is worth; engagement decides what it credits")
    completedAt: AwareDatetime


class DuelInvited(BaseModel):
    duelId: str
    challengerId: str
    opponentId: str
    participantIds: list[str] = Field(min_length=2, max_length=2)
    expiresAt: AwareDatetime


class DuelStarted(BaseModel):
    duelId: str
    participantIds: list[str] = Field(min_length=2, max_length=2)
    startedAt: AwareDatetime
    endsAt: AwareDatetime


class DuelProgressed(BaseModel):
    duelId: str
    participantIds: list[str] = Field(min_length=2, max_length=2)
    userId: str = Field(description="the participant who made progress")
    scores: dict[str, int] = Field(description="score per participant id")


class DuelFinished(BaseModel):
    duelId: str
    participantIds: list[str] = Field(min_length=2, max_length=2)
    winnerId: str | None = Field(description="null for a draw")
    scores: dict[str, int] = Field(description="final score per participant id")
    reason: Literal["completed", "expired", "forfeited"]


class BadgeEarned(BaseModel):
    userId: str
    badgeId: str
    name: str


class StreakUpdated(BaseModel):
    userId: str
    days: int = Field(ge=0)
    longest: int = Field(ge=0)


class NotificationCreated(BaseModel):
    notificationId: str
    userId: str
    kind: str
    title: str
    body: str | None = None
    link: str | None = None


class FriendshipEnded(BaseModel):
    """A friendship ended (unfriend or block); ``userIds`` holds both, as in FriendshipAccepted."""

    userIds: list[str] = Field(min_length=2, max_length=2)


class IntegrationItemImported(BaseModel):
    """An item pulled from a provider, to become (or update) a task; ``externalRef`` is its stable key."""

    userId: str = Field(min_length=1)
    provider: Literal["github", "notion", "trello"]
    externalRef: str = Field(min_length=1, max_length=500)
    title: str = Field(min_length=1, max_length=500)
    description: str | None = None
    dueAt: AwareDatetime | None = None
    status: str | None = None
    url: str | None = None


CHALLENGES = "deepiri_challenges.models.events"
ENGAGEMENT = "deepiri_engagement.models.events"
NOTIFICATIONS = "deepiri_notifications.models.events"
INTEGRATIONS = "deepiri_integrations.models.events"
USERS = "deepiri_users.models.events"

PENDING: dict[str, tuple[str, type[BaseModel]]] = {
    "ChallengeCompleted": (CHALLENGES, ChallengeCompleted),
    "DuelInvited": (CHALLENGES, DuelInvited),
    "DuelStarted": (CHALLENGES, DuelStarted),
    "DuelProgressed": (CHALLENGES, DuelProgressed),
    "DuelFinished": (CHALLENGES, DuelFinished),
    "BadgeEarned": (ENGAGEMENT, BadgeEarned),
    "StreakUpdated": (ENGAGEMENT, StreakUpdated),
    "NotificationCreated": (NOTIFICATIONS, NotificationCreated),
    "IntegrationItemImported": (INTEGRATIONS, IntegrationItemImported),
    "FriendshipEnded": (USERS, FriendshipEnded),
}
"""detail-type → (the module that will publish it, the model of its ``data`` until then)."""

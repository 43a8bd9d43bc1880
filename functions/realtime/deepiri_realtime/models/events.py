"""The events the realtime service publishes (``source = deepiri.realtime``) and what its consumer reads.

``PUBLISHES`` is the service's contract (``make contracts`` writes its schemas). The consumer's models
name only the fields realtime relies on; a pushed event's other ``data`` fields pass through to the
client untouched, so they allow any other field.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from deepiri_realtime.models.presence import Presence

SERVICE = "realtime"

class DuelProgressReported(BaseModel):
    """A participant reported progress in a duel over the WebSocket; the challenges service validates it
    (the duel is running, the progress only grows) and announces DuelProgressed."""

    duelId: str
    userId: str
    progress: int = Field(ge=0)


PUBLISHES: dict[str, type[BaseModel]] = {"PresenceUpdated": Presence, "DuelProgressReported": DuelProgressReported}


class _Passed(BaseModel):
    model_config = ConfigDict(extra="allow")


class AboutUser(_Passed):
    """XpAwarded, LevelUp, BadgeEarned, StreakUpdated, NotificationCreated: pushed to ``user:<userId>``."""

    userId: str


class TaskChange(_Passed):
    """TaskUpdated: pushed to the owner's channel, and to the project's for a project task."""

    ownerId: str
    projectId: str | None = None


class DuelChange(_Passed):
    """Duel events: their participants may join ``duel:<duelId>``; DuelInvited goes to the invitee."""

    duelId: str
    participantIds: list[str]


class DuelInvitation(DuelChange):
    opponentId: str


class PresenceChange(_Passed):
    userId: str
    status: str


class ProjectOwner(BaseModel):
    """ProjectCreated: the owner is the first member."""

    projectId: str
    ownerId: str


class ProjectMember(BaseModel):
    """MemberAdded, MemberRemoved."""

    projectId: str
    userId: str


class ProjectGone(BaseModel):
    """ProjectDeleted: nobody is a member any more."""

    projectId: str
    ownerId: str
    memberIds: list[str]


class Friendship(BaseModel):
    """FriendshipAccepted, FriendshipEnded: the two users."""

    userIds: list[str]


class UserSessionsEnd(BaseModel):
    """SessionsRevoked, UserDeleted: every connection of the user closes."""

    userId: str

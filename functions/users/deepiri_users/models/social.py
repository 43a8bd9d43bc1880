"""Social graph: friend requests, friendships, follows and blocks, as the API and the bus see them.

Every model is built on first use (``defer_build``): the account functions import these for the event
contract without building them.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

USER_ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"

RequestDirection = Literal["incoming", "outgoing"]
RequestOutcome = Literal["requested", "friends"]
RequestWrite = Literal["created", "exists", "friends", "incoming", "blocked", "retry"]
FollowWrite = Literal["created", "exists", "blocked"]
BlockWrite = Literal["blocked", "exists", "retry"]  # retry: the friendship changed since it was read


class Edge(StrEnum):
    """The kinds of item a user's partition holds about another user."""

    FRIEND = "FRIEND"
    REQUEST_OUT = "REQOUT"
    REQUEST_IN = "REQIN"
    FOLLOWING = "FOLLOWING"
    FOLLOWER = "FOLLOWER"
    BLOCK = "BLOCK"
    BLOCKED_BY = "BLOCKEDBY"


class FriendRequestCreate(BaseModel):
    """Body of ``POST /api/users/me/friends/requests``."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    userId: str = Field(pattern=USER_ID_PATTERN)


class FriendRequestResult(BaseModel):
    """What a friend request led to: a pending request, or a friendship when the other user had
    already asked the caller (a mutual request accepts itself)."""

    model_config = ConfigDict(defer_build=True)

    userId: str
    status: RequestOutcome


class SocialUser(BaseModel):
    """One entry of a friends / followers / following / requests / blocks list."""

    model_config = ConfigDict(defer_build=True)

    userId: str
    displayName: str | None = None
    avatarUrl: str | None = None
    since: str
    mutualFriends: int = 0


class Relation(BaseModel):
    """One edge of the caller's graph as the repository returns it (before profiles are joined)."""

    model_config = ConfigDict(defer_build=True)

    userId: str
    since: str


class RelationPage(BaseModel):
    model_config = ConfigDict(defer_build=True)

    items: list[Relation]
    nextCursor: str | None = None


class SocialPage(BaseModel):
    """A page of a social list: ``{"items": [...], "nextCursor": "..." | null}``."""

    model_config = ConfigDict(defer_build=True)

    items: list[SocialUser]
    nextCursor: str | None = None


class ProfileSummary(BaseModel):
    """What the social graph reads of the accounts engineer's PROFILE item."""

    model_config = ConfigDict(defer_build=True)

    userId: str
    displayName: str | None = None
    avatarUrl: str | None = None
    disabled: bool = False


# ---- events (detail.data) ------------------------------------------------------------------------


class FriendRequestedData(BaseModel):
    """``FriendRequested``: ``userId`` is the addressee, so realtime pushes it to them."""

    model_config = ConfigDict(defer_build=True)

    requesterId: str
    addresseeId: str
    userId: str


class FriendshipAcceptedData(BaseModel):
    """``FriendshipAccepted``: ``userIds`` holds both friends (engagement and notifications credit each)."""

    model_config = ConfigDict(defer_build=True)

    requesterId: str
    addresseeId: str
    userIds: list[str]


class FriendshipEndedData(BaseModel):
    """``FriendshipEnded``: ``userIds`` were friends and are not any more (one unfriended the other, or
    blocked them); leaderboards, challenges and realtime drop what the friendship gave."""

    model_config = ConfigDict(defer_build=True)

    userIds: list[str]
    endedBy: str = Field(description="the user who unfriended or blocked")
    reason: Literal["unfriended", "blocked"]


class UserBlockedData(BaseModel):
    """``UserBlocked``: carries no ``userId`` on purpose, so the blocked user is never notified."""

    model_config = ConfigDict(defer_build=True)

    blockerId: str
    blockedId: str


class UserUnblockedData(BaseModel):
    """``UserUnblocked``: the block of ``blockedId`` by ``blockerId`` is lifted (no ``userId``: nobody is
    notified); services that keep who blocked whom (the tasks service's directory) drop the block."""

    blockerId: str
    blockedId: str

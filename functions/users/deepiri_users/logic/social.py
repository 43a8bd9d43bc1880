"""Social graph rules: friend requests, friendships, follows and blocks.

- A user can only reach another user who exists (a PROFILE item), is not disabled and is not blocked
  either way; otherwise the answer is 404, exactly as for a user that does not exist, so a blocked
  user cannot tell they are blocked. Targeting oneself is a 422.
- A friend request to someone who already asked the caller accepts that request: two users asking
  each other at the same time end with one friendship (the repository's transaction refuses a request
  when a crossing one exists, and the request is retried as an acceptance).
- Accepting is idempotent: accepting again once friends answers the friendship, with no second event.
- A block severs everything between the two users (friendship, follows both ways, pending requests
  both ways) in the same transaction; blocking is never refused for an existing user, even one who
  blocked the caller, and blocking twice changes nothing.
- Lists show each other user with their profile's name and avatar and the number of friends they have
  in common with the caller.

Events (through the outbox, in the state change's transaction): FriendRequested, FriendshipAccepted,
FriendshipEnded (unfriending, or blocking a friend), UserBlocked, UserUnblocked. Cancelling, rejecting
and following publish nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Literal, Protocol

from deepiri_common.events import DomainEvent
from deepiri_common.pagination import PageQuery
from deepiri_common.problems import Conflict, NotFound, ValidationFailed
from deepiri_users.models.social import (
    BlockWrite,
    Edge,
    FollowWrite,
    FriendRequestedData,
    FriendRequestResult,
    FriendshipAcceptedData,
    FriendshipEndedData,
    ProfileSummary,
    Relation,
    RelationPage,
    RequestWrite,
    SocialPage,
    SocialUser,
    UserBlockedData,
    UserUnblockedData,
)

SERVICE = "users"
REQUEST_ATTEMPTS = 3


class SocialStore(Protocol):
    def profile(self, user_id: str) -> ProfileSummary | None: ...
    def profiles(self, user_ids: Iterable[str]) -> dict[str, ProfileSummary]: ...
    def relation(self, user_id: str, edge: Edge, other: str) -> Relation | None: ...
    def is_blocked_between(self, a: str, b: str) -> bool: ...
    def page(self, user_id: str, edge: Edge, limit: int, cursor: str | None) -> RelationPage: ...
    def friend_ids(self, user_id: str) -> set[str]: ...
    def request(self, requester: str, addressee: str, event: DomainEvent) -> RequestWrite: ...
    def accept(self, addressee: str, requester: str, event: DomainEvent) -> bool: ...
    def remove_request(self, requester: str, addressee: str) -> bool: ...
    def unfriend(self, a: str, b: str, event: DomainEvent) -> bool: ...
    def follow(self, follower: str, followed: str) -> FollowWrite: ...
    def unfollow(self, follower: str, followed: str) -> bool: ...
    def block(self, blocker: str, blocked: str, event: DomainEvent, ended: DomainEvent | None) -> BlockWrite: ...
    def unblock(self, blocker: str, blocked: str, event: DomainEvent) -> bool: ...


def _not_self(me: str, other: str, field: str) -> None:
    if me == other:
        raise ValidationFailed([{"field": field, "message": "cannot target yourself"}])


def _user_not_found(user_id: str) -> NotFound:
    return NotFound(f"user {user_id} not found")


def ensure_reachable(store: SocialStore, me: str, other: str) -> None:
    """404 unless ``other`` exists, is enabled and neither user blocked the other."""
    profile = store.profile(other)
    if profile is None or profile.disabled or store.is_blocked_between(me, other):
        raise _user_not_found(other)


def _accepted_event(requester: str, addressee: str) -> DomainEvent:
    data = FriendshipAcceptedData(requesterId=requester, addresseeId=addressee, userIds=[requester, addressee])
    return DomainEvent.new(SERVICE, "FriendshipAccepted", data, actor=addressee)


def _ended_event(me: str, other: str, reason: Literal["unfriended", "blocked"]) -> DomainEvent:
    data = FriendshipEndedData(userIds=[me, other], endedBy=me, reason=reason)
    return DomainEvent.new(SERVICE, "FriendshipEnded", data, actor=me)


def send_friend_request(store: SocialStore, me: str, other: str) -> FriendRequestResult:
    """Ask ``other`` to be friends; accepts instead when ``other`` already asked ``me``."""
    _not_self(me, other, "body.userId")
    ensure_reachable(store, me, other)
    for _ in range(REQUEST_ATTEMPTS):
        if store.relation(me, Edge.REQUEST_IN, other) is not None:
            if store.accept(me, other, _accepted_event(other, me)):
                return FriendRequestResult(userId=other, status="friends")
            continue  # their request vanished meanwhile (cancelled or accepted): look again
        data = FriendRequestedData(requesterId=me, addresseeId=other, userId=other)
        outcome = store.request(me, other, DomainEvent.new(SERVICE, "FriendRequested", data, actor=me))
        if outcome in ("created", "exists"):
            return FriendRequestResult(userId=other, status="requested")
        if outcome == "friends":
            raise Conflict(f"already friends with {other}")
        if outcome == "blocked":
            raise _user_not_found(other)
        # "incoming" (their request crossed ours) or "retry" (a concurrent write): go round again
    raise Conflict("the relationship kept changing; retry")


def accept_friend_request(store: SocialStore, me: str, requester: str) -> FriendRequestResult:
    """Accept ``requester``'s pending request; accepting twice leaves the one friendship."""
    _not_self(me, requester, "path.userId")
    ensure_reachable(store, me, requester)
    if store.accept(me, requester, _accepted_event(requester, me)):
        return FriendRequestResult(userId=requester, status="friends")
    if store.relation(me, Edge.FRIEND, requester) is not None:
        return FriendRequestResult(userId=requester, status="friends")
    raise NotFound(f"no pending friend request from {requester}")


def reject_friend_request(store: SocialStore, me: str, requester: str) -> None:
    _not_self(me, requester, "path.userId")
    if not store.remove_request(requester, me):
        raise NotFound(f"no pending friend request from {requester}")


def cancel_friend_request(store: SocialStore, me: str, addressee: str) -> None:
    _not_self(me, addressee, "path.userId")
    if not store.remove_request(me, addressee):
        raise NotFound(f"no pending friend request to {addressee}")


def unfriend(store: SocialStore, me: str, other: str) -> None:
    _not_self(me, other, "path.userId")
    if not store.unfriend(me, other, _ended_event(me, other, "unfriended")):
        raise NotFound(f"not friends with {other}")


def follow(store: SocialStore, me: str, other: str) -> None:
    """Follow ``other``; following again changes nothing."""
    _not_self(me, other, "path.userId")
    ensure_reachable(store, me, other)
    if store.follow(me, other) == "blocked":
        raise _user_not_found(other)


def unfollow(store: SocialStore, me: str, other: str) -> None:
    _not_self(me, other, "path.userId")
    if not store.unfollow(me, other):
        raise NotFound(f"not following {other}")


def block(store: SocialStore, me: str, other: str) -> None:
    """Block ``other`` (any existing user); publishes UserBlocked the first time only."""
    _not_self(me, other, "path.userId")
    if store.profile(other) is None:
        raise _user_not_found(other)
    event = DomainEvent.new(SERVICE, "UserBlocked", UserBlockedData(blockerId=me, blockedId=other), actor=me)
    for _ in range(REQUEST_ATTEMPTS):
        # FriendshipEnded goes with the block exactly when a friendship was there: the store's transaction
        # checks that the friendship is still as read, and refuses ("retry") when it changed meanwhile.
        friends = store.relation(me, Edge.FRIEND, other) is not None
        if store.block(me, other, event, _ended_event(me, other, "blocked") if friends else None) != "retry":
            return
    raise Conflict("the relationship kept changing; retry")


def unblock(store: SocialStore, me: str, other: str) -> None:
    """Lift a block of ``other``; publishes UserUnblocked (404 when there is no such block)."""
    _not_self(me, other, "path.userId")
    event = DomainEvent.new(SERVICE, "UserUnblocked", UserUnblockedData(blockerId=me, blockedId=other), actor=me)
    if not store.unblock(me, other, event):
        raise NotFound(f"{other} is not blocked")


def list_relations(store: SocialStore, me: str, edge: Edge, paging: PageQuery) -> SocialPage:
    """One page of the caller's friends / followers / following / requests / blocks."""
    page = store.page(me, edge, paging.limit, paging.cursor)
    profiles = store.profiles(r.userId for r in page.items)
    mine = store.friend_ids(me) if edge is not Edge.BLOCK and page.items else set()
    items = []
    for relation in page.items:
        profile = profiles.get(relation.userId)
        mutual = len(mine & store.friend_ids(relation.userId)) if mine else 0
        items.append(SocialUser(userId=relation.userId, since=relation.since, mutualFriends=mutual,
                                displayName=profile.displayName if profile else None,
                                avatarUrl=profile.avatarUrl if profile else None))
    return SocialPage(items=items, nextCursor=page.nextCursor)

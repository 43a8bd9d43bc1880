"""Who the tasks service may bring into a project: its own directory of users, fed by the users service's
events (UserRegistered, UserDeleted, UserBlocked, UserUnblocked) through the tasks consumer.

- A project invitation names a user who exists (registered, not deleted) and with whom the inviter has no
  block either way; otherwise 404 with the same answer as for a user who does not exist, so a blocked
  inviter cannot tell they are blocked.
- The directory follows the users service with a short delay (its events travel through the bus): a
  user who registered a moment ago may not be invitable yet.
- Events may arrive twice or out of order: a deletion is final, and a block or unblock changes the
  record only when it is later (by time, then event id) than the one recorded.
"""

from __future__ import annotations

from typing import Protocol

from deepiri_common.problems import NotFound


class Directory(Protocol):
    def register(self, user_id: str) -> bool: ...
    def forget(self, user_id: str) -> None: ...
    def set_block(self, blocker: str, blocked: str, *, blocking: bool, at: str) -> bool: ...
    def exists(self, user_id: str) -> bool: ...
    def blocks(self, blocker: str, blocked: str) -> bool: ...


def event_order(occurred_at: str, event_id: str) -> str:
    """A key that sorts events by when they happened, then by id (a ULID), as text."""
    return f"{occurred_at}#{event_id}"


def require_invitable(directory: Directory, inviter: str, invitee: str) -> None:
    """404 unless ``invitee`` exists and neither user blocks the other."""
    if (not directory.exists(invitee) or directory.blocks(invitee, inviter)
            or directory.blocks(inviter, invitee)):
        raise NotFound(f"user {invitee} not found")


def user_registered(directory: Directory, user_id: str) -> bool:
    """Add the user; False when already known (a redelivery) or deleted meanwhile."""
    return directory.register(user_id)


def block_changed(directory: Directory, blocker: str, blocked: str, *, blocking: bool, at: str) -> bool:
    """Record a block or its lifting as of ``at`` (see :func:`event_order`); False when a later one is recorded."""
    return directory.set_block(blocker, blocked, blocking=blocking, at=at)

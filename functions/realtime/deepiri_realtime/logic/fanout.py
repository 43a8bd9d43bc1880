"""Domain events → frames on channels → the connections subscribed and allowed, in parallel batches.

Where each pushed event goes:

- XpAwarded, LevelUp, BadgeEarned, StreakUpdated, NotificationCreated: ``user:<data.userId>``;
- TaskUpdated: ``user:<ownerId>``, and ``project:<projectId>`` for a project's task;
- DuelInvited: ``user:<opponentId>`` (the invitee); DuelStarted, DuelProgressed, DuelFinished: ``duel:<duelId>``;
- PresenceUpdated: the user's own ``user:`` channel and each friend's.

The frame's ``id`` is the event id, so a client drops a duplicate; ``ts`` is when the event happened.
A connection is pushed to only if it is subscribed to the channel and its user may receive the channel
now (a member removed since subscribing gets nothing). Delivery is best effort: a connection that is
gone (410) is forgotten at once, never retried; the event stays in the services that own it.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from deepiri_common.events import ReceivedEvent
from deepiri_realtime.logic.channels import allowed_users, friends_of
from deepiri_realtime.logic.ports import Realtime
from deepiri_realtime.models.channels import is_channel, user_channel
from deepiri_realtime.models.messages import Frame, FrameType

FRAME_TYPES: dict[str, FrameType] = {
    "XpAwarded": "xp.awarded", "LevelUp": "level.up", "BadgeEarned": "badge.earned",
    "StreakUpdated": "streak.updated", "NotificationCreated": "notification", "TaskUpdated": "task.updated",
    "DuelInvited": "duel.update", "DuelStarted": "duel.update", "DuelProgressed": "duel.update",
    "DuelFinished": "duel.update", "PresenceUpdated": "presence",
}
DUEL_KINDS = {"DuelInvited": "invited", "DuelStarted": "started", "DuelProgressed": "progressed",
              "DuelFinished": "finished"}


def channels_for(event: ReceivedEvent, friends: Iterable[str] = ()) -> list[str]:
    """The channels ``event`` is pushed on (``friends``: the user's friends, for a presence change)."""
    kind, data = event.detail_type, event.detail.data
    if kind == "TaskUpdated":
        project = data.get("projectId")
        return [user_channel(str(data["ownerId"]))] + ([f"project:{project}"] if project else [])
    if kind == "DuelInvited":
        return [user_channel(str(data["opponentId"]))]
    if kind in DUEL_KINDS:
        return [f"duel:{data['duelId']}"]
    if kind == "PresenceUpdated":
        return [user_channel(str(data["userId"]))] + [user_channel(f) for f in sorted(friends)]
    return [user_channel(str(data["userId"]))]


def frame_for(event: ReceivedEvent, channel: str) -> Frame:
    """The frame a client receives for ``event`` on ``channel``."""
    data: dict[str, Any] = dict(event.detail.data)
    if event.detail_type in DUEL_KINDS:
        data["kind"] = DUEL_KINDS[event.detail_type]
    return Frame(type=FRAME_TYPES[event.detail_type], id=event.detail.id, ts=event.detail.occurredAt,
                 channel=channel, data=data)


def push_frame(s: Realtime, frame: Frame, *, exclude: str | None = None) -> int:
    """Push ``frame`` to every connection subscribed to its channel whose user may receive it (except
    ``exclude``), in parallel on the bounded pool; forget connections that are gone. Returns pushes made."""
    # Every pushed frame names its channel; a frame without one (no caller sends it) names no channel
    # and is refused by ``parse_channel`` whatever stands in for it here ("XXXX" is equivalent).
    channel = frame.channel or ""
    allowed = allowed_users(s, channel)
    targets = [sub.connectionId for sub in s.connections.subscribers(channel)
               if sub.userId in allowed and sub.connectionId != exclude]
    return push_to(s, targets, frame.encode())


def push_to(s: Realtime, connection_ids: list[str], payload: bytes) -> int:
    """Send ``payload`` to each connection in parallel; a gone one is forgotten. Returns pushes made."""

    def send(connection_id: str) -> bool:
        try:
            s.pusher.send(connection_id, payload)
        except s.gone:
            s.connections.remove(connection_id)
            return False
        return True

    return sum(s.pool.map(send, connection_ids))


def fan_out(s: Realtime, event: ReceivedEvent) -> int:
    """Push ``event`` on each of its channels; returns the pushes made. An id that cannot name a channel
    (empty, or with characters no service issues) has no subscribers: nothing is pushed for it."""
    friends = friends_of(s, str(event.detail.data["userId"])) if event.detail_type == "PresenceUpdated" else ()
    channels = [channel for channel in channels_for(event, friends) if is_channel(channel)]
    return sum(push_frame(s, frame_for(event, channel)) for channel in channels)

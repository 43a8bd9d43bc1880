"""Realtime's copy of who may join which channel, kept from other services' events.

- tasks: ProjectCreated (the owner), MemberAdded, MemberRemoved, ProjectDeleted (everyone) → ``project:<id>``;
- challenges: DuelInvited and DuelStarted (``participantIds``) → ``duel:<duelId>`` (and ``challenge:<id>``
  when the event names its challenge);
- users: FriendshipAccepted and FriendshipEnded (``userIds``) → each one's ``friends:<id>``; UserDeleted
  ends the deleted user's friendships (their projects' memberships end through the tasks service's
  MemberRemoved).

Each right records the time of the event that decided it, so events delivered out of order end as the
latest one says, and delivering one twice changes nothing.
"""

from __future__ import annotations

from deepiri_common.events import ReceivedEvent
from deepiri_realtime.logic.ports import Rights

RIGHTS_EVENTS = ("ProjectCreated", "MemberAdded", "MemberRemoved", "ProjectDeleted", "DuelInvited",
                 "DuelStarted", "FriendshipAccepted", "FriendshipEnded", "UserDeleted")


def apply_rights(rights: Rights, event: ReceivedEvent) -> None:
    """Record what ``event`` says about channel rights (nothing for other events)."""
    kind, data, at = event.detail_type, event.detail.data, event.detail.occurredAt
    if kind == "ProjectCreated":
        rights.record(f"project:{data['projectId']}", str(data["ownerId"]), True, at)
    elif kind in ("MemberAdded", "MemberRemoved"):
        rights.record(f"project:{data['projectId']}", str(data["userId"]), kind == "MemberAdded", at)
    elif kind == "ProjectDeleted":
        for user_id in {str(data["ownerId"]), *map(str, data.get("memberIds") or [])}:
            rights.record(f"project:{data['projectId']}", user_id, False, at)
    elif kind in ("DuelInvited", "DuelStarted"):
        challenge = data.get("challengeId")
        channels = [f"duel:{data['duelId']}"] + ([f"challenge:{challenge}"] if challenge else [])
        for channel in channels:
            for user_id in map(str, data["participantIds"]):
                rights.record(channel, user_id, True, at)
    elif kind in ("FriendshipAccepted", "FriendshipEnded") and len(set(data["userIds"])) == 2:
        first, second = map(str, data["userIds"])
        rights.record(f"friends:{first}", second, kind == "FriendshipAccepted", at)
        rights.record(f"friends:{second}", first, kind == "FriendshipAccepted", at)
    elif kind == "UserDeleted":
        gone = str(data["userId"])
        for friend in rights.holders(f"friends:{gone}"):
            rights.record(f"friends:{gone}", friend, False, at)
            rights.record(f"friends:{friend}", gone, False, at)

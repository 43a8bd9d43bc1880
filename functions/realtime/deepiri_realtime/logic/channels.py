"""Who may join a channel.

``user:<id>``: only that user. ``project:<id>``: the project's members (realtime's copy of the tasks
service's membership). ``challenge:<id>`` and ``duel:<id>``: the participants (from the challenges
service's duel events). ``room:<id>``: a project room's project members, or the friends a user room's
owner invited (and the owner). A channel that does not exist is refused like a forbidden one, so a
refusal never tells whether it exists. The same rule decides every subscribe and every push.
"""

from __future__ import annotations

from deepiri_realtime.logic.ports import Realtime
from deepiri_realtime.models.channels import parse_channel


def _deciding_channel(s: Realtime, channel: str) -> str | None:
    """The channel whose rights decide ``channel`` (None: nobody may join it)."""
    kind, ident = parse_channel(channel)
    if kind != "room":
        return channel
    room = s.rooms.get(ident)
    if room is None:
        return None
    return f"project:{room.projectId}" if room.projectId else channel


def may_join(s: Realtime, channel: str, user_id: str) -> bool:
    """Whether ``user_id`` may subscribe to (and receive from) ``channel``."""
    kind, ident = parse_channel(channel)
    if kind == "user":
        return ident == user_id
    deciding = _deciding_channel(s, channel)
    return deciding is not None and s.rights.holds(deciding, user_id)


def allowed_users(s: Realtime, channel: str) -> set[str]:
    """Every user who may receive ``channel``'s frames now (checked on each push)."""
    kind, ident = parse_channel(channel)
    if kind == "user":
        return {ident}
    deciding = _deciding_channel(s, channel)
    return s.rights.holders(deciding) if deciding else set()


def friends_of(s: Realtime, user_id: str) -> set[str]:
    return s.rights.holders(f"friends:{user_id}")

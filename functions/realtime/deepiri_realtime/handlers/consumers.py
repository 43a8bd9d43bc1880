"""Bus events → the realtime service: frames pushed to subscribed connections, channel rights kept up to
date, and connections closed when their user's sessions end (SQS batch, idempotent per event id)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from deepiri_common.consumers import Consumes, make_event_consumer
from deepiri_common.events import ReceivedEvent
from deepiri_common.observability import logger
from deepiri_common.settings import load_settings
from deepiri_realtime import wiring
from deepiri_realtime.logic.fanout import FRAME_TYPES, fan_out
from deepiri_realtime.logic.rights import RIGHTS_EVENTS, apply_rights
from deepiri_realtime.logic.sessions import end_user_sessions
from deepiri_realtime.models.events import (
    AboutUser,
    DuelChange,
    DuelInvitation,
    Friendship,
    PresenceChange,
    ProjectGone,
    ProjectMember,
    ProjectOwner,
    TaskChange,
    UserSessionsEnd,
)
from deepiri_realtime.settings import RealtimeSettings

ENDS_SESSIONS = ("SessionsRevoked", "UserDeleted")

# What this consumer reads; the contract tests check each model against its producer's schema, and the
# RealtimeEventsRule's detail-types against these keys.
CONSUMES: Consumes = {
    **dict.fromkeys(("XpAwarded", "LevelUp", "BadgeEarned", "StreakUpdated", "NotificationCreated"), AboutUser),
    "TaskUpdated": TaskChange,
    "DuelInvited": DuelInvitation,
    **dict.fromkeys(("DuelStarted", "DuelProgressed", "DuelFinished"), DuelChange),
    "PresenceUpdated": PresenceChange,
    "ProjectCreated": ProjectOwner,
    **dict.fromkeys(("MemberAdded", "MemberRemoved"), ProjectMember),
    "ProjectDeleted": ProjectGone,
    **dict.fromkeys(("FriendshipAccepted", "FriendshipEnded"), Friendship),
    **dict.fromkeys(ENDS_SESSIONS, UserSessionsEnd),
}


def handle_event(event: ReceivedEvent, data: BaseModel) -> None:
    s = wiring.realtime()
    kind = event.detail_type
    if kind in RIGHTS_EVENTS:
        apply_rights(s.rights, event)
    if kind in ENDS_SESSIONS:
        closed = end_user_sessions(s, str(event.detail.data["userId"]))
        logger.info("sessions ended", extra={"event": kind, "eventId": event.detail.id, "closed": closed})
    if kind in FRAME_TYPES:
        pushes = fan_out(s, event)
        logger.info("pushed", extra={"event": kind, "eventId": event.detail.id, "pushes": pushes})


handler: Any = make_event_consumer(
    handle_event, consumes=CONSUMES,
    idempotency_table=lambda: load_settings(RealtimeSettings).idempotency_table, service="realtime")

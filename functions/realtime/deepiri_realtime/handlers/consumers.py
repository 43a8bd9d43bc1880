"""Bus events → the recipients' live WebSocket connections (SQS batch, idempotent per event id)."""

from __future__ import annotations

from typing import Any

from deepiri_common.consumers import Consumes, make_event_consumer
from deepiri_common.events import ReceivedEvent
from deepiri_common.observability import logger
from deepiri_common.settings import load_settings
from deepiri_realtime.dal.push import ConnectionGone
from deepiri_realtime.dependencies import connections, pusher
from deepiri_realtime.logic.fanout import fan_out
from deepiri_realtime.models.events import Recipients
from deepiri_realtime.settings import RealtimeSettings

PUSHED = (
    "NotificationCreated", "XpAwarded", "LevelUp", "BadgeEarned", "StreakUpdated", "TaskUpdated",
    "DuelInvited", "DuelStarted", "DuelProgressed", "DuelFinished", "PresenceUpdated",
)
# What this consumer reads; the contract tests check the model against each producer's schema, and the
# RealtimeEventsRule's detail-types against these keys.
CONSUMES: Consumes = dict.fromkeys(PUSHED, Recipients)


def push_event(event: ReceivedEvent, data: Recipients) -> None:
    delivered = fan_out(event, connections(), pusher(), ConnectionGone)
    logger.info("pushed", extra={"event": event.detail_type, "eventId": event.detail.id, "pushes": delivered})


handler: Any = make_event_consumer(
    push_event, consumes=CONSUMES,
    idempotency_table=lambda: load_settings(RealtimeSettings).idempotency_table, service="realtime")

"""Deleted tasks, deleted users, friendships, users' settings and forwarded duel progress (SQS batch)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from deepiri_challenges import wiring
from deepiri_challenges.logic import intake
from deepiri_challenges.models.events import (
    DuelProgressReportedData,
    FriendshipAcceptedData,
    FriendshipEndedData,
    TaskDeletedData,
    UserDeletedData,
    UserSettingsData,
)
from deepiri_common.clock import utc_now
from deepiri_common.consumers import Consumes, make_event_consumer
from deepiri_common.events import ReceivedEvent
from deepiri_common.observability import logger

# What this consumer reads; the contract tests check each model against its producer's schema, and the
# ChallengesEvents application's detail-types against these keys.
CONSUMES: Consumes = {
    "TaskDeleted": TaskDeletedData,
    "UserDeleted": UserDeletedData,
    "FriendshipAccepted": FriendshipAcceptedData,
    "FriendshipEnded": FriendshipEndedData,
    "UserRegistered": UserSettingsData,
    "UserSettingsChanged": UserSettingsData,
    "DuelProgressReported": DuelProgressReportedData,
}


def handle(event: ReceivedEvent, data: BaseModel) -> None:
    outcome = intake.apply(wiring.challenge_repository(), data, event.detail.occurredAt, utc_now())
    logger.info("handled", extra={"event": event.detail_type, "eventId": event.detail.id, **outcome})


handler: Any = make_event_consumer(
    handle, consumes=CONSUMES,
    idempotency_table=lambda: wiring.settings().idempotency_table, service="challenges")

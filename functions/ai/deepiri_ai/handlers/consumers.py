"""Users' settings events → the AI service's copy of their timezone; deleted users → forgotten (SQS batch)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from deepiri_ai import wiring
from deepiri_ai.logic import profiles
from deepiri_ai.models.profiles import UserDeletedData, UserSettingsData
from deepiri_common.consumers import Consumes, make_event_consumer
from deepiri_common.events import ReceivedEvent
from deepiri_common.observability import logger

# What this consumer reads; the contract tests check each model against its producer's schema, and the
# AiEvents application's detail-types against these keys.
CONSUMES: Consumes = {
    "UserRegistered": UserSettingsData,
    "UserSettingsChanged": UserSettingsData,
    "UserDeleted": UserDeletedData,
}


def handle(event: ReceivedEvent, data: BaseModel) -> None:
    repository = wiring.profile_repository()
    extra: dict[str, Any] = {"event": event.detail_type, "eventId": event.detail.id}
    if isinstance(data, UserSettingsData):
        extra["applied"] = profiles.settings_changed(repository, event.detail.id, event.detail.occurredAt, data)
    elif isinstance(data, UserDeletedData):
        profiles.forget(repository, data.userId)
        extra["deleted"] = True
    logger.info("handled", extra=extra)


handler: Any = make_event_consumer(
    handle, consumes=CONSUMES,
    idempotency_table=lambda: wiring.settings().idempotency_table, service="ai")

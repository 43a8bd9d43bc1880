"""TaskCompleted (SQS batch): an imported task's completion is written back to its provider;
IntegrationChangeNotified: an item a webhook named is read back and imported. UserRegistered and
UserSettingsChanged: the user's timezone, kept to place all-day calendar events."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from deepiri_common.clock import parse_iso, utc_now
from deepiri_common.consumers import Consumes, make_event_consumer
from deepiri_common.events import ReceivedEvent
from deepiri_common.observability import logger
from deepiri_integrations import wiring
from deepiri_integrations.logic import notified, writeback
from deepiri_integrations.models.calendar import UserSettingsData
from deepiri_integrations.models.events import ChangeNotifiedData, TaskCompletedData

# What this consumer reads; the contract tests check each model against its producer's schema, and the
# IntegrationsEvents application's detail-types against these keys.
CONSUMES: Consumes = {
    "TaskCompleted": TaskCompletedData,
    "IntegrationChangeNotified": ChangeNotifiedData,
    "UserRegistered": UserSettingsData,
    "UserSettingsChanged": UserSettingsData,
}


def handle(event: ReceivedEvent, data: BaseModel) -> None:
    extra: dict[str, Any] = {"event": event.detail_type, "eventId": event.detail.id}
    if isinstance(data, TaskCompletedData):
        extra["outcome"] = writeback.task_completed(wiring.integrations(), data, utc_now(),
                                                    completed_at=parse_iso(event.detail.occurredAt))
    elif isinstance(data, ChangeNotifiedData):
        extra["outcome"] = notified.change_notified(wiring.integrations(), data, utc_now())
    elif isinstance(data, UserSettingsData):
        extra["kept"] = wiring.profiles().save(data.userId, data.timezone, event.detail.occurredAt, event.detail.id)
    logger.info("handled", extra=extra)


handler: Any = make_event_consumer(
    handle, consumes=CONSUMES,
    idempotency_table=lambda: wiring.settings().idempotency_table, service="integrations")

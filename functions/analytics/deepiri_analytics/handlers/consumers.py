"""Every domain event → the archive (unchanged, once per id) and its users' own event logs; the events read
models are built from → the read models, once per event id (SQS batch)."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ValidationError

from deepiri_analytics import wiring
from deepiri_analytics.logic import ingest
from deepiri_analytics.models import feed
from deepiri_common.consumers import Consumes, SqsRecord, make_event_consumer
from deepiri_common.events import ReceivedEvent, parse_bus_event
from deepiri_common.observability import logger

# The rule sends this service every event on the bus (READS_EVERY_EVENT: its rule has no detail-type
# filter): all are archived; these are also projected into the read models. The contract tests check each
# model against its producer's schema.
READS_EVERY_EVENT = True
CONSUMES: Consumes = {
    "UserRegistered": feed.DaySettingsData,
    "UserSettingsChanged": feed.DaySettingsData,
    "UserDeleted": feed.UserDeletedData,
    "TaskCreated": feed.TaskCreatedData,
    "TaskUpdated": feed.TaskUpdatedData,
    "TaskReopened": feed.TaskReopenedData,
    "TaskDeleted": feed.TaskDeletedData,
    "TaskCompleted": feed.TaskCompletedData,
    "TaskOverdue": feed.TaskOverdueData,
    "TimerStopped": feed.TimerStoppedData,
    "XpAwarded": feed.XpAwardedData,
    "ChallengeStarted": feed.ChallengeStartedData,
    "ChallengeCompleted": feed.ChallengeCompletedData,
    "StreakUpdated": feed.StreakUpdatedData,
    "ProjectCreated": feed.ProjectCreatedData,
    "MemberAdded": feed.MemberAddedData,
    "MemberRemoved": feed.MemberRemovedData,
}


def handle(event: ReceivedEvent, data: BaseModel) -> None:
    applied = ingest.project(wiring.read_models(), event, data)
    if isinstance(data, feed.UserDeletedData):
        ingest.forget(wiring.archive(), data, event.detail.occurredAt)
    logger.info("projected", extra={"event": event.detail_type, "eventId": event.detail.id, "applied": applied})


_read_models: Any = make_event_consumer(
    handle, consumes=CONSUMES,
    idempotency_table=lambda: wiring.settings().idempotency_table, service="analytics")


def _archived(raw: dict[str, Any]) -> bool:
    """Archive one record's event; False when it could not be kept now (retried). A body that is not a bus
    event is not archived: the read-model consumer dead-letters it."""
    record = SqsRecord.of(raw)
    try:
        event = parse_bus_event(json.loads(record.body))
    except (ValueError, ValidationError):
        return True
    try:
        ingest.keep(wiring.archive(), wiring.read_models(), event, record.body)
    except Exception as exc:  # noqa: BLE001 - any failure to keep it is transient: SQS delivers it again
        logger.warning("not archived; retried", extra={"eventId": event.detail.id}, exc_info=exc)
        return False
    return True


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Archive each record, then project those archived; a record not archived is retried whole."""
    records = event.get("Records") or []
    kept = [raw for raw in records if _archived(raw)]
    failed = [{"itemIdentifier": raw["messageId"]} for raw in records if raw not in kept]
    result = _read_models({**event, "Records": kept}, context)
    return {"batchItemFailures": failed + list(result["batchItemFailures"])}

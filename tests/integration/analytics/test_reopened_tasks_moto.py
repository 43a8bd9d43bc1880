"""A reopened task is open again in the read models, on moto, whatever order its events arrive in: each
of the 24 orders of four events (created, completed, reopened, then updated or completed again) is
delivered through the consumer to a user of its own, and the open-task rows must be the same."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from deepiri_analytics import wiring
from deepiri_analytics.handlers import consumers
from deepiri_analytics.models.rows import OpenTask
from deepiri_common.events import DomainEvent
from deepiri_common.ids import new_ulid
from tests.support import flows, template
from tests.support.lambda_context import FakeLambdaContext

CREATED, COMPLETED, REOPENED, LATER = (f"2026-03-0{day}T10:00:00.000Z" for day in (2, 3, 4, 5))


@pytest.fixture
def analytics(aws: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    with template.deployed(monkeypatch, wiring.reset, EVENT_BUS_NAME="EventBus", ANALYTICS_TABLE="AnalyticsTable",
                           ARCHIVE_BUCKET="AnalyticsArchiveBucket",
                           DEAD_LETTER_QUEUE_URL="AnalyticsEvents.DeadLetterQueue",
                           IDEMPOTENCY_TABLE="IdempotencyTable"):
        yield


def _event(kind: str, data: dict[str, Any], at: str) -> DomainEvent:
    event = DomainEvent.new("tasks", kind, data, actor=data["userId"])
    return event.model_copy(update={"detail": event.detail.model_copy(update={"occurredAt": at})})


def _lifecycle(user: str, task: str, last: str) -> list[DomainEvent]:
    """Created with a 20-minute estimate, completed, reopened (estimate 50 by then), then ``last``:
    "updated" (estimate 70) or "completed" again."""
    owner = {"taskId": task, "userId": user, "ownerId": user, "projectId": None}
    done = {**owner, "actorId": user, "category": "code", "difficulty": "easy", "priority": "medium",
            "efficiency": None, "onTime": None, "estimateMinutes": 20, "actualMinutes": 0, "source": "manual",
            "externalRef": None}
    ending = (_event("TaskUpdated", {**owner, "changed": ["estimateMinutes"], "values": {"estimateMinutes": 70},
                                     "assigneeIds": []}, LATER) if last == "updated" else
              _event("TaskCompleted", {**done, "firstCompletion": False, "completedAt": LATER}, LATER))
    return [
        _event("TaskCreated", {**owner, "title": "t", "status": "todo", "priority": "medium", "difficulty": "easy",
                               "category": "code", "assigneeIds": [], "dueAt": None, "source": "manual",
                               "estimateMinutes": 20}, CREATED),
        _event("TaskCompleted", {**done, "firstCompletion": True, "completedAt": COMPLETED}, COMPLETED),
        _event("TaskReopened", {**owner, "status": "in_progress", "category": "study", "dueAt": None,
                                "estimateMinutes": 50}, REOPENED),
        ending,
    ]


def _deliver_one_by_one(events: list[DomainEvent]) -> None:
    for event in events:
        assert consumers.handler(flows.sqs_of_events(event), FakeLambdaContext()) == {"batchItemFailures": []}


@pytest.mark.usefixtures("analytics")
@pytest.mark.parametrize("last", ["updated", "completed"])
def test_given_a_reopened_task_then_every_delivery_order_leaves_the_same_open_row(last: str) -> None:
    for order in itertools.permutations(range(4)):
        user, task = f"u-{new_ulid()}", new_ulid()
        events = _lifecycle(user, task, last)
        _deliver_one_by_one([events[i] for i in order])
        expected = [OpenTask(task, status="in_progress", category="study", estimateMinutes=70)] \
            if last == "updated" else []
        assert wiring.read_models().open_tasks(user) == expected, f"delivered in the order {order}"


@pytest.mark.usefixtures("analytics")
def test_given_a_task_closed_before_reopenings_were_recorded_then_changes_wait_and_a_reopening_opens_it() -> None:
    user, task = f"u-{new_ulid()}", new_ulid()
    boto3.client("dynamodb").put_item(TableName=wiring.settings().analytics_table,
                                      Item={"pk": {"S": f"USER#{user}"}, "sk": {"S": f"CLOSED#{task}"}})
    created, _, reopened, updated = _lifecycle(user, task, "updated")
    _deliver_one_by_one([created])
    assert wiring.read_models().open_tasks(user) == []  # closed: the change waits on the CLOSED# row
    _deliver_one_by_one([reopened, updated])
    assert [(t.status, t.category, t.estimateMinutes) for t in wiring.read_models().open_tasks(user)] == [
        ("in_progress", "study", 70)]

"""The challenges service on moto, built from template.yaml, reading real tasks through the tasks handler.

``call_route``'s Lambda invocation is replaced by a call of the tasks API handler in-process (with the
tasks table on the same moto), so a challenge is made from a task exactly as the tasks route answers it.
"""

from __future__ import annotations

import io
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from deepiri_challenges import wiring
from deepiri_challenges.dal.drafts import DraftTask
from deepiri_challenges.dal.tasks import TasksApi
from deepiri_challenges.handlers import api as challenges_api
from deepiri_challenges.handlers import consumers
from deepiri_challenges.models.challenges import StoredQuestion
from deepiri_common.events import DomainEvent
from deepiri_common.outbox import outbox_events
from deepiri_tasks import wiring as tasks_wiring
from deepiri_tasks.handlers import tasks
from tests.support import flows, template
from tests.support.apigw import rest_event
from tests.support.lambda_context import FakeLambdaContext


def invoke_tasks(*, FunctionName: str, InvocationType: str, Payload: bytes) -> dict[str, Any]:
    response = tasks.handler(json.loads(Payload), FakeLambdaContext())
    return {"StatusCode": 200, "Payload": io.BytesIO(json.dumps(response).encode())}


@dataclass
class FakeDrafts:
    """The AI draft function: questions whose correct answer is option ``n % 4``, or none (``able=False``)."""

    able: bool = True
    asked: list[tuple[str, str, int]] = field(default_factory=list)

    def questions(self, user_id: str, kind: str, task: DraftTask, count: int) -> list[StoredQuestion] | None:
        self.asked.append((user_id, kind, count))
        if not self.able:
            return None
        return [StoredQuestion(question=f"{task.title} #{n}?", options=["a", "b", "c", "d"], correctAnswer=n % 4,
                               points=10) for n in range(count)]


@dataclass
class Stack:
    created: dict[str, str]
    drafts: FakeDrafts

    def call(self, method: str, path: str, body: Any = None, *, user: str = "alice",
             query: dict[str, str] | None = None) -> tuple[int, Any]:
        event = rest_event(method, path, body=body, authorizer={"userId": user, "roles": "user"}, query=query,
                           resource=_resource(path))
        response = challenges_api.handler(event, FakeLambdaContext())
        raw = response.get("body") or ""
        return response["statusCode"], json.loads(raw) if raw else None

    def task(self, user: str = "alice", **fields: Any) -> dict[str, Any]:
        event = rest_event("POST", "/api/tasks", body={"title": "Write the quarterly report", **fields},
                           authorizer={"userId": user, "roles": "user"})
        response = tasks.handler(event, FakeLambdaContext())
        assert response["statusCode"] == 201, response["body"]
        return dict(json.loads(response["body"]))

    def read_task(self, task_id: str, user: str = "alice") -> dict[str, Any]:
        event = rest_event("GET", f"/api/tasks/{task_id}", authorizer={"userId": user, "roles": "user"},
                           resource="/api/tasks/{id}")
        return dict(json.loads(tasks.handler(event, FakeLambdaContext())["body"]))

    def generate(self, task_id: str, user: str = "alice", **fields: Any) -> dict[str, Any]:
        status, body = self.call("POST", "/api/challenges/generate", {"taskId": task_id, **fields}, user=user)
        assert status == 201, body
        return dict(body)

    def consume(self, *events: DomainEvent) -> None:
        assert consumers.handler(flows.sqs_of_events(*events), FakeLambdaContext()) == {"batchItemFailures": []}

    def events(self, detail_type: str) -> list[dict[str, Any]]:
        stream = flows.stream_event(self.created["ChallengesTable"])
        return [e.detail.data for e in outbox_events(stream["Records"]) if e.detail_type == detail_type]

    def befriend(self, first: str, second: str) -> None:
        self.consume(DomainEvent.new("users", "FriendshipAccepted", {
            "requesterId": first, "addresseeId": second, "userIds": [first, second]}, actor=first))


def _resource(path: str) -> str:
    parts = path.split("/")
    if len(parts) > 3 and parts[3] not in ("generate", "history", "stats", "duels", ""):
        parts[3] = "{id}"
    if len(parts) > 4 and parts[3] == "duels":
        parts[4] = "{id}"
    if len(parts) > 5 and parts[4] == "milestones":
        parts[5] = "{milestone}"
    return "/".join(parts)


@pytest.fixture
def stack(aws: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    def reset() -> None:
        wiring.reset()
        tasks_wiring.reset()

    with template.deployed(monkeypatch, reset, EVENT_BUS_NAME="EventBus", CHALLENGES_TABLE="ChallengesTable",
                           TASKS_TABLE="TasksTable", IDEMPOTENCY_TABLE="IdempotencyTable",
                           DEAD_LETTER_QUEUE_URL="ChallengesEvents.DeadLetterQueue") as created:
        drafts = FakeDrafts()
        wiring.use(tasks=TasksApi("deepiri-test-tasks-api", invoke=invoke_tasks), drafts=drafts,
                   rng=random.Random(11))
        yield Stack(created, drafts)

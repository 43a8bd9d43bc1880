"""The task handlers in-process against moto, with the tasks table and bus created from template.yaml."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from deepiri_common.outbox import outbox_events
from deepiri_common.settings import reset_settings_cache
from deepiri_tasks import wiring
from deepiri_tasks.handlers import tasks
from tests.support import flows, template
from tests.support.apigw import rest_event
from tests.support.lambda_context import FakeLambdaContext


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]


@dataclass
class Api:
    """Calls the task handlers as API Gateway would; records every DynamoDB operation they make."""

    created: dict[str, str]
    operations: list[str] = field(default_factory=list)

    def call(self, method: str, path: str, body: Any = None, *, user: str = "alice",
             headers: dict[str, str] | None = None, query: dict[str, str] | None = None,
             scopes: str | None = None, via: Any = tasks) -> Reply:
        """``via``: the handler module serving ``path`` (the task routes by default)."""
        authorizer: dict[str, Any] = {"userId": user, "roles": "user"}
        if scopes is not None:
            authorizer["scopes"] = scopes
        event = rest_event(method, path, body=body, headers=headers, authorizer=authorizer, query=query,
                           resource=_resource(path))
        response = via.handler(event, FakeLambdaContext())
        raw = response.get("body") or ""
        merged = {**{k: v[-1] for k, v in (response.get("multiValueHeaders") or {}).items() if v},
                  **(response.get("headers") or {})}
        return Reply(response["statusCode"], json.loads(raw) if raw else None, merged)

    def create(self, user: str = "alice", **fields: Any) -> dict[str, Any]:
        reply = self.call("POST", "/api/tasks", {"title": "Write the design doc", **fields}, user=user)
        assert reply.status == 201, reply.body
        return dict(reply.body)

    def events(self, detail_type: str) -> list[dict[str, Any]]:
        stream = flows.stream_event(self.created["TasksTable"])
        return [e.detail.data for e in outbox_events(stream["Records"]) if e.detail_type == detail_type]


def _resource(path: str) -> str:
    parts = path.split("/")
    if len(parts) > 3 and parts[3] and parts[3] != "graph":
        parts[3] = "{id}"
    if len(parts) > 5 and parts[4] == "versions":
        parts[5] = "{version}"
    if len(parts) > 5 and parts[4] == "dependencies":
        parts[5] = "{otherId}"
    return "/".join(parts)


def _reset() -> None:
    reset_settings_cache()
    wiring.reset()


@pytest.fixture
def api(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    created = template.create_env(monkeypatch, TASKS_TABLE="TasksTable", EVENT_BUS_NAME="EventBus")
    _reset()
    api = Api(created)
    wiring.dynamodb_client().meta.events.register(
        "before-call.dynamodb", lambda model, **_: api.operations.append(model.name)
    )
    yield api
    _reset()

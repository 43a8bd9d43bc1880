"""Another service reading a task through the tasks API function, as ``deepiri_common.internal`` invokes it.

The invocation is replaced by a call of the real tasks handler in-process, so these tests hold the
synthesised proxy event to what the tasks resolver accepts, and show that the owner's authorization
decides: the task's owner reads it, anybody else gets the tasks service's own 404.
"""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from deepiri_common.identity import Caller
from deepiri_common.internal import UpstreamFailed, call_route
from deepiri_tasks.handlers import tasks
from tests.integration.tasks.conftest import Api
from tests.support.lambda_context import FakeLambdaContext


def _tasks_function(invoked: list[str]) -> Any:
    def invoke(*, FunctionName: str, InvocationType: str, Payload: bytes) -> dict[str, Any]:
        invoked.append(FunctionName)
        assert InvocationType == "RequestResponse"
        response = tasks.handler(json.loads(Payload), FakeLambdaContext())
        return {"StatusCode": 200, "Payload": io.BytesIO(json.dumps(response).encode())}

    return invoke


def test_the_owner_reads_the_task_through_its_route(api: Api) -> None:
    task = api.create(user="alice", title="Write the quarterly report")
    invoked: list[str] = []
    status, body = call_route(
        "deepiri-dev-tasks-api",
        "GET",
        f"/api/tasks/{task['id']}",
        caller=Caller(user_id="alice"),
        invoke=_tasks_function(invoked),
    )
    assert status == 200
    assert body["id"] == task["id"]
    assert body["title"] == "Write the quarterly report"
    assert invoked == ["deepiri-dev-tasks-api"]


def test_another_user_gets_the_tasks_services_404(api: Api) -> None:
    task = api.create(user="alice")
    status, body = call_route(
        "deepiri-dev-tasks-api",
        "GET",
        f"/api/tasks/{task['id']}",
        caller=Caller(user_id="mallory"),
        invoke=_tasks_function([]),
    )
    assert status == 404
    assert body["status"] == 404


def test_query_parameters_reach_the_route(api: Api) -> None:
    for title in ("one", "two", "three"):
        api.create(user="alice", title=title)
    status, body = call_route(
        "deepiri-dev-tasks-api",
        "GET",
        "/api/tasks",
        caller=Caller(user_id="alice"),
        query={"limit": "2"},
        invoke=_tasks_function([]),
    )
    assert status == 200
    assert len(body["items"]) == 2
    assert body["nextCursor"]


def test_a_scoped_token_keeps_its_scopes(api: Api) -> None:
    task = api.create(user="alice")
    status, _ = call_route(
        "deepiri-dev-tasks-api",
        "GET",
        f"/api/tasks/{task['id']}",
        caller=Caller(user_id="alice", scopes=frozenset({"profile:read"})),
        invoke=_tasks_function([]),
    )
    assert status == 403


def test_a_function_error_is_an_upstream_failure() -> None:
    def failing(**_: Any) -> dict[str, Any]:
        return {"StatusCode": 200, "FunctionError": "Unhandled", "Payload": io.BytesIO(b"{}")}

    with pytest.raises(UpstreamFailed) as raised:
        call_route("deepiri-dev-tasks-api", "GET", "/api/tasks", caller=Caller(user_id="alice"), invoke=failing)
    assert raised.value.status == 502
    assert raised.value.detail == "tasks failed"


def test_an_answer_that_is_not_json_is_an_upstream_failure() -> None:
    def garbled(**_: Any) -> dict[str, Any]:
        return {"StatusCode": 200, "Payload": io.BytesIO(b"<html>")}

    with pytest.raises(UpstreamFailed):
        call_route("deepiri-dev-tasks-api", "GET", "/api/tasks", caller=Caller(user_id="alice"), invoke=garbled)

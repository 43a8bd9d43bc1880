"""The invoke-only seeding function against moto: a tasks API request made as a user at a past instant runs
the routes' own logic and outbox with that clock, and nothing else about the request changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from deepiri_common.clock import parse_iso, utc_now
from deepiri_common.ids import new_ulid
from deepiri_common.outbox import outbox_events
from deepiri_tasks.handlers import seed
from tests.integration.tasks.conftest import Api
from tests.support import flows, template
from tests.support.lambda_context import FakeLambdaContext

ANN, BEN = new_ulid(), new_ulid()


def _seed(user: str, at: datetime | str, method: str, path: str, body: Any = None) -> dict[str, Any]:
    step = {"userId": user, "at": at if isinstance(at, str) else at.isoformat(), "method": method, "path": path}
    if body is not None:
        step["body"] = body
    return seed.handler(step, FakeLambdaContext())


def _events(api: Api) -> list[Any]:
    return outbox_events(flows.stream_event(api.created["TasksTable"])["Records"])


def _days_ago(days: int, hour: int = 9) -> datetime:
    return (utc_now() - timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)


def test_given_a_past_instant_when_a_task_is_created_timed_and_completed_then_state_and_events_carry_it(
        api: Api) -> None:
    created_at, started, stopped, done = _days_ago(12), _days_ago(12, 10), _days_ago(12, 11), _days_ago(12, 12)

    made = _seed(ANN, created_at, "POST", "/api/tasks", {"title": "Draft the plan", "estimateMinutes": 60})
    assert made["statusCode"] == 201, made
    task_id = made["body"]["id"]
    assert parse_iso(made["body"]["createdAt"]) == created_at
    assert _seed(ANN, started, "POST", f"/api/tasks/{task_id}/timer/start")["statusCode"] == 200
    interval = _seed(ANN, stopped, "POST", f"/api/tasks/{task_id}/timer/stop")
    assert interval["statusCode"] == 200 and interval["body"]["minutes"] == 60
    completed = _seed(ANN, done, "POST", f"/api/tasks/{task_id}/complete", {})
    assert completed["statusCode"] == 200, completed
    assert parse_iso(completed["body"]["task"]["completedAt"]) == done
    assert completed["body"]["task"]["actualMinutes"] == 60

    occurred = {(e.detail_type, parse_iso(e.detail.occurredAt)) for e in _events(api)}
    assert ("TaskCreated", created_at) in occurred
    assert ("TimerStopped", stopped) in occurred
    assert ("TaskCompleted", done) in occurred
    completion = next(e for e in _events(api) if e.detail_type == "TaskCompleted")
    assert parse_iso(completion.detail.data["completedAt"]) == done
    # after the step the clock is real again
    assert abs(utc_now() - datetime.now(UTC)) < timedelta(seconds=5)


def test_given_another_users_task_when_seeded_as_someone_else_then_404_as_over_http(api: Api) -> None:
    task_id = _seed(ANN, _days_ago(3), "POST", "/api/tasks", {"title": "Ann's own"})["body"]["id"]

    answer = _seed(BEN, _days_ago(2), "POST", f"/api/tasks/{task_id}/complete", {})

    assert answer["statusCode"] == 404
    assert not [e for e in _events(api) if e.detail_type == "TaskCompleted"]


def test_given_a_project_step_then_the_projects_routes_serve_it_at_that_instant(api: Api) -> None:
    at = _days_ago(20)

    made = _seed(ANN, at, "POST", "/api/projects", {"name": "Launch"})

    assert made["statusCode"] == 201, made
    assert parse_iso(made["body"]["createdAt"]) == at
    assert ("ProjectCreated", at) in {(e.detail_type, parse_iso(e.detail.occurredAt)) for e in _events(api)}


@pytest.mark.parametrize(("change", "named"), [
    ({"at": timedelta(minutes=5)}, "future"),
    ({"at": -timedelta(days=401)}, "400 days"),
    ({"at": "2026-11-02T09:00:00"}, "at"),
    ({"path": "/api/users/me"}, "path"),
    ({"path": "/api/tasks/../../api/users"}, "path"),
    ({"userId": "alice"}, "userId"),
    ({"method": "PUT"}, "method"),
    ({"roles": "admin"}, "roles"),
])
def test_given_a_step_out_of_bounds_then_422_naming_why_and_nothing_written(
        api: Api, change: dict[str, Any], named: str) -> None:
    step = {"userId": ANN, "at": _days_ago(1).isoformat(), "method": "POST", "path": "/api/tasks",
            "body": {"title": "Never"}, **change}
    if isinstance(step["at"], timedelta):  # an offset from now, taken when the test runs
        step["at"] = (utc_now() + step["at"]).isoformat()

    answer = seed.handler(step, FakeLambdaContext())

    assert answer["statusCode"] == 422 and named in answer["body"]["detail"]
    assert _events(api) == []


def test_given_the_template_then_no_route_reaches_the_seeding_function() -> None:
    function = template.template()["Resources"]["TasksSeedFunction"]["Properties"]

    assert function["Handler"] == "deepiri_tasks.handlers.seed.handler"
    assert "Events" not in function
    assert not any(
        "seed" in str(resource.get("Properties", {}).get("Handler", "")) and resource["Properties"].get("Events")
        for resource in template.template()["Resources"].values())

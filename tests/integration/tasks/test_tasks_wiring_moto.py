"""The core's task writes together with the extras: blockers hold a task back from done, and every due
date a task write sets reaches the reminder job's due index."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from deepiri_tasks.handlers import dependencies_graph, reminders
from tests.integration.tasks.conftest import Api
from tests.support.lambda_context import FakeLambdaContext


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def test_given_an_open_blocker_when_moving_the_task_to_done_any_way_then_409_names_it(api: Api) -> None:
    # Given task a blocked by task b (an ordering edge added through the dependencies route)
    a, b = api.create(title="Ship it"), api.create(title="Review it")
    edge = api.call("POST", f"/api/tasks/{a['id']}/dependencies", {"dependsOn": b["id"], "type": "blocks"},
                    via=dependencies_graph)
    assert edge.status == 201, edge.body
    path = f"/api/tasks/{a['id']}"

    # When a is completed, or moved to done by status change or PATCH, then 409 names b
    completed = api.call("POST", f"{path}/complete", {})
    assert completed.status == 409 and completed.body["openBlockers"] == [b["id"]]
    assert b["id"] in completed.body["detail"]
    assert api.call("POST", f"{path}/status", {"status": "in_progress"}).status == 200
    assert api.call("POST", f"{path}/status", {"status": "review"}).status == 200
    moved = api.call("POST", f"{path}/status", {"status": "done"})
    assert moved.status == 409 and moved.body["openBlockers"] == [b["id"]]
    patched = api.call("PATCH", path, {"status": "done", "version": 3})
    assert patched.status == 409 and patched.body["openBlockers"] == [b["id"]]
    assert api.call("GET", path).body["status"] == "review" and api.events("TaskCompleted") == []

    # When b is done, then a completes
    assert api.call("POST", f"/api/tasks/{b['id']}/complete", {}).status == 200
    done = api.call("POST", f"{path}/complete", {})
    assert done.status == 200 and done.body["task"]["status"] == "done"


def test_given_a_task_created_due_soon_when_the_reminder_job_runs_twice_then_one_task_due_soon(api: Api) -> None:
    # Given a task created through the API, due in 30 minutes (inside the default 60-minute lead)
    task = api.create(title="Call the bank", dueAt=_iso(datetime.now(UTC) + timedelta(minutes=30)))

    # When the reminder job runs twice
    first = reminders.handler({}, FakeLambdaContext())
    again = reminders.handler({}, FakeLambdaContext())

    # Then exactly one TaskDueSoon went through the outbox
    assert (first["dueSoon"], again["dueSoon"]) == (1, 0)
    assert [e["taskId"] for e in api.events("TaskDueSoon")] == [task["id"]]


def test_given_a_due_date_set_by_patch_when_the_job_runs_then_it_is_reminded_once(api: Api) -> None:
    # Given a task created without a due date, then given one 20 minutes away by PATCH
    task = api.create(title="Patched")
    due = datetime.now(UTC) + timedelta(minutes=20)
    assert api.call("PATCH", f"/api/tasks/{task['id']}", {"dueAt": _iso(due), "version": 1}).status == 200

    # When the job runs twice, then one TaskDueSoon at the due date
    assert [reminders.handler({}, FakeLambdaContext())["dueSoon"] for _ in range(2)] == [1, 0]
    assert [(e["taskId"], e["dueAt"]) for e in api.events("TaskDueSoon")] == [(task["id"], _iso(due)[:23] + "Z")]

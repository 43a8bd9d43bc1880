"""Task extras in-process against moto: dependencies and blockers, comments, attachments, timers, reminders."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, quote_plus, urlparse

import boto3
import pytest

from deepiri_common.clock import to_iso
from deepiri_common.ids import new_ulid
from deepiri_common.outbox import outbox_events
from deepiri_common.settings import reset_settings_cache
from deepiri_tasks import wiring
from deepiri_tasks.dal.items import task_item
from deepiri_tasks.dal.reminders import due_index_put
from deepiri_tasks.handlers import attachments, comments, dependencies_graph, reminders, timers, uploads
from deepiri_tasks.models.tasks import Task
from tests.support import flows, template
from tests.support.apigw import rest_event
from tests.support.lambda_context import FakeLambdaContext

BUCKET = "deepiri-test-attachments"
PROJECT = new_ulid()


@pytest.fixture
def table(aws, monkeypatch) -> str:
    created = template.create("TasksTable", "EventBus")
    boto3.client("s3", region_name=template.REGION).create_bucket(Bucket=BUCKET)
    monkeypatch.setenv("EVENT_BUS_NAME", created["EventBus"])
    monkeypatch.setenv("TASKS_TABLE", created["TasksTable"])
    monkeypatch.setenv("ATTACHMENTS_BUCKET", BUCKET)
    _reset()
    db = boto3.client("dynamodb", region_name=template.REGION)
    db.put_item(TableName=created["TasksTable"], Item={"pk": {"S": f"PROJECT#{PROJECT}"}, "sk": {"S": "PROJECT"},
                                                       "archived": {"BOOL": False}})
    for user, role in (("alice", "owner"), ("bob", "member"), ("vic", "viewer")):
        db.put_item(TableName=created["TasksTable"], Item={
            "pk": {"S": f"PROJECT#{PROJECT}"}, "sk": {"S": f"MEMBER#{user}"}, "userId": {"S": user},
            "role": {"S": role}, "joinedAt": {"S": "2026-01-01T00:00:00.000Z"}})
    yield created["TasksTable"]
    _reset()


def _reset() -> None:
    wiring.reset()
    reset_settings_cache()


def make_task(table: str, owner: str = "alice", project: str | None = None, status: str = "todo",
              estimate: int | None = None, due: datetime | None = None, title: str = "task") -> str:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    task = Task(id=new_ulid(), ownerId=owner, projectId=project, title=title, status=status,  # type: ignore[arg-type]
                estimateMinutes=estimate, dueAt=due, createdAt=now, updatedAt=now)
    db = boto3.client("dynamodb", region_name=template.REGION)
    writes = [{"Put": {"TableName": table, "Item": task_item(task)}}]
    if due is not None:
        writes += due_index_put(table, task.id, to_iso(due))
    db.transact_write_items(TransactItems=writes)
    return task.id


def call(module: Any, method: str, path: str, resource: str, caller: str = "alice", body: Any = None,
         params: dict[str, str] | None = None, query: dict[str, str] | None = None) -> tuple[int, Any]:
    event = rest_event(method, path, body=body, resource=resource, path_params=params, query=query,
                       authorizer={"userId": caller, "roles": "user"})
    response = module.handler(event, FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"]) if response.get("body") else None


def depend(task: str, on: str, kind: str = "blocks", caller: str = "alice") -> tuple[int, Any]:
    return call(dependencies_graph, "POST", f"/api/tasks/{task}/dependencies", "/api/tasks/{id}/dependencies",
                caller, body={"dependsOn": on, "type": kind}, params={"id": task})


def published(table: str) -> list[tuple[str, dict[str, Any]]]:
    return [(e.detail_type, e.detail.data) for e in outbox_events(flows.stream_event(table)["Records"])]


def test_given_a_blocker_when_closing_a_cycle_then_409_names_it_and_open_blockers_are_listed(table) -> None:
    # Given a depends on b, b on c (c is done)
    a, b = make_task(table, estimate=30), make_task(table, estimate=60)
    c = make_task(table, status="done", estimate=10)
    assert depend(a, b)[0] == 201
    assert depend(b, c, "precedes")[0] == 201
    # When c would depend on a
    status, problem = depend(c, a, "subtask")
    # Then 409 names the cycle; a related edge is fine
    assert status == 409 and problem["cycle"] == [c, a, b, c]
    assert depend(c, a, "related")[0] == 201
    # And a's open blockers are b (c is done); b has none
    check = wiring.blocker_check()
    assert check.open_blockers(a) == [b] and check.open_blockers(b) == []
    # And both directions are listed, the graph orders and measures the chain
    status, listing = call(dependencies_graph, "GET", f"/api/tasks/{b}/dependencies", "/api/tasks/{id}/dependencies",
                           params={"id": b})
    assert [d["dependsOn"] for d in listing["dependsOn"]] == [c] and [d["taskId"] for d in listing["dependents"]] == [a]
    status, body = call(dependencies_graph, "GET", "/api/tasks/graph", "/api/tasks/graph")
    assert status == 200 and body["topologicalOrder"] == [c, b, a]
    assert body["criticalPath"] == [c, b, a] and body["criticalPathMinutes"] == 100
    # And a stranger sees nothing; removing an edge twice is 404 the second time
    assert depend(a, c, caller="mallory")[0] == 404
    path = f"/api/tasks/{a}/dependencies/{b}"
    resource = "/api/tasks/{id}/dependencies/{otherId}"
    assert call(dependencies_graph, "DELETE", path, resource, params={"id": a, "otherId": b})[0] == 204
    assert call(dependencies_graph, "DELETE", path, resource, params={"id": a, "otherId": b})[0] == 404
    assert check.open_blockers(a) == []


def test_given_a_project_task_when_commenting_with_mentions_then_task_commented_names_members_only(table) -> None:
    task = make_task(table, project=PROJECT)
    path, resource = f"/api/tasks/{task}/comments", "/api/tasks/{id}/comments"
    # When bob comments mentioning alice, a stranger and himself
    status, comment = call(comments, "POST", path, resource, "bob", body={"body": "@alice @mallory @bob see"},
                           params={"id": task})
    assert status == 201 and comment["mentionedUserIds"] == ["alice"]
    # Then TaskCommented went through the outbox with the owner as userId
    assert published(table) == [("TaskCommented", {
        "taskId": task, "commentId": comment["id"], "authorId": "bob", "mentionedUserIds": ["alice"],
        "projectId": PROJECT, "userId": "alice"})]
    # And only the author edits; a viewer cannot comment; the list pages oldest first
    item = f"{path}/{comment['id']}"
    item_resource = "/api/tasks/{id}/comments/{commentId}"
    ids = {"id": task, "commentId": comment["id"]}
    assert call(comments, "PATCH", item, item_resource, "alice", body={"body": "x"}, params=ids)[0] == 403
    edited = call(comments, "PATCH", item, item_resource, "bob", body={"body": "edited"}, params=ids)[1]
    assert edited["body"] == "edited"
    assert call(comments, "POST", path, resource, "vic", body={"body": "hi"}, params={"id": task})[0] == 403
    second = call(comments, "POST", path, resource, "alice", body={"body": "second"}, params={"id": task})[1]
    page = call(comments, "GET", path, resource, "vic", params={"id": task}, query={"limit": "1"})[1]
    assert [c["id"] for c in page["items"]] == [comment["id"]] and page["nextCursor"]
    page = call(comments, "GET", path, resource, "vic", params={"id": task},
                query={"limit": "1", "cursor": page["nextCursor"]})[1]
    assert [c["id"] for c in page["items"]] == [second["id"]]
    assert call(comments, "DELETE", item, item_resource, "bob", params=ids)[0] == 204
    assert call(comments, "GET", path, resource, "mallory", params={"id": task})[0] == 404


def test_given_an_upload_request_when_presigned_then_type_and_length_are_signed_and_delete_cleans_up(table) -> None:
    task = make_task(table)
    path, resource = f"/api/tasks/{task}/attachments", "/api/tasks/{id}/attachments"
    body = {"fileName": "../My Plan.pdf", "contentType": "application/pdf", "sizeBytes": 1234}
    status, upload = call(attachments, "POST", path, resource, body=body, params={"id": task})
    assert status == 201
    key = upload["attachment"]["objectKey"]
    assert key == f"attachments/{task}/{upload['attachment']['id']}/My_Plan.pdf"
    url = urlparse(upload["uploadUrl"])
    signed = parse_qs(url.query)["X-Amz-SignedHeaders"][0].split(";")
    assert url.path == f"/{BUCKET}/{key}" and {"content-type", "content-length", "host"} <= set(signed)
    # Refused: wrong type, too big
    assert call(attachments, "POST", path, resource, body={**body, "contentType": "text/html"},
                params={"id": task})[0] == 422
    assert call(attachments, "POST", path, resource, body={**body, "sizeBytes": 10 * 1024 * 1024 + 1},
                params={"id": task})[0] == 413
    # Pending, without a GET URL, until the bucket's notification of the object confirms it; then listed with one
    s3 = boto3.client("s3", region_name=template.REGION)
    s3.put_object(Bucket=BUCKET, Key=key, Body=b"x" * 1234, ContentType="application/pdf")
    listing = call(attachments, "GET", path, resource, params={"id": task})[1]
    assert [(a["status"], a["downloadUrl"]) for a in listing["items"]] == [("pending", None)]
    notified = {"Records": [{"eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": BUCKET}, "object": {
        "key": quote_plus(key, safe="/"), "size": 1234}}}]}
    assert uploads.handler(notified, FakeLambdaContext()) == {"records": 1, "confirmed": 1}
    assert uploads.handler(notified, FakeLambdaContext()) == {"records": 1, "confirmed": 0}  # delivered twice
    listing = call(attachments, "GET", path, resource, params={"id": task})[1]
    assert [a["objectKey"] for a in listing["items"]] == [key] and key in listing["items"][0]["downloadUrl"]
    assert listing["items"][0]["status"] == "uploaded"
    # Deleting removes object and record
    ids = {"id": task, "attachmentId": upload["attachment"]["id"]}
    one = f"{path}/{ids['attachmentId']}"
    assert call(attachments, "DELETE", one, "/api/tasks/{id}/attachments/{attachmentId}", params=ids)[0] == 204
    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0
    assert call(attachments, "GET", path, resource, params={"id": task})[1]["items"] == []


def test_given_a_running_timer_when_starting_another_and_stopping_then_minutes_are_booked(table, monkeypatch) -> None:
    first, second = make_task(table), make_task(table)
    clock = [datetime(2026, 3, 1, 9, 0, tzinfo=UTC)]
    monkeypatch.setattr(timers, "utc_now", lambda: clock[0])

    def timer(task: str, action: str) -> tuple[int, Any]:
        return call(timers, "POST", f"/api/tasks/{task}/timer/{action}", "/api/tasks/{id}/timer/" + action,
                    params={"id": task})

    assert timer(first, "start")[0] == 200
    clock[0] += timedelta(minutes=25)
    status, started = timer(second, "start")  # stops the first and books 25 minutes
    assert status == 200 and started["stopped"]["minutes"] == 25
    clock[0] += timedelta(minutes=40, seconds=31)
    status, interval = timer(second, "stop")
    assert status == 200 and interval["minutes"] == 41
    assert timer(second, "stop")[0] == 409
    report = call(timers, "GET", f"/api/tasks/{second}/time", "/api/tasks/{id}/time", params={"id": second})[1]
    assert report["totalMinutes"] == 41 and report["running"] is None
    repo = wiring.task_repository()
    assert (repo.get(first).actualMinutes, repo.get(second).actualMinutes) == (25, 41)
    updates = [data for kind, data in published(table) if kind == "TaskUpdated"]
    assert sorted((u["taskId"], u["values"]["actualMinutes"]) for u in updates) == sorted([(first, 25), (second, 41)])
    stops = [data for kind, data in published(table) if kind == "TimerStopped"]
    assert sorted((s["taskId"], s["userId"], s["minutes"], s["startedAt"], s["stoppedAt"]) for s in stops) == sorted([
        (first, "alice", 25, "2026-03-01T09:00:00.000Z", "2026-03-01T09:25:00.000Z"),
        (second, "alice", 41, "2026-03-01T09:25:00.000Z", "2026-03-01T10:05:31.000Z")])


def test_given_due_tasks_when_the_job_runs_twice_then_each_reminder_is_sent_once(table, monkeypatch) -> None:
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    monkeypatch.setattr(reminders, "utc_now", lambda: now)
    soon = make_task(table, due=now + timedelta(minutes=30), title="soon")
    late = make_task(table, due=now - timedelta(hours=3), title="late")
    make_task(table, due=now + timedelta(hours=5))  # outside the lead time
    make_task(table, due=now - timedelta(hours=1), status="done")  # closed: no reminder
    first = reminders.handler({}, FakeLambdaContext())
    again = reminders.handler({}, FakeLambdaContext())
    assert (first["dueSoon"], first["overdue"]) == (1, 1) and (again["dueSoon"], again["overdue"]) == (0, 0)
    events = sorted(published(table))
    assert events == [
        ("TaskDueSoon", {"taskId": soon, "userId": "alice", "dueAt": to_iso(now + timedelta(minutes=30)),
                         "title": "soon"}),
        ("TaskOverdue", {"taskId": late, "userId": "alice", "dueAt": to_iso(now - timedelta(hours=3)),
                         "title": "late"}),
    ]

"""The tasks service through the deployed local stack: the lifecycle, blockers, search, comments,
attachments, timers, projects with roles and templates, and the reminder job."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import requests

from deepiri_common.clock import to_iso, utc_now
from tests.e2e.conftest import wait_for


def _task(api, token: str, **fields) -> dict:
    body = {"title": "Write the design doc", "priority": "high", "difficulty": "medium", "category": "writing",
            "estimateMinutes": 60, **fields}
    response = api("POST", "/api/tasks", token=token, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _events_for(received, task_id: str, seconds: float = 30, settle: float = 5) -> list[dict]:
    """The tapped events about ``task_id``: waits for the first, then keeps listening ``settle`` seconds
    so that a duplicate would be seen too."""
    seen: list[dict] = []

    def collect() -> list[dict]:
        seen.extend(e for e in received() if e["detail"]["data"].get("taskId") == task_id)
        return seen

    wait_for(collect, seconds=seconds)
    deadline = time.monotonic() + settle
    while time.monotonic() < deadline:
        collect()
    return seen


def test_given_a_task_when_edited_moved_blocked_and_completed_then_one_task_completed_reaches_the_bus(
    api, account, bus_tap
) -> None:
    received = bus_tap("TaskCompleted")
    token = account("tasks-owner").token
    task = _task(api, token, title="Ship the café menu")

    stale = api("PATCH", f"/api/tasks/{task['id']}", token=token, json={"title": "x", "version": task["version"] + 7})
    assert stale.status_code == 412, stale.text
    assert api("GET", f"/api/tasks/{task['id']}", token=token).json()["title"] == "Ship the café menu"
    edited = api("PATCH", f"/api/tasks/{task['id']}", token=token, headers={"If-Match": f'"{task["version"]}"'},
                 json={"title": "Ship the café menu v2"})
    assert edited.status_code == 200, edited.text

    illegal = api("POST", f"/api/tasks/{task['id']}/status", token=token, json={"status": "done"})
    assert illegal.status_code == 409 and "in_progress" in illegal.text

    blocker = _task(api, token, title="Order the printing")
    added = api("POST", f"/api/tasks/{task['id']}/dependencies", token=token,
                json={"dependsOn": blocker["id"], "type": "blocks"})
    assert added.status_code in (200, 201), added.text
    cycle = api("POST", f"/api/tasks/{blocker['id']}/dependencies", token=token,
                json={"dependsOn": task["id"], "type": "blocks"})
    assert cycle.status_code == 409, cycle.text
    for status in ("in_progress", "review"):
        assert api("POST", f"/api/tasks/{task['id']}/status", token=token, json={"status": status}).status_code == 200
    blocked = api("POST", f"/api/tasks/{task['id']}/complete", token=token, json={"actualMinutes": 30})
    assert blocked.status_code == 409 and blocker["id"] in blocked.text

    assert api("POST", f"/api/tasks/{blocker['id']}/complete", token=token, json={}).status_code == 200
    done = api("POST", f"/api/tasks/{task['id']}/complete", token=token, json={"actualMinutes": 30})
    assert done.status_code == 200, done.text
    assert api("POST", f"/api/tasks/{task['id']}/complete", token=token, json={}).status_code == 409

    events = _events_for(received, task["id"])
    assert len(events) == 1
    data = events[0]["detail"]["data"]
    assert data["firstCompletion"] is True and data["efficiency"] == 100 and data["category"] == "writing"

    versions = api("GET", f"/api/tasks/{task['id']}/versions", token=token).json()["items"]
    first = min(v["version"] for v in versions)
    restored = api("POST", f"/api/tasks/{task['id']}/versions/{first}/restore", token=token)
    assert restored.status_code == 200, restored.text
    assert restored.json()["title"] == "Ship the café menu"

    found = api("GET", "/api/tasks", token=token, params={"q": "CAFE men"}).json()["items"]
    assert [item["id"] for item in found] == [task["id"]]
    assert api("GET", f"/api/tasks/{task['id']}", token=account("tasks-stranger").token).status_code == 404


def test_given_a_project_when_members_comment_upload_and_track_time_then_roles_hold(
    api, account, bus_tap, tasks_directory
) -> None:
    received = bus_tap("TaskCommented")
    owner, member, viewer = account("proj-owner"), account("proj-member"), account("proj-viewer")
    tasks_directory(member.id, viewer.id)  # invitations name users the tasks service knows
    project = api("POST", "/api/projects", token=owner.token, json={"name": "Launch"})
    assert project.status_code == 201, project.text
    pid = project.json()["id"]
    for user, role in ((member, "member"), (viewer, "viewer")):
        invite = api("POST", f"/api/projects/{pid}/invitations", token=owner.token,
                     json={"userId": user.id, "role": role})
        assert invite.status_code in (200, 201), invite.text
        assert api("POST", f"/api/projects/{pid}/invitations/accept", token=user.token).status_code in (200, 204)

    task = _task(api, member.token, title="Press kit", projectId=pid)
    assert api("GET", f"/api/tasks/{task['id']}", token=viewer.token).status_code == 200
    assert api("PATCH", f"/api/tasks/{task['id']}", token=viewer.token,
               json={"title": "mine", "version": task["version"]}).status_code == 403
    assert api("GET", f"/api/tasks/{task['id']}", token=account("tasks-stranger").token).status_code == 404

    comment = api("POST", f"/api/tasks/{task['id']}/comments", token=member.token,
                  json={"body": f"@{owner.id} can you review?"})
    assert comment.status_code == 201, comment.text
    [event] = _events_for(received, task["id"])
    assert event["detail"]["data"]["mentionedUserIds"] == [owner.id]

    content = b"%PDF-1.4 press kit"
    ticket = api("POST", f"/api/tasks/{task['id']}/attachments", token=member.token,
                 json={"fileName": "kit.pdf", "contentType": "application/pdf", "sizeBytes": len(content)})
    assert ticket.status_code == 201, ticket.text
    upload = requests.put(ticket.json()["uploadUrl"], data=content, headers=ticket.json()["uploadHeaders"], timeout=30)
    assert upload.status_code == 200, upload.text
    # The bucket's notification confirms the upload (TasksUploadsFunction): then it has a download URL
    listed = wait_for(lambda: [a for a in api("GET", f"/api/tasks/{task['id']}/attachments",
                                              token=owner.token).json()["items"] if a["status"] == "uploaded"],
                      seconds=60)
    assert requests.get(listed[0]["downloadUrl"], timeout=30).content == content
    too_big = api("POST", f"/api/tasks/{task['id']}/attachments", token=member.token,
                  json={"fileName": "big.zip", "contentType": "application/zip", "sizeBytes": 11 * 1024 * 1024})
    assert too_big.status_code == 413

    assert api("POST", f"/api/tasks/{task['id']}/timer/start", token=member.token).status_code in (200, 201)
    stopped = api("POST", f"/api/tasks/{task['id']}/timer/stop", token=member.token)
    assert stopped.status_code == 200, stopped.text
    report = api("GET", f"/api/tasks/{task['id']}/time", token=member.token).json()
    assert len(report["intervals"]) == 1 and report["running"] is None


def test_given_the_sprint_template_when_a_project_is_created_from_it_then_its_tasks_are_due_from_the_start(
    api, account
) -> None:
    token = account("templater").token
    start = (utc_now() + timedelta(days=7)).date()
    project = api("POST", "/api/projects/from-template", token=token,
                  json={"templateId": "sprint", "name": "Sprint 12", "startDate": start.isoformat()})
    assert project.status_code == 201, project.text
    tasks = api("GET", "/api/tasks", token=token,
                params={"projectId": project.json()["id"], "sort": "due", "limit": 100}).json()["items"]
    assert len(tasks) >= 5
    dues = [t["dueAt"] for t in tasks]
    assert dues == sorted(dues) and dues[0][:10] >= start.isoformat()


def test_given_a_task_due_soon_when_the_reminder_job_runs_twice_then_one_task_due_soon_is_emitted(
    stack, api, account, bus_tap
) -> None:
    received = bus_tap("TaskDueSoon")
    task = _task(api, account("reminded").token, title="Call the printer",
                 dueAt=to_iso(utc_now() + timedelta(minutes=30)))
    job = stack.client("lambda")
    for _ in range(2):
        result = job.invoke(FunctionName="deepiri-e2e-tasks-reminders", Payload=json.dumps({}).encode())
        assert "FunctionError" not in result, result["Payload"].read()
    events = _events_for(received, task["id"])
    assert len(events) == 1 and events[0]["detail"]["data"]["dueAt"].startswith(task["dueAt"][:16])

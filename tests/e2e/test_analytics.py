"""The analytics service through the deployed local stack: a user's tasks, timers and completions in their
summary, time series and heatmap with exact numbers; a project summary only for members; export of the
caller's data only; the cohort query on the emulator's Athena (DuckDB)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from deepiri_common.clock import parse_iso, to_iso
from deepiri_common.events import DomainEvent
from infra.stack import function_name
from tests.e2e.conftest import PASSWORD, wait_for

pytestmark = pytest.mark.e2e

SUMMARY = "/api/analytics/me/summary"


def _summary(api, token: str, day: str) -> dict[str, Any]:
    response = api("GET", SUMMARY, token=token, params={"from": day, "to": day})
    assert response.status_code == 200, response.text
    return response.json()


def test_given_tasks_a_timer_and_a_completion_then_summary_series_and_heatmap_show_exact_numbers(
        api, account, publish) -> None:
    user = account("analytics-ada")
    due = to_iso(datetime.now(UTC) + timedelta(days=2))
    first = api("POST", "/api/tasks", token=user.token,
                json={"title": "Write the report", "estimateMinutes": 30, "dueAt": due}).json()
    api("POST", "/api/tasks", token=user.token, json={"title": "Plan the week"})
    assert api("POST", f"/api/tasks/{first['id']}/timer/start", token=user.token).status_code == 200
    stopped = api("POST", f"/api/tasks/{first['id']}/timer/stop", token=user.token)
    assert stopped.status_code == 200, stopped.text
    done = api("POST", f"/api/tasks/{first['id']}/complete", token=user.token, json={"actualMinutes": 45})
    assert done.status_code == 200, done.text
    completed_at = parse_iso(done.json()["task"]["completedAt"])
    day = completed_at.date().isoformat()  # the user's timezone is UTC (registration's default)
    # A 25-minute focus interval as the tasks service publishes it, so the minutes are exact. It stops as the
    # task is completed: on the same day whatever the hour (focus counts on the day a timer stops).
    start = completed_at - timedelta(minutes=25)
    publish(DomainEvent.new("tasks", "TimerStopped", {
        "taskId": first["id"], "userId": user.id, "minutes": 25, "startedAt": to_iso(start),
        "stoppedAt": to_iso(completed_at)}, actor=user.id))

    summary = wait_for(lambda: (body := _summary(api, user.token, day))["completed"] == 1
                       and body["focusMinutes"] >= 25 and body, seconds=60)
    assert {k: summary[k] for k in ("created", "completed", "onTime", "late", "onTimeRate", "estimateMinutes",
                                    "actualMinutes", "efficiency")} == {
        "created": 2, "completed": 1, "onTime": 1, "late": 0, "onTimeRate": 1.0, "estimateMinutes": 30,
        "actualMinutes": 45, "efficiency": 66.7}
    assert summary["focusMinutes"] == 25 + stopped.json()["minutes"]

    week_ago = (completed_at - timedelta(days=6)).date().isoformat()
    series = api("GET", "/api/analytics/me/timeseries", token=user.token,
                 params={"metric": "timers", "from": week_ago, "to": day}).json()
    assert [p["value"] for p in series["points"]] == [0, 0, 0, 0, 0, 0, 2]

    heat = api("GET", "/api/analytics/me/heatmap", token=user.token).json()
    assert heat["completions"][completed_at.weekday()][completed_at.hour] == 1
    assert sum(map(sum, heat["completions"])) == 1
    assert heat["focusMinutes"][start.weekday()][start.hour] >= 25


def test_given_a_project_then_its_summary_is_for_members_only_and_export_is_the_callers_own(api, account) -> None:
    owner, stranger = account("analytics-owner"), account("analytics-stranger")
    project = api("POST", "/api/projects", token=owner.token, json={"name": "Analytics launch"}).json()
    task = api("POST", "/api/tasks", token=owner.token, json={"title": "Ship", "projectId": project["id"]}).json()
    assert api("POST", f"/api/tasks/{task['id']}/complete", token=owner.token, json={}).status_code == 200
    path = f"/api/analytics/projects/{project['id']}/summary"

    summary = wait_for(lambda: (r := api("GET", path, token=owner.token)).status_code == 200
                       and r.json()["completed"] == 1 and r.json(), seconds=60)
    assert summary["created"] == 1 and summary["meanCycleHours"] is not None
    refused = api("GET", path, token=stranger.token)
    assert refused.status_code == 404 and refused.headers["Content-Type"].startswith("application/problem+json")

    mine = api("GET", "/api/analytics/me/export", token=owner.token, params={"format": "json"}).json()
    assert mine["userId"] == owner.id and sum(d["counts"].get("completed", 0) for d in mine["days"]) == 1
    theirs = api("GET", "/api/analytics/me/export", token=stranger.token, params={"format": "csv"})
    assert theirs.status_code == 200 and theirs.headers["Content-Type"].startswith("text/csv")
    days, events = theirs.text.split("\n\n")
    assert days.splitlines()[1:] == []  # the stranger did nothing: no row of anyone else's
    # and their only events are their own registration's
    assert [line.split(",")[1] for line in events.splitlines()[1:]] == ["UserRegistered"]


def test_given_registered_users_then_the_cohort_query_runs_on_the_emulators_athena(api, account, stack) -> None:
    admin, active = account("analytics-admin"), account("analytics-cohort")
    api("POST", "/api/tasks", token=active.token, json={"title": "Come back"})
    promoted = stack.client("lambda").invoke(FunctionName=function_name(stack.target, "UsersAdminFunction"),
                                             Payload=json.dumps({"email": admin.email}).encode())
    assert "admin" in json.loads(promoted["Payload"].read())["roles"]
    token = api("POST", "/api/auth/login", json={"email": admin.email, "password": PASSWORD}).json()["accessToken"]
    assert api("GET", "/api/analytics/admin/cohorts", token=active.token).status_code == 403

    def archived() -> bool:  # the task above is in the archive before the query starts
        s3 = stack.client("s3")
        bucket = next(b["Name"] for b in s3.list_buckets()["Buckets"] if "-analytics-archive-" in b["Name"])
        return any(o["Key"].split("/")[2] == "type=TaskCreated"
                   for o in s3.list_objects_v2(Bucket=bucket, Prefix="events/").get("Contents", []))

    wait_for(archived, seconds=60)
    started = api("GET", "/api/analytics/admin/cohorts", token=token, params={"weeks": 2})
    assert started.status_code == 202, started.text
    query_id = started.json()["queryId"]
    result = wait_for(lambda: (r := api("GET", f"/api/analytics/admin/cohorts/{query_id}", token=token).json())
                      ["state"] in ("SUCCEEDED", "FAILED") and r, seconds=60)
    assert result["state"] == "SUCCEEDED", result
    this_week = (datetime.now(UTC).date() - timedelta(days=datetime.now(UTC).weekday())).isoformat()
    (cohort,) = [c for c in result["cohorts"] if c["week"] == this_week]
    # Everyone registered in this session's week, at least these two; the one who acted is retained in week 0
    assert cohort["users"] >= 2 and 0 < cohort["retention"][0] <= 1


def _insight(api, token: str, kind: str) -> dict[str, Any] | None:
    found = api("GET", "/api/analytics/me/insights", token=token).json()["items"]
    return next((item for item in found if item["kind"] == kind), None)


def test_given_tasks_in_categories_a_challenge_and_an_open_task_due_soon_then_insights_and_export_are_exact(
        api, account, publish) -> None:
    user, other = account("analytics-balance"), account("analytics-balance-other")
    api("POST", "/api/tasks", token=other.token, json={"title": "Someone else's", "category": "code"})
    for title, category in (("Fix the parser", "code"), ("Review the API", "code"), ("Read the paper", "study")):
        task = api("POST", "/api/tasks", token=user.token, json={"title": title, "category": category}).json()
        done = api("POST", f"/api/tasks/{task['id']}/complete", token=user.token, json={})
        assert done.status_code == 200, done.text
    due = to_iso(datetime.now(UTC) + timedelta(hours=3))
    open_task = api("POST", "/api/tasks", token=user.token,
                    json={"title": "Draft the essay", "category": "writing", "dueAt": due}).json()
    # Created without an estimate: the TaskUpdated of this edit brings it
    edited = api("PATCH", f"/api/tasks/{open_task['id']}", token=user.token,
                 headers={"If-Match": f'"{open_task["version"]}"'}, json={"estimateMinutes": 120})
    assert edited.status_code == 200, edited.text
    started_at = datetime.now(UTC)
    publish(DomainEvent.new("challenges", "ChallengeStarted", {
        "challengeId": "01JCHALLENGE0000000000000A", "userId": user.id, "taskId": open_task["id"],
        "type": "focus_sprint", "startedAt": to_iso(started_at),
        "expiresAt": to_iso(started_at + timedelta(hours=2))}, actor=user.id))

    # Until the edit's TaskUpdated is read, the task counts as unestimated (at risk while todo, no minutes)
    risk = wait_for(lambda: (found := _insight(api, user.token, "overdue_risk")) and found["figures"][
        "neededMinutes"] == 120.0 and found, seconds=60)
    # One open task with a due date, due in 3 hours with 120 minutes estimated, no focus time and no estimated
    # completions yet (slip 1): at risk, with no history to trust the estimate by
    assert risk["figures"] == {"openWithDue": 1, "overdueNow": 0, "dueSoon": 1, "atRisk": 1, "neededMinutes": 120.0,
                               "slip": 1.0, "dailyFocusMinutes": 0.0}
    assert risk["confidence"] == 0.0
    # The completions may be read after the open task (SQS does not keep order): wait for all three
    balance = wait_for(lambda: (found := _insight(api, user.token, "category_balance")) and found["figures"][
        "completed"] == 3 and found, seconds=60)
    assert balance["figures"] == {
        "completed": 3, "topShare": 0.6667, "evenness": 0.9183, "categories": 2, "completed.code": 2,
        "completed.study": 1, "open.writing": 1}
    assert balance["confidence"] == 0.1

    today = started_at.date().isoformat()  # the user's timezone is UTC (registration's default)
    summary = wait_for(lambda: (body := _summary(api, user.token, today))["challengesStarted"] == 1 and body,
                       seconds=60)
    assert (summary["created"], summary["completed"], summary["challengesStarted"]) == (4, 3, 1)

    # When the open task is completed, then it is no longer at risk
    assert api("POST", f"/api/tasks/{open_task['id']}/complete", token=user.token, json={}).status_code == 200
    wait_for(lambda: _insight(api, user.token, "overdue_risk") is None, seconds=60)
    # When it is reopened, then it is open again with its due date and estimate (TaskReopened carries them)
    assert api("POST", f"/api/tasks/{open_task['id']}/reopen", token=user.token).status_code == 200
    reopened = wait_for(lambda: _insight(api, user.token, "overdue_risk"), seconds=60)
    assert (reopened["figures"]["openWithDue"], reopened["figures"]["neededMinutes"]) == (1, 120.0)

    export = api("GET", "/api/analytics/me/export", token=user.token, params={"format": "json"}).json()
    kinds = [event["detailType"] for event in export["events"]]
    assert kinds.count("TaskCreated") == 4 and kinds.count("TaskCompleted") == 4 and "ChallengeStarted" in kinds
    assert {event["event"]["detail"]["data"].get("userId") for event in export["events"]} == {user.id}
    assert all(event["event"]["detail-type"] == event["detailType"] for event in export["events"])

"""make demo on the shared stack: one workspace with a month of history every read model agrees on, the same
after a second run; and the seeding path is the operator's alone (no user token can backdate anything)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import requests

from infra import demo


def _get(stack: Any, path: str, token: str, **query: str) -> Any:
    response = requests.get(f"{stack.urls.rest}{path}", headers={"Authorization": f"Bearer {token}"},
                            params=query, timeout=60)
    assert response.status_code == 200, response.text
    return response.json()


def _sign_in(stack: Any, email: str) -> str:
    response = requests.post(f"{stack.urls.rest}/api/auth/login", timeout=60,
                             json={"email": email, "password": demo.DEMO_PASSWORD})
    assert response.status_code == 200, response.text
    return str(response.json()["accessToken"])


def _workspace(stack: Any) -> dict[str, Any]:
    """What the demo user and the friend can see of the workspace, counted."""
    token, friend = _sign_in(stack, demo.DEMO_EMAIL), _sign_in(stack, demo.FRIEND_EMAIL)
    projects = [p for p in _get(stack, "/api/projects", token, limit="100")["items"] if p["name"] == demo.PROJECT_NAME]
    # a list is either the caller's own tasks or a project's: both, by id, so a duplicate would count
    in_project = {t["id"]: t for p in projects
                  for t in _get(stack, "/api/tasks", token, projectId=p["id"], tag=demo.TAG, limit="100")["items"]}
    own = {t["id"]: t for t in _get(stack, "/api/tasks", token, tag=demo.TAG, limit="100")["items"]}
    friend_id = _get(stack, "/api/users/me", friend)["userId"]
    tasks = [t for t in {**own, **in_project}.values() if t["ownerId"] != friend_id]
    friend_tasks = [t for t in in_project.values() if t["ownerId"] == friend_id]
    me = _get(stack, "/api/gamification/me", token)
    badges = _get(stack, "/api/gamification/badges", token)["items"]
    duels = _get(stack, "/api/challenges/duels", token, limit="100")["items"]
    series = _get(stack, "/api/analytics/me/timeseries", token, metric="xp")["points"]
    completed = _get(stack, "/api/analytics/me/timeseries", token, metric="completed")["points"]
    return {
        "tasks": len(tasks), "done": sum(t["status"] == "done" for t in tasks), "friendTasks": len(friend_tasks),
        "created": sorted(t["createdAt"] for t in tasks),
        "xp": me["xp"], "level": me["level"], "streak": me["streaks"]["days"],
        "badges": sorted(f"{b['badgeId']}#{t['name']}" for b in badges for t in b["tiers"] if t.get("earnedAt")),
        "projects": len(projects), "duels": [(d["status"], d.get("winnerId")) for d in duels],
        "xpDays": [p["start"] for p in series if p["value"] > 0],
        "completedDays": [p["start"] for p in completed if p["value"] > 0],
        "members": _get(stack, f"/api/projects/{projects[0]['id']}/members", token) if projects else None,
    }


def test_given_make_demo_twice_then_one_workspace_with_a_month_of_history_that_every_read_model_agrees_on(
        stack) -> None:
    first_run, seen = demo.seed(stack.target)
    assert first_run.made["users"] == 2 and first_run.made["completions"] > 20, first_run.made

    # the second run finds everything and makes nothing
    second_run, seen_again = demo.seed(stack.target)
    assert second_run.made == {}
    before = _workspace(stack)
    after = _workspace(stack)  # nothing arrives late either
    assert before == after
    assert seen_again == seen

    today = datetime.now(UTC).date()
    oldest = datetime.fromisoformat(before["created"][0].replace("Z", "+00:00")).date()
    assert (today - oldest).days >= 25  # tasks over the month
    assert before["tasks"] == len([t for t in demo.plan() if t.owner == "demo"]) + 2  # + the two challenges' tasks
    assert before["done"] == before["tasks"] - 1
    assert before["friendTasks"] == len([t for t in demo.plan() if t.owner == "friend"])
    assert before["streak"] == demo.streak_days() > 1
    assert before["xp"] > 0 and before["level"] > 1
    assert {"first-steps#bronze", "on-fire#bronze", "challenger#bronze", "duelist#bronze"} <= set(before["badges"])
    assert before["projects"] == 1
    assert [status for status, _ in before["duels"]] == ["finished"]
    # the XP chart has days in the past, and the completions chart the same days the tasks were done on
    past = [day for day in before["xpDays"] if day < today.isoformat()]
    assert len(past) >= 20
    assert set(before["completedDays"]) <= set(before["xpDays"])


def test_given_a_normal_token_then_nothing_can_be_backdated_and_no_route_reaches_the_seeding_function(
        stack, account, api) -> None:
    user = account("backdater")
    task = api("POST", "/api/tasks", token=user.token, json={"title": "Backdate me"})
    assert task.status_code == 201, task.text
    long_ago = (datetime.now(UTC) - timedelta(days=3)).isoformat()

    created = api("POST", "/api/tasks", token=user.token, json={"title": "Old", "createdAt": long_ago})
    completed = api("POST", f"/api/tasks/{task.json()['id']}/complete", token=user.token,
                    json={"completedAt": long_ago})
    seed_paths = [api("POST", path, token=user.token, json={"userId": user.id, "at": long_ago, "method": "POST",
                                                            "path": "/api/tasks", "body": {"title": "x"}})
                  for path in ("/api/tasks/seed", "/api/seed", "/api/admin/seed")]

    assert created.status_code == 422 and completed.status_code == 422
    assert api("GET", f"/api/tasks/{task.json()['id']}", token=user.token).json()["status"] == "todo"
    assert all(response.status_code in (403, 404, 405, 422) for response in seed_paths), [
        (r.status_code, r.text[:100]) for r in seed_paths]
    listed = api("GET", "/api/tasks", token=user.token, params={"limit": "100"}).json()["items"]
    assert [t["title"] for t in listed] == ["Backdate me"]

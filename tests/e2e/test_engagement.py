"""The engagement service through the deployed local stack: finished tasks become XP, coins and levels."""

from __future__ import annotations

from typing import Any

import pytest

from deepiri_common.events import DomainEvent
from deepiri_common.ids import new_ulid
from tests.e2e.conftest import HOUR_BADGES, wait_for

pytestmark = pytest.mark.e2e


def _task(api, token: str, **fields: Any) -> dict[str, Any]:
    body = {"title": "Refactor the importer", "priority": "medium", "difficulty": "epic", "category": "code", **fields}
    response = api("POST", "/api/tasks", token=token, json=body)
    assert response.status_code == 201, response.text
    return response.json()


def _me(api, token: str) -> dict[str, Any]:
    response = api("GET", "/api/gamification/me", token=token)
    assert response.status_code == 200, response.text
    return response.json()


def test_given_tasks_completed_reopened_and_completed_again_then_xp_and_levels_count_each_task_once(
        api, account, bus_tap) -> None:
    level_ups = bus_tap("LevelUp")
    user = account("engagement-player")
    first, second = _task(api, user.token), _task(api, user.token, difficulty="hard")

    for task in (first, second):
        assert api("POST", f"/api/tasks/{task['id']}/complete", token=user.token, json={}).status_code == 200
    me = wait_for(lambda: (body := _me(api, user.token))["xp"] == 120 and body, seconds=40)
    by_hour = [b for b in me["recentBadges"] if b["badgeId"] in HOUR_BADGES]  # early bird or night owl, by CI's hour
    assert me["level"] == 2 and me["balances"]["coins"] == 8 + 4 + 20 + 10 + 10 * len(by_hour)  # and first-steps
    seen: list[dict[str, Any]] = []
    wait_for(lambda: seen.extend(e for e in level_ups() if e["detail"]["data"]["userId"] == user.id) or seen,
             seconds=30)
    assert [e["detail"]["data"] for e in seen] == [{"userId": user.id, "level": 2, "previousLevel": 1}]

    assert api("POST", f"/api/tasks/{first['id']}/reopen", token=user.token).status_code == 200
    wait_for(lambda: _me(api, user.token)["xp"] == 40, seconds=40)
    assert api("POST", f"/api/tasks/{first['id']}/complete", token=user.token, json={}).status_code == 200
    again = wait_for(lambda: (body := _me(api, user.token))["xp"] == 120 and body, seconds=40)
    assert again["balances"] == me["balances"] and again["level"] == 2

    ledger = api("GET", "/api/gamification/ledger", token=user.token, params={"currency": "xp"}).json()["items"]
    assert sorted(entry["amount"] for entry in ledger) == [-80, 40, 80, 80]


def test_given_a_duplicate_and_a_stale_event_then_nothing_is_paid_twice_and_a_deleted_user_is_forgotten(
        api, account, publish) -> None:
    user = account("engagement-replay")
    data = {"taskId": new_ulid(), "userId": user.id, "actorId": user.id, "projectId": None, "category": "study",
            "difficulty": "medium", "priority": "urgent", "efficiency": None, "onTime": None,
            "estimateMinutes": None, "actualMinutes": 10, "firstCompletion": True}
    completed = DomainEvent.new("tasks", "TaskCompleted", data, actor=user.id)
    publish(completed)
    publish(completed)
    wait_for(lambda: _me(api, user.token)["xp"] == 25, seconds=40)

    other = DomainEvent.new("tasks", "TaskCompleted", {**data, "taskId": new_ulid()}, actor=user.id)
    publish(other)
    wait_for(lambda: _me(api, user.token)["xp"] == 50, seconds=40)  # the duplicate added nothing

    publish(DomainEvent.new("users", "UserDeleted", {"userId": user.id}, actor=user.id))
    wait_for(lambda: _me(api, user.token)["xp"] == 0, seconds=40)
    assert api("GET", "/api/gamification/ledger", token=user.token).json() == {"items": [], "nextCursor": None}

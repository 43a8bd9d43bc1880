"""Streaks through the deployed local stack: completions dated on simulated days (published as the tasks
service publishes them, and through the tasks API inside the grace window), the deployed streak job
invoked for chosen instants, freezes and cash-ins through the routes, and parallel spends."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from deepiri_common.clock import to_iso
from deepiri_common.events import DomainEvent
from deepiri_common.ids import new_ulid
from tests.e2e.conftest import wait_for

pytestmark = pytest.mark.e2e
JOB = "deepiri-e2e-engagement-streak-job"


def _me(api, token: str) -> dict[str, Any]:
    response = api("GET", "/api/gamification/me", token=token)
    assert response.status_code == 200, response.text
    return response.json()


def _completed(user_id: str, completed_at: datetime, difficulty: str = "epic") -> DomainEvent:
    data = {"taskId": new_ulid(), "userId": user_id, "actorId": user_id, "projectId": None, "category": "code",
            "difficulty": difficulty, "priority": "medium", "efficiency": None, "onTime": None,
            "estimateMinutes": None, "actualMinutes": 10, "firstCompletion": True,
            "completedAt": to_iso(completed_at)}
    return DomainEvent.new("tasks", "TaskCompleted", data, actor=user_id)


def _job(stack, at: datetime) -> dict[str, Any]:
    result = stack.client("lambda").invoke(FunctionName=JOB, Payload=json.dumps({"at": to_iso(at)}).encode())
    body = result["Payload"].read()
    assert "FunctionError" not in result, body
    return json.loads(body)


def _days_ending_today(count: int) -> list[datetime]:
    today = datetime.now(UTC).replace(hour=0, minute=30, second=0, microsecond=0)
    return [today - timedelta(days=n) for n in range(count - 1, -1, -1)]


def _grow(stack, api, publish, user, days: list[datetime]) -> dict[str, Any]:
    """One completion on each of ``days`` (00:30 UTC), the job after each day's rollover (06:00 UTC)."""
    for n, day in enumerate(days, start=1):
        publish(_completed(user.id, day))
        wait_for(lambda n=n: _me(api, user.token)["streaks"]["longest"] >= n, seconds=40)
        if day.date() < datetime.now(UTC).date():
            _job(stack, day.replace(hour=6, minute=0) + timedelta(days=1))
    return _me(api, user.token)["streaks"]


def test_given_completions_on_seven_days_then_the_streak_grows_and_cash_in_credits_the_wallet(
        stack, api, account, publish) -> None:
    user = account("streak-grower")
    streaks = _grow(stack, api, publish, user, _days_ending_today(7))
    assert (streaks["days"], streaks["longest"], streaks["timezone"]) == (7, 7, "UTC")

    status = api("POST", "/api/gamification/streaks/cash-in", token=user.token)
    assert status.status_code == 200, status.text
    assert status.json() == {"length": 7, "boostCredits": 7}
    me = _me(api, user.token)
    assert me["balances"]["boostCredits"] == 7 and me["streaks"]["days"] == 0
    again = api("POST", "/api/gamification/streaks/cash-in", token=user.token)
    assert again.status_code == 409 and again.headers["content-type"].startswith("application/problem+json")


def test_given_a_missed_day_then_the_job_breaks_the_streak_once_and_run_twice_changes_nothing(
        stack, api, account, publish, bus_tap) -> None:
    broken = bus_tap("StreakBroken")
    user = account("streak-breaker")
    days = _days_ending_today(5)[:3]  # active 4, 3 and 2 days ago; yesterday is missed
    _grow(stack, api, publish, user, days)

    judge_at = days[-1].replace(hour=6, minute=0) + timedelta(days=2)  # judges the missed day
    first, second = _job(stack, judge_at), _job(stack, judge_at)
    again_past = _job(stack, judge_at - timedelta(days=1))

    assert first["broken"] >= 1 and second["broken"] == 0 and again_past["broken"] == 0
    seen = wait_for(lambda: [e for e in broken() if e["detail"]["data"]["userId"] == user.id], seconds=30)
    assert [e["detail"]["data"]["length"] for e in seen] == [3]
    assert _me(api, user.token)["streaks"]["days"] == 0


def test_given_a_freeze_bought_with_coins_then_a_missed_day_does_not_break_the_streak(
        stack, api, account, publish) -> None:
    user = account("streak-freezer")
    days = _days_ending_today(5)[:3]  # 4 epic completions' coins and level rewards: 32 + 20 + 30
    _grow(stack, api, publish, user, days)
    publish(_completed(user.id, days[-1] + timedelta(hours=1)))
    wait_for(lambda: _me(api, user.token)["balances"]["coins"] >= 50, seconds=40)

    bought = api("POST", "/api/gamification/streaks/freezes", token=user.token, headers={"Idempotency-Key": "f-1"})
    assert bought.status_code == 200, bought.text
    assert bought.json()["freezes"] == 1
    report = _job(stack, days[-1].replace(hour=6, minute=0) + timedelta(days=2))  # judges the missed day

    assert report["broken"] == 0
    assert _me(api, user.token)["streaks"]["days"] == 3 and _me(api, user.token)["streaks"]["freezes"] == 0


def test_given_a_completion_dated_into_the_grace_window_then_it_extends_yesterday(stack, api, account) -> None:
    user = account("streak-grace")
    now = datetime.now(UTC)
    # The user's day began two hours ago: three hours ago was yesterday, for them
    hour = (now - timedelta(hours=2)).hour
    profile = api("GET", "/api/users/me", token=user.token).json()
    patched = api("PATCH", "/api/users/me", token=user.token,
                  json={"version": profile["version"], "dayStartHour": hour})
    assert patched.status_code == 200, patched.text
    wait_for(lambda: _me(api, user.token)["streaks"]["dayStartHour"] == hour, seconds=40)
    for completed_at in (now - timedelta(hours=3), None):
        created = api("POST", "/api/tasks", token=user.token, json={"title": "Catch up", "difficulty": "easy"})
        body = {} if completed_at is None else {"completedAt": to_iso(completed_at)}
        done = api("POST", f"/api/tasks/{created.json()['id']}/complete", token=user.token, json=body)
        assert done.status_code == 200, done.text

    streaks = wait_for(lambda: (s := _me(api, user.token)["streaks"])["days"] == 2 and s, seconds=40)
    assert streaks["longest"] == 2

    created = api("POST", "/api/tasks", token=user.token, json={"title": "Too late", "difficulty": "easy"})
    late = api("POST", f"/api/tasks/{created.json()['id']}/complete", token=user.token,
               json={"completedAt": to_iso(now - timedelta(hours=7))})
    assert late.status_code == 422 and "body.completedAt" in late.text


def test_given_parallel_spends_then_the_balance_never_goes_negative(stack, api, account, publish) -> None:
    user = account("streak-spender")
    for _ in range(4):
        publish(_completed(user.id, datetime.now(UTC)))
    coins = wait_for(lambda: (c := _me(api, user.token)["balances"]["coins"]) >= 80 and c, seconds=40)

    def buy(n: int) -> int:
        return api("POST", "/api/gamification/streaks/freezes", token=user.token,
                   headers={"Idempotency-Key": f"parallel-{n}"}).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(buy, range(8)))

    assert set(statuses) <= {200, 409} and statuses.count(200) == coins // 50
    balance = _me(api, user.token)["balances"]["coins"]
    assert balance == coins - 50 * statuses.count(200) >= 0


# The two tests below place a user's days in 2027, after the settings their registration announced (a day
# setting older than the kept one is ignored), and judge them with the job at chosen 2027 instants.
def _at(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _settings(user_id: str, timezone: str, at: str) -> DomainEvent:
    event = DomainEvent.new("users", "UserSettingsChanged",
                            {"userId": user_id, "timezone": timezone, "dayStartHour": 0}, actor=user_id)
    return event.model_copy(update={"detail": event.detail.model_copy(update={"occurredAt": at})})


def _move(api, publish, user, timezone: str, at: str) -> None:
    publish(_settings(user.id, timezone, at))
    wait_for(lambda: _me(api, user.token)["streaks"]["timezone"] == timezone, seconds=40)


def _complete_at(api, publish, user, at: str, longest: int) -> None:
    publish(_completed(user.id, _at(at), difficulty="easy"))
    wait_for(lambda: _me(api, user.token)["streaks"]["longest"] >= longest, seconds=40)


def test_given_new_york_across_the_autumn_clock_change_then_no_day_is_broken_or_doubled(
        stack, api, account, publish) -> None:
    user = account("streak-dst")
    _move(api, publish, user, "America/New_York", "2027-10-01T00:00:00.000Z")
    _complete_at(api, publish, user, "2027-11-06T16:00:00.000Z", 1)  # Sat 6 Nov 12:00 EDT
    _complete_at(api, publish, user, "2027-11-07T17:00:00.000Z", 2)  # Sun 7 Nov 12:00 EST (a 25-hour day)
    _complete_at(api, publish, user, "2027-11-08T17:00:00.000Z", 3)  # Mon 8 Nov 12:00 EST
    hour = _at("2027-11-06T00:00:00Z")
    while hour <= _at("2027-11-09T12:00:00Z"):  # the job every hour, as its schedule runs it
        _job(stack, hour)
        hour += timedelta(hours=1)
    assert _me(api, user.token)["streaks"]["longest"] == 3
    # the run is still standing: one more day makes it 4 (a broken run would start again at 1)
    _complete_at(api, publish, user, "2027-11-09T17:00:00.000Z", 4)
    assert _me(api, user.token)["streaks"]["longest"] == 4


def test_given_a_trip_from_tokyo_to_los_angeles_and_back_then_no_day_is_broken_or_doubled(
        stack, api, account, publish) -> None:
    user = account("streak-traveller")
    _move(api, publish, user, "Asia/Tokyo", "2027-06-01T00:00:00.000Z")
    for day in ("10", "11", "12"):  # 12:00 JST on 10, 11 and 12 June
        _complete_at(api, publish, user, f"2027-06-{day}T03:00:00.000Z", int(day) - 9)
    _job(stack, _at("2027-06-12T21:00:00Z"))  # Tokyo judges 12 June at 06:00 JST on 13 June
    _move(api, publish, user, "America/Los_Angeles", "2027-06-12T20:00:00.000Z")  # lands on 12 June, LA time
    publish(_completed(user.id, _at("2027-06-12T22:00:00.000Z"), difficulty="easy"))  # 12 June 15:00 PDT: same date
    _complete_at(api, publish, user, "2027-06-13T20:00:00.000Z", 4)  # 13 June PDT
    assert _me(api, user.token)["streaks"]["longest"] == 4
    _job(stack, _at("2027-06-14T13:00:00Z"))  # LA judges 13 June at 06:00 PDT on 14 June
    _move(api, publish, user, "Asia/Tokyo", "2027-06-14T18:00:00.000Z")  # back: 15 June 03:00 JST
    _job(stack, _at("2027-06-14T21:00:00Z"))  # Tokyo judges 14 June: 13 June PDT ended in it
    # still standing: 15 June JST makes it 5 (a break on the way would have started it again at 1)
    _complete_at(api, publish, user, "2027-06-15T03:00:00.000Z", 5)
    assert _me(api, user.token)["streaks"]["longest"] == 5

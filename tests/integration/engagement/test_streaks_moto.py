"""Streaks in-process against moto: completions through the consumer, the streak job for chosen instants,
freezes and cash-ins through the routes, and the settings that place each user's days."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from deepiri_common.events import DomainEvent
from deepiri_engagement import wiring
from deepiri_engagement.handlers import api, consumers, streak_job
from deepiri_engagement.logic import currencies
from tests.support import flows, template
from tests.support.apigw import rest_event
from tests.support.lambda_context import FakeLambdaContext


def _event(kind: str, data: dict[str, Any], at: str) -> DomainEvent:
    event = DomainEvent.new("tasks", kind, data, actor=data["userId"])
    return event.model_copy(update={"detail": event.detail.model_copy(update={"occurredAt": at})})


def _consume(*events: DomainEvent) -> None:
    assert consumers.handler(flows.sqs_of_events(*events), FakeLambdaContext()) == {"batchItemFailures": []}


def _complete(user: str, completed_at: str, task: str | None = None) -> None:
    data = {"taskId": task or f"t-{completed_at}", "userId": user, "actorId": user, "projectId": None,
            "category": "code", "difficulty": "easy", "priority": "medium", "efficiency": None, "onTime": None,
            "estimateMinutes": None, "actualMinutes": 5, "firstCompletion": True, "completedAt": completed_at}
    _consume(_event("TaskCompleted", data, completed_at))


def _settings(user: str, timezone: str, hour: int, at: str) -> None:
    _consume(_event("UserSettingsChanged", {"userId": user, "timezone": timezone, "dayStartHour": hour}, at))


def _job(at: str) -> dict[str, Any]:
    return streak_job.handler({"at": at}, FakeLambdaContext())


def _call(method: str, path: str, user: str = "alice", headers: dict[str, str] | None = None
          ) -> tuple[int, dict[str, Any]]:
    response = api.handler(rest_event(method, path, headers=headers, authorizer={"userId": user, "roles": "user"}),
                           FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"])


def _streak(user: str = "alice") -> Any:
    return wiring.streak_repository().streak(user)


def _days(first: str, count: int, hour: int = 12) -> list[str]:
    start = datetime.fromisoformat(first).replace(tzinfo=UTC)
    return [(start + timedelta(days=n, hours=hour)).strftime("%Y-%m-%dT%H:%M:%S.000Z") for n in range(count)]


def _outbox_types(table: str) -> list[str]:
    items = boto3.client("dynamodb", region_name=template.REGION).scan(TableName=table)["Items"]
    return [item["detailType"]["S"] for item in items if item.get("kind", {}).get("S") == "outbox"]


def test_given_daily_completions_and_the_job_each_hour_then_the_streak_grows_and_pays_the_7_day_milestone(
        engagement) -> None:
    first = (datetime.now(UTC) - timedelta(days=6)).date()
    days = _days(first.isoformat(), 7, hour=0)  # midnight UTC each day, the last one today
    for day in days:
        _job(day[:10] + "T06:00:00Z")  # the UTC user's rollover hour (6 hours of grace after midnight)
        _complete("alice", day)

    streak = _streak()
    assert (streak.current, streak.best, streak.lastDay) == (7, 7, days[-1][:10])
    status, me = _call("GET", "/api/gamification/me")
    assert status == 200 and me["streaks"]["days"] == 7 and me["streaks"]["timezone"] == "UTC"
    milestone = [e for e in wiring.wallet_repository().ledger("alice", "xp", 100, None).items
                 if e.reason == "StreakMilestone"]
    assert [e.amount for e in milestone] == [20]


def test_given_a_missed_day_then_the_job_breaks_the_streak_once_and_running_again_changes_nothing(
        engagement) -> None:
    for day in _days("2026-11-01", 3):
        _complete("alice", day)
    # 4 November passes without activity; on 5 November, 6 hours after midnight, the job judges it
    first = _job("2026-11-05T06:00:00Z")
    assert first["broken"] == 1 and _streak().current == 0
    state = _streak()
    again = _job("2026-11-05T06:00:00Z")
    past = _job("2026-11-04T06:00:00Z")
    assert (again["broken"], past["broken"], again["visited"]) == (0, 0, 0)  # a broken run leaves the index
    assert _streak() == state
    assert _outbox_types(engagement["EngagementTable"]).count("StreakBroken") == 1


def test_given_the_job_for_an_hour_then_only_users_due_in_it_are_visited(engagement) -> None:
    _settings("tokyo", "Asia/Tokyo", 0, "2026-11-01T00:00:00.000Z")
    _complete("tokyo", "2026-11-01T03:00:00.000Z")  # 12:00 JST
    _complete("alice", "2026-11-01T12:00:00.000Z")

    assert _job("2026-11-02T21:00:00Z")["visited"] == 1  # Tokyo's rollover hour: 06:00 JST = 21:00 UTC
    assert _job("2026-11-02T13:00:00Z")["visited"] == 0


def test_given_a_freeze_bought_with_coins_then_it_saves_the_streak_over_a_missed_day(engagement) -> None:
    currencies.grant(wiring.wallet_repository(), "alice", "seed", "2026-11-01T00:00:00.000Z", {"coins": 60},
                     reason="Test")
    for day in _days("2026-11-01", 3):
        _complete("alice", day)

    status, bought = _call("POST", "/api/gamification/streaks/freezes", headers={"Idempotency-Key": "k1"})
    retried = _call("POST", "/api/gamification/streaks/freezes", headers={"Idempotency-Key": "k1"})
    refused = _call("POST", "/api/gamification/streaks/freezes", headers={"Idempotency-Key": "k2"})

    # 3 completions paid a coin each, the first-steps badge 10
    assert (status, bought) == (200, {"freezes": 1, "coins": 60 + 3 + 10 - 50})
    assert retried == (200, {"freezes": 1, "coins": 23})  # the same key buys once
    assert refused[0] == 409 and refused[1]["needed"] == 50  # 23 coins: too few for another
    report = _job("2026-11-05T06:00:00Z")  # 4 November missed
    assert (report["frozen"], report["broken"]) == (1, 0)
    _complete("alice", "2026-11-05T12:00:00.000Z")
    assert (_streak().current, _streak().freezes) == (4, 0)


def test_given_a_completion_dated_into_the_grace_window_then_it_extends_yesterday(engagement) -> None:
    for day in _days("2026-11-01", 2):
        _complete("alice", day)
    # At 02:00 on 3 November the client catches up with work finished at 23:30 on 2 November...
    late = _event("TaskCompleted", {
        "taskId": "late", "userId": "alice", "actorId": "alice", "projectId": None, "category": "code",
        "difficulty": "easy", "priority": "medium", "efficiency": None, "onTime": None, "estimateMinutes": None,
        "actualMinutes": 5, "firstCompletion": True, "completedAt": "2026-11-02T23:30:00.000Z"},
        "2026-11-03T02:00:00.000Z")
    _consume(late)
    # ...then the job judges 2 November at 06:00: covered, nothing breaks
    assert _job("2026-11-03T06:00:00Z")["broken"] == 0
    assert (_streak().current, _streak().lastDay) == (2, "2026-11-02")


def test_given_a_streak_of_seven_days_then_cash_in_credits_boost_credits_once_and_ends_it(engagement) -> None:
    assert _call("POST", "/api/gamification/streaks/cash-in")[0] == 409
    now = datetime.now(UTC)
    for n in range(7, 0, -1):
        day = (now - timedelta(days=n - 1)).strftime("%Y-%m-%dT%H:%M:%S.000Z")
        _complete("alice", day)

    status, cashed = _call("POST", "/api/gamification/streaks/cash-in")

    assert (status, cashed) == (200, {"length": 7, "boostCredits": 7})
    assert _call("POST", "/api/gamification/streaks/cash-in")[0] == 409
    assert wiring.wallet_repository().wallet("alice").balances["boostCredits"] == 7
    assert _streak().current == 0 and _streak().best == 7


def test_given_a_trip_from_tokyo_to_los_angeles_and_back_then_no_day_is_broken_or_doubled(engagement) -> None:
    _settings("alice", "Asia/Tokyo", 0, "2026-06-01T00:00:00.000Z")
    _complete("alice", "2026-06-10T03:00:00.000Z")  # 10 June 12:00 JST
    _complete("alice", "2026-06-11T03:00:00.000Z")
    _complete("alice", "2026-06-12T03:00:00.000Z")
    _job("2026-06-12T21:00:00Z")  # Tokyo judges 12 June at 06:00 JST on 13 June
    _settings("alice", "America/Los_Angeles", 0, "2026-06-12T20:00:00.000Z")  # lands in LA, 12 June there
    _complete("alice", "2026-06-12T22:00:00.000Z")  # 12 June 15:00 PDT: the same date, not another day
    assert _streak().current == 3
    _complete("alice", "2026-06-13T20:00:00.000Z")  # 13 June PDT
    assert _job("2026-06-14T13:00:00Z")["broken"] == 0  # LA judges 13 June at 06:00 PDT
    _settings("alice", "Asia/Tokyo", 0, "2026-06-14T18:00:00.000Z")  # back: 15 June 03:00 JST
    assert _job("2026-06-14T21:00:00Z")["broken"] == 0  # Tokyo judges 14 June: 13 June PDT ended in it
    assert _streak().current == 4


def test_given_the_evening_of_a_day_not_yet_extended_then_one_streak_at_risk_per_date(engagement) -> None:
    _complete("alice", "2026-11-01T12:00:00.000Z")
    _complete("alice", "2026-11-02T12:00:00.000Z")

    early = _job("2026-11-02T20:00:00Z")  # 20:00 UTC on a day already extended: nothing at risk
    evening = _job("2026-11-03T20:00:00Z")  # 3 November has no activity yet
    again = _job("2026-11-03T20:00:00Z")

    assert (early["warned"], evening["warned"], again["warned"]) == (0, 1, 0)
    assert _outbox_types(engagement["EngagementTable"]).count("StreakAtRisk") == 1

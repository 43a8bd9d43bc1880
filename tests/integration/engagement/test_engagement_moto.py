"""The engagement service in-process against moto: task events through the consumer, the outbox items
they write, the progress and ledger routes, and a deleted user forgotten."""

from __future__ import annotations

import json
from typing import Any

import boto3

from deepiri_common.events import DomainEvent
from deepiri_engagement import wiring
from deepiri_engagement.handlers import api, consumers
from tests.support import flows, template
from tests.support.apigw import rest_event
from tests.support.lambda_context import FakeLambdaContext


def _completed(task: str = "t1", user: str = "alice", **overrides: Any) -> DomainEvent:
    data = {"taskId": task, "userId": user, "actorId": user, "projectId": None, "category": "code",
            "difficulty": "hard", "priority": "medium", "efficiency": None, "onTime": None, "estimateMinutes": None,
            "actualMinutes": 30, "firstCompletion": True, "completedAt": flows.noon_today(), **overrides}
    return DomainEvent.new("tasks", "TaskCompleted", data, actor=user)


def _reopened(task: str = "t1", user: str = "alice") -> DomainEvent:
    data = {"taskId": task, "userId": user, "ownerId": user, "projectId": None}
    return DomainEvent.new("tasks", "TaskReopened", data, actor=user)


def _consume(*events: DomainEvent) -> None:
    assert consumers.handler(flows.sqs_of_events(*events), FakeLambdaContext()) == {"batchItemFailures": []}


def _get(path: str, user: str = "alice", query: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    event = rest_event("GET", path, authorizer={"userId": user, "roles": "user"}, query=query)
    response = api.handler(event, FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"])


def _outbox(table: str) -> list[tuple[str, dict[str, Any]]]:
    items = boto3.client("dynamodb", region_name=template.REGION).scan(TableName=table)["Items"]
    return sorted(((item["detailType"]["S"], json.loads(item["detail"]["S"])["data"])
                   for item in items if item.get("kind", {}).get("S") == "outbox"), key=json.dumps)


def test_given_completions_then_progress_shows_xp_level_and_balances(engagement) -> None:
    _consume(_completed("t1", difficulty="epic"), _completed("t2", difficulty="hard"))

    status, me = _get("/api/gamification/me")

    assert status == 200
    streaks, recent = me.pop("streaks"), me.pop("recentBadges")
    assert me == {"userId": "alice", "level": 2, "xp": 120, "xpIntoLevel": 20, "xpForNextLevel": 150,
                  "progress": 0.1333, "balances": {"xp": 120, "coins": 32 + 10, "gems": 0, "boostCredits": 0},
                  "boosts": []}  # 12 coins of XP, 20 of level 2, 10 of the first-steps badge
    assert [(b["badgeId"], b["tier"]) for b in recent] == [("first-steps", "bronze")]
    assert (streaks["days"], streaks["longest"], streaks["timezone"]) == (1, 1, "UTC")  # two tasks, one day
    published = _outbox(engagement["EngagementTable"])
    assert ("LevelUp", {"userId": "alice", "level": 2, "previousLevel": 1}) in published
    assert [kind for kind, _ in published].count("XpAwarded") == 2


def test_given_a_stranger_then_progress_is_level_one_and_empty(engagement) -> None:
    assert _get("/api/gamification/me", user="nobody")[1]["balances"] == {"xp": 0, "coins": 0, "gems": 0,
                                                                          "boostCredits": 0}


def _at(event: DomainEvent, second: int) -> DomainEvent:
    """``event`` as if it happened at a given second (events of one task are ordered by their time)."""
    detail = event.detail.model_copy(update={"occurredAt": f"2026-11-30T10:00:{second:02d}.000Z"})
    return event.model_copy(update={"detail": detail})


def test_given_complete_reopen_complete_delivered_twice_in_any_order_then_xp_counts_once(engagement) -> None:
    first, reopened, second = _at(_completed(), 1), _at(_reopened(), 2), _at(_completed(), 3)

    _consume(second, reopened, first, second, reopened)

    me = _get("/api/gamification/me")[1]
    assert me["xp"] == 40 and me["balances"]["coins"] == 4 + 10  # and the first-steps badge, once


def test_given_a_reopened_task_then_the_ledger_shows_the_credits_and_their_reversal(engagement) -> None:
    _consume(_completed())
    _consume(_reopened())

    status, page = _get("/api/gamification/ledger")

    assert status == 200
    assert [(e["currency"], e["amount"], e["balance"], e["reason"], e["taskId"]) for e in page["items"]] == [
        ("coins", -4, 10, "TaskReopened", "t1"), ("xp", -40, 0, "TaskReopened", "t1"),
        ("coins", 10, 14, "BadgeEarned", "t1"),  # first steps: a badge is never taken back
        ("coins", 4, 4, "TaskCompleted", "t1"), ("xp", 40, 40, "TaskCompleted", "t1")]
    assert page["nextCursor"] is None


def test_given_a_long_ledger_then_pages_and_the_currency_filter_follow_each_other(engagement) -> None:
    _consume(*[_completed(f"t{n}", difficulty="easy") for n in range(5)])

    status, first = _get("/api/gamification/ledger", query={"limit": "3"})
    assert status == 200 and len(first["items"]) == 3 and first["nextCursor"]
    rest = _get("/api/gamification/ledger", query={"limit": "20", "cursor": first["nextCursor"]})[1]
    # xp and coins of 5 tasks, and the badges first steps (1 task) and coder (5 code tasks)
    assert len(first["items"]) + len(rest["items"]) == 12
    only_xp = _get("/api/gamification/ledger", query={"currency": "xp"})[1]
    assert [e["currency"] for e in only_xp["items"]] == ["xp"] * 5


def test_given_a_cursor_of_another_user_or_a_bad_filter_then_400_or_422(engagement) -> None:
    _consume(_completed(user="alice"), _completed(user="bob"))
    cursor = _get("/api/gamification/ledger", user="bob", query={"limit": "1"})[1]["nextCursor"]

    status, problem = _get("/api/gamification/ledger", user="alice", query={"cursor": cursor})
    assert status == 400 and problem["detail"] == "invalid cursor"
    status, problem = _get("/api/gamification/ledger", query={"currency": "diamonds"})
    assert status == 422 and problem["errors"][0]["field"] == "query.currency"


def test_given_a_deleted_user_then_nothing_of_theirs_remains(engagement) -> None:
    _consume(_completed(user="alice"), _completed(user="bob"))

    _consume(DomainEvent.new("users", "UserDeleted", {"userId": "alice"}, actor="alice"))

    items = boto3.client("dynamodb", region_name=template.REGION).scan(TableName=engagement["EngagementTable"])
    owners = {item["pk"]["S"] for item in items["Items"] if item["pk"]["S"].startswith("USER#")}
    assert owners == {"USER#bob"}
    assert _get("/api/gamification/me")[1]["xp"] == 0


def test_given_a_concurrent_write_then_the_event_is_decided_again_on_the_new_state(engagement,
                                                                                    monkeypatch) -> None:
    repository = wiring.wallet_repository()
    real_save, calls = repository.save, []

    def save_after_a_rival(previous, outcome, at, also=()):
        if not calls:  # a rival event lands between this one's read and its write
            calls.append("rival")
            _consume(_completed("rival", difficulty="epic"))
        return real_save(previous, outcome, at, also)

    monkeypatch.setattr(repository, "save", save_after_a_rival)
    _consume(_completed("t1", difficulty="hard"))

    assert _get("/api/gamification/me")[1]["xp"] == 120

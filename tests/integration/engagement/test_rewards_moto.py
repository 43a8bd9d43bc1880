"""Badges, claimable rewards, boosts, challenges and duels in-process against moto: events through the
consumer, the routes, the items written once, and a deleted user's new items purged."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from deepiri_common.clock import to_iso
from deepiri_common.events import DomainEvent
from deepiri_engagement import wiring
from deepiri_engagement.handlers import api, consumers
from deepiri_engagement.logic import badges, currencies
from deepiri_engagement.models.wallet import Wallet
from tests.support import flows, template
from tests.support.apigw import rest_event
from tests.support.lambda_context import FakeLambdaContext


def _event(source: str, kind: str, data: dict[str, Any], at: str | None = None) -> DomainEvent:
    event = DomainEvent.new(source, kind, data, actor="system")
    if at is None:
        return event
    return event.model_copy(update={"detail": event.detail.model_copy(update={"occurredAt": at})})


def _consume(*events: DomainEvent) -> None:
    assert consumers.handler(flows.sqs_of_events(*events), FakeLambdaContext()) == {"batchItemFailures": []}


def _call(method: str, path: str, user: str = "alice", body: Any = None,
          headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    event = rest_event(method, path, body=body, headers=headers, authorizer={"userId": user, "roles": "user"})
    response = api.handler(event, FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"])


def _completed(task: str, user: str = "alice", at: str | None = None, **overrides: Any) -> DomainEvent:
    data = {"taskId": task, "userId": user, "actorId": user, "projectId": None, "category": "code",
            "difficulty": "medium", "priority": "medium", "efficiency": None, "onTime": None,
            "estimateMinutes": None, "actualMinutes": 30, "firstCompletion": True,
            **({} if at else {"completedAt": flows.noon_today()}), **overrides}
    return _event("tasks", "TaskCompleted", data, at)


def _challenge(challenge: str, user: str = "alice", points: int = 250, bonus: float = 1.5,
               at: str | None = None) -> DomainEvent:
    return _event("challenges", "ChallengeCompleted", {
        "challengeId": challenge, "userId": user, "pointsReward": points, "bonusMultiplier": bonus, "taskId": None,
        "difficulty": "hard", "completedAt": at or to_iso(datetime.now(UTC))}, at)


def _items(table: str) -> list[dict[str, Any]]:
    return boto3.client("dynamodb", region_name=template.REGION).scan(TableName=table)["Items"]


def _outbox(table: str, kind: str) -> list[dict[str, Any]]:
    return [json.loads(item["detail"]["S"])["data"] for item in _items(table)
            if item.get("kind", {}).get("S") == "outbox" and item["detailType"]["S"] == kind]


def test_given_a_first_task_then_the_badge_list_shows_it_earned_once_and_progress_to_the_next(engagement) -> None:
    first = _completed("t1")
    _consume(first, first, _completed("t2"))

    status, listed = _call("GET", "/api/gamification/badges")

    assert status == 200 and len(listed["items"]) == len(badges.CATALOGUE) == 21 and listed["earned"] == 1
    by_id = {badge["badgeId"]: badge for badge in listed["items"]}
    assert by_id["first-steps"]["tiers"][0]["earnedAt"] is not None and by_id["first-steps"]["nextTier"] is None
    master = by_id["task-master"]
    assert (master["value"], master["nextTier"], master["progress"]) == (2, "bronze", 0.2)
    assert all(tier["earnedAt"] is None for tier in master["tiers"])
    assert _outbox(engagement["EngagementTable"], "BadgeEarned") == [
        {"userId": "alice", "badgeId": "first-steps", "name": "First steps", "tier": "bronze", "coins": 10,
         "gems": 0, "rewardId": None}]
    badge_items = [item["sk"]["S"] for item in _items(engagement["EngagementTable"])
                   if item["sk"]["S"].startswith("BADGE#")]
    assert badge_items == ["BADGE#first-steps#bronze"]


def test_given_a_challenge_completed_then_its_xp_is_credited_once_and_counts_for_the_challenger_badge(
        engagement) -> None:
    done = _challenge("c1")
    _consume(done, done, _challenge("c1"))  # the event twice, and the same challenge under another event id

    status, me = _call("GET", "/api/gamification/me")

    assert status == 200 and me["xp"] == 38  # 250 * 1.5 / 10 = 37.5, half up
    assert me["balances"]["coins"] == 3 + 10  # 38 XP's coins, the challenger badge's
    assert [(b["badgeId"], b["tier"]) for b in me["recentBadges"]] == [("challenger", "bronze")]


def test_given_a_malformed_challenge_then_it_is_a_permanent_failure_not_a_credit(engagement) -> None:
    bad, nobody = _challenge("c1", bonus=5.0), _challenge("c2", user="")
    result = consumers.handler(flows.sqs_of_events(bad, nobody), FakeLambdaContext())

    assert result == {"batchItemFailures": []}  # dead-lettered at once, not retried
    assert _call("GET", "/api/gamification/me")[1]["xp"] == 0


def test_given_a_duel_finished_then_ratings_move_and_the_winner_is_paid_once(engagement) -> None:
    duel = _event("challenges", "DuelFinished", {"duelId": "d1", "category": "code", "participantIds": ["alice", "bob"],
                                                 "winnerId": "alice", "scores": {"alice": 3, "bob": 1},
                                                 "reason": "completed"})
    _consume(duel, duel)

    assert _call("GET", "/api/gamification/me")[1]["xp"] == 25
    assert _call("GET", "/api/gamification/me", user="bob")[1]["xp"] == 0
    standing = _call("GET", "/api/gamification/leaderboards/elo/me")[1]
    assert standing["me"]["score"] == 1516 and standing["rating"]["wins"] == 1
    assert "duelist#bronze" in wiring.wallet_repository().wallet("alice").badges


def test_given_boost_credits_then_a_boost_is_bought_once_per_key_and_multiplies_only_inside_its_window(
        engagement) -> None:
    currencies.grant(wiring.wallet_repository(), "alice", "seed", "2026-11-30T00:00:00.000Z", {"boostCredits": 9},
                     reason="Test")
    headers = {"Idempotency-Key": "boost-1"}

    status, bought = _call("POST", "/api/gamification/boosts", body={"kind": "focus"}, headers=headers)
    retried = _call("POST", "/api/gamification/boosts", body={"kind": "focus"}, headers=headers)

    assert status == 200 and bought["boostCredits"] == 4 and bought["boost"]["kind"] == "focus"
    assert retried == (200, bought)
    starts = datetime.fromisoformat(bought["boost"]["startsAt"])
    ends = datetime.fromisoformat(bought["boost"]["endsAt"])
    assert ends - starts == timedelta(minutes=60)
    inside, after = to_iso(starts + timedelta(minutes=30)), to_iso(ends)
    _consume(_completed("in", at=inside), _completed("out", at=after))
    ledger = _call("GET", "/api/gamification/ledger", body=None)[1]["items"]
    assert sorted((e["taskId"], e["amount"]) for e in ledger if e["currency"] == "xp") == [("in", 30), ("out", 20)]
    assert [b["kind"] for b in _call("GET", "/api/gamification/me")[1]["boosts"]] == ["focus"]


def test_given_too_few_credits_or_three_active_boosts_then_buying_is_a_409_and_nothing_moves(engagement) -> None:
    currencies.grant(wiring.wallet_repository(), "alice", "seed", "2026-11-30T00:00:00.000Z", {"boostCredits": 9},
                     reason="Test")
    for kind in ("debug", "velocity"):
        assert _call("POST", "/api/gamification/boosts", body={"kind": kind})[0] == 200  # 2 + 3 credits

    poor = _call("POST", "/api/gamification/boosts", body={"kind": "focus"})
    assert poor[0] == 409 and (poor[1]["currency"], poor[1]["needed"], poor[1]["balance"]) == ("boostCredits", 5, 4)
    currencies.grant(wiring.wallet_repository(), "alice", "more", "2026-11-30T00:00:00.000Z", {"boostCredits": 9},
                     reason="Test")
    assert _call("POST", "/api/gamification/boosts", body={"kind": "cleanup"})[0] == 200  # the third: 3 credits
    fourth = _call("POST", "/api/gamification/boosts", body={"kind": "focus"})
    assert fourth[0] == 409 and "at most 3" in fourth[1]["detail"]
    again = _call("POST", "/api/gamification/boosts", body={"kind": "debug"})
    assert again[0] == 409 and "already active" in again[1]["detail"]
    assert wiring.wallet_repository().wallet("alice").balances["boostCredits"] == 10
    unknown = _call("POST", "/api/gamification/boosts", body={"kind": "turbo"})
    assert unknown[0] == 422


def _earn_gold_and_platinum(user: str = "alice") -> None:
    """Challenger gold (50) and platinum (200): boost credits and a streak freeze to claim."""
    repository = wiring.wallet_repository()
    wallet = repository.wallet(user)
    counted = Wallet(user, counters={"challengesCompleted": 199, "xp": 470, "level": 3})
    seeded = currencies.granted(counted, "seed", {}, "Test")
    repository.save(wallet, seeded, "2026-11-30T00:00:00.000Z")
    _consume(_challenge("c200", user=user, points=100, bonus=1.0))  # 200th challenge; lifetime XP 480 -> level 4
    _consume(_challenge("c201", user=user, points=3000, bonus=1.0))  # +300: lifetime 780, level 4 still


def test_given_rewards_granted_by_badges_then_each_is_listed_and_claimed_exactly_once(engagement) -> None:
    _earn_gold_and_platinum()

    status, listed = _call("GET", "/api/gamification/rewards")
    assert status == 200
    assert [(r["rewardId"], r["kind"], r["amount"], r["claimedAt"]) for r in listed["items"]] == [
        ("badge-challenger-gold", "boostCredits", 5, None), ("badge-challenger-platinum", "streakFreeze", 1, None)]
    credits = wiring.wallet_repository().wallet("alice").balances["boostCredits"]

    status, claimed = _call("POST", "/api/gamification/rewards/badge-challenger-gold/claim")
    twice = _call("POST", "/api/gamification/rewards/badge-challenger-gold/claim")
    status_freeze, _ = _call("POST", "/api/gamification/rewards/badge-challenger-platinum/claim")

    assert status == 200 and claimed["claimedAt"] is not None
    assert twice[0] == 409
    assert status_freeze == 200 and wiring.streak_repository().streak("alice").freezes == 1
    assert wiring.wallet_repository().wallet("alice").balances["boostCredits"] == credits + 5
    assert _call("POST", "/api/gamification/rewards/badge-challenger-gold/claim", user="bob")[0] == 404
    assert _call("POST", "/api/gamification/rewards/nope/claim")[0] == 404
    assert _call("POST", "/api/gamification/rewards/BAD%20ID/claim")[0] in (404, 422)
    listed = _call("GET", "/api/gamification/rewards")[1]["items"]
    assert all(r["claimedAt"] is not None for r in listed)


def test_given_a_deleted_user_then_their_badges_rewards_and_boosts_go_too(engagement) -> None:
    _earn_gold_and_platinum()
    _consume(_completed("t1"))

    _consume(_event("users", "UserDeleted", {"userId": "alice"}))

    left = [item["sk"]["S"] for item in _items(engagement["EngagementTable"])
            if item["pk"]["S"] == "USER#alice"]
    assert left == []
    assert _call("GET", "/api/gamification/badges")[1]["earned"] == 0

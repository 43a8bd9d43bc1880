"""Badges, rewards, boosts, challenges and duels through the deployed local stack: a badge is earned once
(BadgeEarned on the bus once), ChallengeCompleted put on the bus credits its XP, a claimed reward buys a
boost that multiplies only the awards inside its window, and a duel moves two ratings and pays the winner."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from deepiri_common.clock import to_iso
from deepiri_common.events import DomainEvent
from deepiri_common.ids import new_ulid
from tests.e2e.conftest import HOUR_BADGES, wait_for

pytestmark = pytest.mark.e2e


def _me(api, token: str) -> dict[str, Any]:
    response = api("GET", "/api/gamification/me", token=token)
    assert response.status_code == 200, response.text
    return response.json()


def _mine(events: list[dict[str, Any]], user_id: str) -> list[dict[str, Any]]:
    return [e["detail"]["data"] for e in events if e["detail"]["data"]["userId"] == user_id]


def test_given_a_task_completed_reopened_and_completed_again_then_its_badge_is_earned_once(
        api, account, bus_tap) -> None:
    earned = bus_tap("BadgeEarned")
    user = account("badge-once")
    task = api("POST", "/api/tasks", token=user.token, json={"title": "Write the changelog", "priority": "low",
                                                             "difficulty": "easy", "category": "writing"}).json()

    assert api("POST", f"/api/tasks/{task['id']}/complete", token=user.token, json={}).status_code == 200
    wait_for(lambda: _me(api, user.token)["xp"] == 10, seconds=40)
    assert api("POST", f"/api/tasks/{task['id']}/reopen", token=user.token).status_code == 200
    wait_for(lambda: _me(api, user.token)["xp"] == 0, seconds=40)
    assert api("POST", f"/api/tasks/{task['id']}/complete", token=user.token, json={}).status_code == 200
    wait_for(lambda: _me(api, user.token)["xp"] == 10, seconds=40)

    seen: list[dict[str, Any]] = []
    wait_for(lambda: seen.extend(_mine(earned(), user.id)) or seen, seconds=30)
    time.sleep(3)  # a second BadgeEarned, if any, would be on its way by now
    seen.extend(_mine(earned(), user.id))
    by_hour = [e for e in seen if e["badgeId"] in HOUR_BADGES]  # early bird or night owl, by CI's hour: once too
    assert len(by_hour) <= 1
    assert [e for e in seen if e not in by_hour] == [{"userId": user.id, "badgeId": "first-steps",
                                                     "name": "First steps", "tier": "bronze", "coins": 10,
                                                     "gems": 0, "rewardId": None}]
    badges = api("GET", "/api/gamification/badges", token=user.token).json()
    first = next(b for b in badges["items"] if b["badgeId"] == "first-steps")
    assert badges["earned"] == 1 + len(by_hour) and first["tiers"][0]["earnedAt"] is not None
    # the task's coin once, each badge's once
    assert _me(api, user.token)["balances"]["coins"] == 1 + 10 + 10 * len(by_hour)


def _challenge(user_id: str, points: int, bonus: float) -> DomainEvent:
    return DomainEvent.new("challenges", "ChallengeCompleted", {
        "challengeId": new_ulid(), "userId": user_id, "pointsReward": points, "bonusMultiplier": bonus,
        "taskId": None, "difficulty": "medium", "completedAt": to_iso(datetime.now(UTC))}, actor="system")


def _task_completed(user_id: str, at: datetime) -> DomainEvent:
    data = {"taskId": new_ulid(), "userId": user_id, "actorId": user_id, "projectId": None, "category": "code",
            "difficulty": "medium", "priority": "medium", "efficiency": None, "onTime": None,
            "estimateMinutes": None, "actualMinutes": 10, "firstCompletion": True, "completedAt": to_iso(at)}
    event = DomainEvent.new("tasks", "TaskCompleted", data, actor=user_id)
    return event.model_copy(update={"detail": event.detail.model_copy(update={"occurredAt": to_iso(at)})})


def _ledger(api, token: str) -> list[dict[str, Any]]:
    """Every XP entry of the caller's ledger (newest first, by the source event's time), page by page."""
    entries: list[dict[str, Any]] = []
    cursor = None
    for _ in range(20):  # bounded: a few hundred entries at most here
        params = {"currency": "xp", "limit": 100, **({"cursor": cursor} if cursor else {})}
        page = api("GET", "/api/gamification/ledger", token=token, params=params).json()
        entries += page["items"]
        cursor = page["nextCursor"]
        if cursor is None:
            break
    return entries


def test_given_challenges_on_the_bus_then_xp_is_credited_and_a_claimed_reward_buys_a_boost_for_its_window(
        api, account, publish) -> None:
    user = account("booster")
    first = _challenge(user.id, 250, 1.5)
    publish(first)
    publish(first)
    wait_for(lambda: _me(api, user.token)["xp"] == 38, seconds=40)  # 250 * 1.5 / 10 = 37.5, half up; once

    for _ in range(49):  # 50 challenges: the challenger badge's gold tier grants 5 boost credits to claim
        publish(_challenge(user.id, 100, 1.0))
    wait_for(lambda: _me(api, user.token)["xp"] == 38 + 49 * 10, seconds=120)
    rewards = api("GET", "/api/gamification/rewards", token=user.token).json()["items"]
    assert [(r["rewardId"], r["kind"], r["amount"]) for r in rewards] == [
        ("badge-challenger-gold", "boostCredits", 5)]
    claimed = api("POST", "/api/gamification/rewards/badge-challenger-gold/claim", token=user.token)
    assert claimed.status_code == 200, claimed.text
    assert api("POST", "/api/gamification/rewards/badge-challenger-gold/claim", token=user.token).status_code == 409

    bought = api("POST", "/api/gamification/boosts", token=user.token, json={"kind": "debug"})
    assert bought.status_code == 200, bought.text
    assert bought.json()["boostCredits"] == 3
    starts = datetime.fromisoformat(bought.json()["boost"]["startsAt"])
    publish(_task_completed(user.id, starts + timedelta(seconds=1)))  # inside: 20 * 1.2
    publish(_task_completed(user.id, starts - timedelta(minutes=10)))  # before it: 20
    xp = 38 + 490
    wait_for(lambda: _me(api, user.token)["xp"] == xp + 24 + 20, seconds=40)
    assert sorted(e["amount"] for e in _ledger(api, user.token) if e["reason"] == "TaskCompleted") == [20, 24]
    assert [b["kind"] for b in _me(api, user.token)["boosts"]] == ["debug"]
    assert api("POST", "/api/gamification/boosts", token=user.token, json={"kind": "focus"}).status_code == 409


def test_given_a_duel_result_then_two_ratings_move_and_only_the_winner_is_paid(api, account, publish) -> None:
    winner, loser = account("duel-paid-winner"), account("duel-paid-loser")
    duel = DomainEvent.new("challenges", "DuelFinished", {
        "duelId": new_ulid(), "category": "design", "participantIds": [winner.id, loser.id], "winnerId": winner.id,
        "scores": {winner.id: 2, loser.id: 0}, "reason": "completed"}, actor="system")

    publish(duel)
    publish(duel)

    wait_for(lambda: _me(api, winner.token)["xp"] == 25, seconds=60)
    for user, rating in ((winner, 1516), (loser, 1484)):
        mine = api("GET", "/api/gamification/leaderboards/elo-design/me", token=user.token).json()
        assert mine["me"]["score"] == rating
    assert _me(api, loser.token)["xp"] == 0
    assert _me(api, winner.token)["balances"]["coins"] == 2 + 10  # 25 XP's coins, the duelist badge

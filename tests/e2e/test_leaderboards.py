"""Leaderboards and ratings through the deployed local stack: finished tasks move the all-time and weekly
boards, a duel moves two ELO ratings and publishes RatingChanged, the friends board follows the users
service's friendships, and a deleted user leaves nothing on any board."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from deepiri_common.clock import to_iso
from deepiri_common.events import DomainEvent
from deepiri_common.ids import new_ulid
from tests.e2e.conftest import wait_for

pytestmark = pytest.mark.e2e

BOARDS = "/api/gamification/leaderboards"


def _mine(api, token: str, board: str) -> dict[str, Any]:
    response = api("GET", f"{BOARDS}/{board}/me", token=token)
    assert response.status_code == 200, response.text
    return response.json()


def _score(api, token: str, board: str) -> int | None:
    me = _mine(api, token, board)["me"]
    return None if me is None else me["score"]


def _complete(api, token: str, difficulty: str) -> None:
    body = {"title": "Ship the board", "priority": "medium", "difficulty": difficulty, "category": "code"}
    task = api("POST", "/api/tasks", token=token, json=body)
    assert task.status_code == 201, task.text
    assert api("POST", f"/api/tasks/{task.json()['id']}/complete", token=token, json={}).status_code == 200


def test_given_completed_tasks_then_users_move_on_the_all_time_and_weekly_boards(api, account) -> None:
    low, high = account("board-low"), account("board-high")
    _complete(api, low.token, "easy")
    _complete(api, high.token, "epic")

    wait_for(lambda: _score(api, high.token, "xp") == 80 and _score(api, low.token, "xp") == 10, seconds=60)
    wait_for(lambda: _score(api, high.token, "weekly") == 80 and _score(api, low.token, "weekly") == 10, seconds=30)
    for board in ("xp", "weekly"):
        high_rank, low_rank = (_mine(api, user.token, board)["me"]["rank"] for user in (high, low))
        assert high_rank < low_rank
    weekly = api("GET", f"{BOARDS}/weekly", token=low.token, params={"limit": 100}).json()
    assert weekly["timezone"] == "UTC" and weekly["period"].count("-W") == 1
    assert weekly["periodStart"].endswith("T00:00:00.000Z")
    ranks = [row["rank"] for row in weekly["items"]]
    assert ranks == list(range(1, len(ranks) + 1))

    _complete(api, low.token, "epic")
    wait_for(lambda: _score(api, low.token, "xp") == 90, seconds=60)
    assert _mine(api, low.token, "xp")["me"]["rank"] < _mine(api, high.token, "xp")["me"]["rank"]


def test_given_a_duel_finished_on_the_bus_then_two_ratings_move_once_and_rating_changed_is_published(
        api, account, publish, bus_tap) -> None:
    changes = bus_tap("RatingChanged")
    winner, loser = account("duel-winner"), account("duel-loser")
    duel = DomainEvent.new("challenges", "DuelFinished", {
        "duelId": new_ulid(), "category": "writing", "participantIds": [winner.id, loser.id],
        "winnerId": winner.id, "scores": {winner.id: 3, loser.id: 1}, "reason": "completed"}, actor="system")

    publish(duel)
    publish(duel)

    wait_for(lambda: _score(api, winner.token, "elo") == 1516, seconds=60)
    assert _score(api, loser.token, "elo") == 1484
    assert _score(api, winner.token, "elo-writing") == 1516 and _score(api, loser.token, "elo-writing") == 1484
    assert _mine(api, winner.token, "elo")["rating"]["winStreak"] == 1
    seen: list[dict[str, Any]] = []
    mine = {winner.id, loser.id}
    wait_for(lambda: seen.extend(e for e in changes() if e["detail"]["data"]["userId"] in mine) or len(seen) >= 2,
             seconds=30)
    assert sorted((e["detail"]["data"]["result"], e["detail"]["data"]["overall"]["rating"]) for e in seen) == [
        ("loss", 1484), ("win", 1516)]


def test_given_friends_made_and_unmade_through_the_users_service_then_the_friends_board_follows(
        api, account) -> None:
    ann, ben = account("friends-ann"), account("friends-ben")
    _complete(api, ben.token, "hard")
    asked = api("POST", "/api/users/me/friends/requests", token=ann.token, json={"userId": ben.id})
    assert asked.status_code == 201, asked.text
    assert api("POST", f"/api/users/me/friends/requests/{ann.id}/accept", token=ben.token).status_code == 200

    def friends_of(user) -> list[str]:
        return [row["userId"] for row in api("GET", f"{BOARDS}/friends", token=user.token).json()["items"]]

    wait_for(lambda: friends_of(ann) == [ben.id, ann.id], seconds=60)
    assert _mine(api, ann.token, "friends")["me"]["rank"] == 2

    assert api("DELETE", f"/api/users/me/friends/{ben.id}", token=ann.token).status_code == 204
    wait_for(lambda: friends_of(ann) == [ann.id] and friends_of(ben) == [ben.id], seconds=60)


def test_given_a_deleted_user_then_nothing_of_theirs_is_left_on_the_boards(api, account, publish) -> None:
    gone, rival = account("boards-gone"), account("boards-rival")
    _complete(api, gone.token, "medium")
    publish(DomainEvent.new("challenges", "DuelFinished", {
        "duelId": new_ulid(), "category": "code", "participantIds": [gone.id, rival.id], "winnerId": None,
        "scores": {}, "reason": "completed"}, actor="system"))
    # 20 for the task, 10 for the draw (paid through the wallet, then the XP boards)
    wait_for(lambda: _score(api, gone.token, "xp") == 30 and _score(api, gone.token, "elo-code") == 1500,
             seconds=60)

    publish(DomainEvent.new("users", "UserDeleted", {"userId": gone.id}, actor=gone.id))

    wait_for(lambda: all(_score(api, gone.token, board) is None
                         for board in ("xp", "weekly", "elo", "elo-code")), seconds=60)
    for board in ("xp", "weekly", "elo", "elo-code"):
        rows = api("GET", f"{BOARDS}/{board}", token=rival.token, params={"limit": 100}).json()["items"]
        assert gone.id not in [row["userId"] for row in rows]
    assert _score(api, rival.token, "elo-code") == 1500


def test_given_xp_earned_last_week_then_the_weekly_board_has_reset_and_last_week_keeps_its_standings(
        api, account, publish) -> None:
    user = account("weekly-reset")
    now = datetime.now(UTC)
    last_week = now - timedelta(days=7)
    awarded = DomainEvent.new("engagement", "XpAwarded", {
        "userId": user.id, "amount": 45, "totalXp": 45, "reason": "TaskCompleted", "sourceEventId": new_ulid()},
        actor="system")
    publish(awarded.model_copy(update={"detail": awarded.detail.model_copy(update={"occurredAt": to_iso(last_week)})}))

    wait_for(lambda: _score(api, user.token, "weekly-previous") == 45, seconds=60)
    assert _score(api, user.token, "weekly") is None  # Monday 00:00 UTC began a new week: nothing of it yet
    assert _score(api, user.token, "xp") == 45
    previous = _mine(api, user.token, "weekly-previous")
    assert previous["periodEnd"] == api("GET", f"{BOARDS}/weekly", token=user.token).json()["periodStart"]

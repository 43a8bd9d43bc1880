"""Leaderboards and ratings in-process against moto: the wallet's own XP events move the all-time and
weekly boards once in any order, duels move ELO ratings once and publish RatingChanged, friendships make
the friends board, ranks come from the counters, a board rebuilds from the ledger, and a deleted user
leaves nothing on any board."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from deepiri_common.events import DomainEvent
from deepiri_common.outbox import outbox_events
from deepiri_engagement import wiring
from deepiri_engagement.handlers import api, consumers
from deepiri_engagement.logic import standings
from tests.support import flows, template
from tests.support.apigw import rest_event
from tests.support.lambda_context import FakeLambdaContext


@pytest.fixture
def boards(engagement: dict[str, str]) -> dict[str, str]:
    return engagement


def _event(source: str, kind: str, data: dict[str, Any], second: int | None = None) -> DomainEvent:
    event = DomainEvent.new(source, kind, data, actor="system")
    if second is None:
        return event
    detail = event.detail.model_copy(update={"occurredAt": f"2026-11-30T10:{second // 60:02d}:{second % 60:02d}.000Z"})
    return event.model_copy(update={"detail": detail})


def _xp(user: str, amount: int, second: int | None = None) -> DomainEvent:
    return _event("engagement", "XpAwarded", {"userId": user, "amount": amount, "totalXp": amount,
                                              "reason": "TaskCompleted", "sourceEventId": None}, second)


def _debit(user: str, amount: int, currency: str = "xp", second: int | None = None) -> DomainEvent:
    return _event("engagement", "CurrencyDebited", {"userId": user, "currency": currency, "amount": amount,
                                                    "balance": 0, "reason": "TaskReopened", "sourceId": "x"}, second)


def _duel(duel: str, a: str, b: str, winner: str | None, category: str = "code") -> DomainEvent:
    return _event("challenges", "DuelFinished", {"duelId": duel, "category": category, "participantIds": [a, b],
                                                 "winnerId": winner, "scores": {a: 1, b: 0}, "reason": "completed"})


def _consume(*events: DomainEvent) -> None:
    assert consumers.handler(flows.sqs_of_events(*events), FakeLambdaContext()) == {"batchItemFailures": []}


def _get(path: str, user: str = "ann", query: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    response = api.handler(rest_event("GET", path, authorizer={"userId": user, "roles": "user"}, query=query),
                           FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"])


def _board(board: str, user: str = "ann", **query: str) -> list[tuple[str, int]]:
    status, page = _get(f"/api/gamification/leaderboards/{board}", user, query)
    assert status == 200, page
    return [(row["userId"], row["score"]) for row in page["items"]]


def test_given_xp_events_duplicated_and_out_of_order_then_each_counts_once(boards) -> None:
    events = [_xp("ann", 40, 1), _xp("ben", 25, 2), _debit("ann", 10, second=3), _xp("ann", 5, 4),
              _debit("ben", 3, "coins", 5)]
    delivery = events + events[:3]
    random.Random(7).shuffle(delivery)

    _consume(*delivery)

    assert _board("xp") == [("ann", 35), ("ben", 25)]
    first, _ = wiring.board_repository().first("weekly", "2026-W49", 10, None)  # the events' ISO week
    assert [(e.userId, e.score) for e in first] == [("ann", 35), ("ben", 25)]
    status, me = _get("/api/gamification/leaderboards/xp/me", "ben")
    assert status == 200 and me["me"]["rank"] == 2 and [r["userId"] for r in me["above"]] == ["ann"]
    assert me["period"] == "all" and me["timezone"] == "UTC"


def test_given_completed_tasks_then_the_wallets_own_events_move_the_boards(boards) -> None:
    def completed(task: str, user: str, difficulty: str) -> DomainEvent:
        return DomainEvent.new("tasks", "TaskCompleted", {
            "taskId": task, "userId": user, "actorId": user, "projectId": None, "category": "code",
            "difficulty": difficulty, "priority": "medium", "efficiency": None, "onTime": None,
            "estimateMinutes": None, "actualMinutes": 30, "firstCompletion": True}, actor=user)

    _consume(completed("t1", "ann", "hard"), completed("t2", "ben", "epic"))
    published = outbox_events(flows.stream_event(boards["EngagementTable"])["Records"])
    _consume(*published)

    assert _board("xp") == [("ben", 80), ("ann", 40)]
    week = _get("/api/gamification/leaderboards/weekly")[1]
    assert [(r["rank"], r["userId"], r["score"]) for r in week["items"]] == [(1, "ben", 80), (2, "ann", 40)]
    assert week["periodStart"] < week["periodEnd"] and week["period"].count("-W") == 1
    # And the boards can be rebuilt from the ledger to the same standings
    rebuilt = standings.rebuild_xp(wiring.board_repository(), wiring.wallet_repository(), "ann")
    assert [(e.board, e.score) for e in rebuilt] == [("weekly", 40), ("xp", 40)]
    assert _board("xp") == [("ben", 80), ("ann", 40)]


def test_given_a_duel_delivered_twice_then_ratings_move_once_and_rating_changed_is_published(boards) -> None:
    duel = _duel("d1", "ann", "ben", "ann", category="study")

    _consume(duel, duel)

    assert _board("elo") == [("ann", 1516), ("ben", 1484)]
    assert _board("elo-study") == [("ann", 1516), ("ben", 1484)]
    assert _board("elo-code") == []
    published = [e for e in outbox_events(flows.stream_event(boards["EngagementTable"])["Records"])
                 if e.detail_type == "RatingChanged"]
    assert sorted((e.detail.data["userId"], e.detail.data["result"], e.detail.data["overall"]["rating"],
                   e.detail.data["inCategory"]["board"]) for e in published) == [
        ("ann", "win", 1516, "elo-study"), ("ben", "loss", 1484, "elo-study")]
    me = _get("/api/gamification/leaderboards/elo/me", "ben")[1]
    assert me["me"]["rank"] == 2 and me["rating"] == {"wins": 0, "losses": 1, "draws": 0, "peakRating": 1500,
                                                      "winStreak": 0, "bestWinStreak": 0}


def test_given_a_draw_then_equal_ratings_stay_and_the_earlier_achiever_leads(boards) -> None:
    _consume(_duel("d1", "ann", "ben", None))
    rows = _get("/api/gamification/leaderboards/elo")[1]["items"]
    assert [(r["userId"], r["score"]) for r in rows] == [("ann", 1500), ("ben", 1500)]  # same time: by id


def test_given_a_duel_event_that_contradicts_itself_then_it_is_dead_lettered_not_applied(boards) -> None:
    bad = _duel("d2", "ann", "ben", "zed")
    response = consumers.handler(flows.sqs_of_events(bad), FakeLambdaContext())
    assert response == {"batchItemFailures": []}
    dead = boto3.client("sqs", region_name=template.REGION).receive_message(
        QueueUrl=boards["EngagementEvents.DeadLetterQueue"], MessageAttributeNames=["All"])["Messages"]
    assert "a winner among them" in dead[0]["MessageAttributes"]["deadLetterReason"]["StringValue"]
    assert _board("elo") == []


def test_given_friendships_then_the_friends_board_follows_accepted_and_ended(boards) -> None:
    _consume(_xp("ann", 10, 1), _xp("ben", 30, 2), _xp("cat", 20, 3))
    accepted = _event("users", "FriendshipAccepted", {"requesterId": "ann", "addresseeId": "ben",
                                                       "userIds": ["ann", "ben"]}, 10)
    _consume(accepted)
    assert _board("friends") == [("ben", 30), ("ann", 10)]
    assert _get("/api/gamification/leaderboards/friends/me")[1]["me"]["rank"] == 2

    ended = _event("users", "FriendshipEnded", {"userIds": ["ben", "ann"], "endedBy": "ben",
                                                "reason": "unfriended"}, 20)
    _consume(ended, accepted)  # the older acceptance arriving late changes nothing
    assert _board("friends") == [("ann", 10)]
    assert _board("friends", user="ben") == [("ben", 30)]


def test_given_many_users_then_pages_ranks_and_neighbours_agree_with_the_order(boards) -> None:
    scores = {f"u{n:02d}": (n * 7) % 23 for n in range(30)}
    _consume(*[_xp(user, score + 1, n) for n, (user, score) in enumerate(scores.items())])
    expected = sorted(scores, key=lambda user: (-scores[user], user))  # same score: earlier event first

    first = _get("/api/gamification/leaderboards/xp", query={"limit": "12"})[1]
    rest = _get("/api/gamification/leaderboards/xp", query={"limit": "100", "cursor": first["nextCursor"]})[1]
    rows = first["items"] + rest["items"]
    assert [r["userId"] for r in rows] == expected and [r["rank"] for r in rows] == list(range(1, 31))
    assert rest["nextCursor"] is None
    for user in ("u05", expected[0], expected[-1], expected[14]):
        me = _get("/api/gamification/leaderboards/xp/me", user)[1]
        at = expected.index(user)
        assert me["me"]["rank"] == at + 1
        assert [r["userId"] for r in me["above"]] == expected[max(at - 2, 0):at]
        assert [r["userId"] for r in me["below"]] == expected[at + 1:at + 3]


def test_given_bad_board_names_and_cursors_then_problems_not_errors(boards) -> None:
    status, problem = _get("/api/gamification/leaderboards/diamonds")
    assert status == 422 and problem["errors"][0]["field"] == "path.board"
    status, problem = _get("/api/gamification/leaderboards/xp", query={"cursor": "eyJ4IjoxfQ"})
    assert status == 400 and problem["detail"] == "invalid cursor"
    assert _get("/api/gamification/leaderboards/friends", query={"cursor": "eyJ4IjoxfQ"})[0] == 400
    assert _get("/api/gamification/leaderboards/xp", query={"limit": "101"})[0] == 422
    assert _get("/api/gamification/leaderboards/weekly-previous/me")[1]["me"] is None


def test_given_a_deleted_user_then_nothing_of_theirs_is_left_on_any_board(boards) -> None:
    _consume(_xp("ann", 10), _xp("ben", 20), _duel("d1", "ann", "ben", "ben"),
             _event("users", "FriendshipAccepted", {"requesterId": "ann", "addresseeId": "ben",
                                                    "userIds": ["ann", "ben"]}))

    _consume(_event("users", "UserDeleted", {"userId": "ann"}))

    items = boto3.client("dynamodb", region_name=template.REGION).scan(TableName=boards["BoardsTable"])["Items"]
    assert not [item for item in items if "ann" in json.dumps(item)]
    assert _board("xp") == [("ben", 20)] and _board("elo") == [("ben", 1516)]
    assert _board("friends", user="ben") == [("ben", 20)]
    assert _get("/api/gamification/leaderboards/xp/me", "ben")[1]["me"]["rank"] == 1


def _at_instant(event: DomainEvent, instant: str) -> DomainEvent:
    return event.model_copy(update={"detail": event.detail.model_copy(update={"occurredAt": instant})})


def test_given_monday_midnight_utc_then_the_weekly_board_resets_and_last_weeks_standings_stay(
        boards, monkeypatch) -> None:
    # Given XP earned on the last Sunday of 2026-W53 and just after Monday 2027-01-04 00:00 UTC
    _consume(_at_instant(_xp("ann", 30), "2027-01-03T23:59:59.000Z"),
             _at_instant(_xp("ben", 20), "2027-01-03T22:00:00.000Z"),
             _at_instant(_xp("ben", 5), "2027-01-04T00:00:01.000Z"))

    # When the board is read on Monday morning
    monkeypatch.setattr(api, "utc_now", lambda: datetime(2027, 1, 4, 9, tzinfo=UTC))
    week = _get("/api/gamification/leaderboards/weekly")[1]
    last = _get("/api/gamification/leaderboards/weekly-previous")[1]

    # Then this week holds only Monday's XP, and last week's final standings are still there
    assert (week["period"], [(r["userId"], r["score"]) for r in week["items"]]) == ("2027-W01", [("ben", 5)])
    assert (last["period"], [(r["userId"], r["score"]) for r in last["items"]]) == (
        "2026-W53", [("ann", 30), ("ben", 20)])
    assert _get("/api/gamification/leaderboards/weekly-previous/me", "ben")[1]["me"]["rank"] == 2
    assert _board("xp") == [("ann", 30), ("ben", 25)]

    # And a week later that week is last week's, and the new one starts empty
    monkeypatch.setattr(api, "utc_now", lambda: datetime(2027, 1, 11, tzinfo=UTC))
    assert _board("weekly") == [] and _board("weekly-previous") == [("ben", 5)]


def test_given_an_event_applied_again_past_the_consumers_idempotency_then_its_marker_refuses_it(boards) -> None:
    repository = wiring.board_repository()
    assert standings.xp_changed(repository, "01JEVENT0000000000000000AA", "2026-11-30T10:00:00.000Z", "ann", 40)
    assert not standings.xp_changed(repository, "01JEVENT0000000000000000AA", "2026-11-30T10:00:00.000Z", "ann", 40)
    assert _board("xp") == [("ann", 40)]


def test_given_a_rival_write_between_read_and_write_then_the_move_is_decided_again(boards, monkeypatch) -> None:
    repository = wiring.board_repository()
    real_commit, rivals = repository.commit, []

    def commit_after_a_rival(changes, **options):
        if not rivals:  # another event moves ann's entries between this one's read and its write
            rivals.append("rival")
            standings.xp_changed(repository, "01JRIVAL0000000000000000AA", "2026-11-30T10:00:00.000Z", "ann", 7)
        return real_commit(changes, **options)

    monkeypatch.setattr(repository, "commit", commit_after_a_rival)
    standings.xp_changed(repository, "01JEVENT0000000000000000AB", "2026-11-30T10:00:01.000Z", "ann", 40)

    assert _board("xp") == [("ann", 47)]
    assert _get("/api/gamification/leaderboards/xp/me")[1]["me"]["rank"] == 1

"""Duels in-process against moto: only friends, invite / accept / decline / cancel, progress through REST and
the forwarded WebSocket action, and a winner (or a draw) decided once."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from deepiri_challenges.handlers import jobs
from deepiri_common.events import DomainEvent
from tests.integration.challenges.conftest import Stack
from tests.support.lambda_context import FakeLambdaContext


def _invite(stack: Stack, *, template: str = "most_milestones", target: int = 3, opponent: str = "bob",
            minutes: int = 30) -> dict[str, Any]:
    status, duel = stack.call("POST", "/api/challenges/duels", {
        "opponentId": opponent, "category": "code", "spec": {"template": template, "target": target},
        "durationMinutes": minutes})
    assert status == 201, duel
    return dict(duel)


def _started(stack: Stack, **options: Any) -> dict[str, Any]:
    stack.befriend("alice", "bob")
    duel = _invite(stack, **options)
    status, accepted = stack.call("POST", f"/api/challenges/duels/{duel['id']}/accept", user="bob")
    assert status == 200 and accepted["status"] == "active"
    return accepted


def _progress(stack: Stack, duel: dict[str, Any], user: str, value: int) -> tuple[int, Any]:
    return stack.call("POST", f"/api/challenges/duels/{duel['id']}/progress", {"progress": value}, user=user)


def test_given_a_stranger_then_the_invitation_is_404_and_nothing_is_published(stack: Stack) -> None:
    status, body = stack.call("POST", "/api/challenges/duels", {"opponentId": "stranger", "category": "code",
                                                                "durationMinutes": 30})
    assert status == 404 and body["detail"] == "no such friend"
    assert stack.events("DuelInvited") == []


def test_given_an_ended_friendship_then_they_can_no_longer_duel(stack: Stack) -> None:
    stack.befriend("alice", "bob")
    stack.consume(DomainEvent.new("users", "FriendshipEnded", {"userIds": ["alice", "bob"], "endedBy": "bob",
                                                               "reason": "unfriended"}, actor="bob"))
    assert stack.call("POST", "/api/challenges/duels", {"opponentId": "bob", "category": "code",
                                                        "durationMinutes": 30})[0] == 404


def test_given_two_friends_when_both_finish_then_the_higher_score_wins_once(stack: Stack) -> None:
    duel = _started(stack)
    invited = stack.events("DuelInvited")[0]
    assert (invited["challengerId"], invited["opponentId"], invited["participantIds"]) == ("alice", "bob",
                                                                                             ["alice", "bob"])
    assert stack.events("DuelStarted")[0]["duelId"] == duel["id"]
    assert _progress(stack, duel, "alice", 3)[1]["status"] == "active"
    assert _progress(stack, duel, "mallory", 3)[0] == 404
    status, finished = _progress(stack, duel, "bob", 2)
    assert status == 200 and finished["status"] == "active"  # bob has not reached the target yet
    status, finished = _progress(stack, duel, "bob", 3)
    assert finished["status"] == "finished" and finished["winnerId"] is None  # both at the target: a draw
    assert _progress(stack, duel, "bob", 3)[0] == 409
    ends = stack.events("DuelFinished")
    assert len(ends) == 1 and ends[0]["reason"] == "completed" and ends[0]["category"] == "code"
    assert ends[0]["scores"] == {"alice": 3, "bob": 3}


def test_given_first_to_finish_then_the_first_home_wins(stack: Stack) -> None:
    duel = _started(stack, template="first_to_finish", target=2)
    _progress(stack, duel, "bob", 1)
    _, finished = _progress(stack, duel, "alice", 5)
    assert (finished["status"], finished["winnerId"], finished["scores"]) == ("finished", "alice",
                                                                              {"alice": 2, "bob": 1})
    assert [e["userId"] for e in stack.events("DuelProgressed")] == ["bob", "alice"]


def test_given_progress_forwarded_from_the_websocket_then_it_is_applied_for_participants_only(stack: Stack) -> None:
    duel = _started(stack)
    stack.consume(
        DomainEvent.new("realtime", "DuelProgressReported", {"duelId": duel["id"], "userId": "bob", "progress": 2},
                        actor="bob"),
        DomainEvent.new("realtime", "DuelProgressReported", {"duelId": duel["id"], "userId": "mallory",
                                                             "progress": 3}, actor="mallory"),
        DomainEvent.new("realtime", "DuelProgressReported", {"duelId": "nope", "userId": "bob", "progress": 3},
                        actor="bob"))
    _, seen = stack.call("GET", f"/api/challenges/duels/{duel['id']}")
    assert seen["scores"] == {"alice": 0, "bob": 2}


def test_given_time_runs_out_then_the_expiry_job_finishes_the_duel_by_score(stack: Stack) -> None:
    duel = _started(stack, minutes=10)
    _progress(stack, duel, "alice", 1)
    _progress(stack, duel, "bob", 2)
    ends = datetime.fromisoformat(duel["endsAt"])
    report = jobs.expiry_handler({"at": (ends + timedelta(minutes=1)).isoformat()}, FakeLambdaContext())
    assert report["duelsEnded"] == 1
    finished = stack.events("DuelFinished")
    assert [(e["winnerId"], e["reason"]) for e in finished] == [("bob", "expired")]
    jobs.expiry_handler({"at": (ends + timedelta(minutes=6)).isoformat()}, FakeLambdaContext())
    assert len(stack.events("DuelFinished")) == 1


def test_given_a_side_abandons_then_the_other_wins_by_forfeit(stack: Stack) -> None:
    duel = _started(stack)
    _progress(stack, duel, "alice", 2)
    status, finished = stack.call("POST", f"/api/challenges/duels/{duel['id']}/abandon", user="alice")
    assert status == 200 and (finished["winnerId"], finished["reason"]) == ("bob", "forfeited")
    assert stack.call("POST", f"/api/challenges/duels/{duel['id']}/abandon", user="bob")[0] == 409


def test_given_an_invitation_then_decline_and_cancel_are_each_one_sides_and_final(stack: Stack) -> None:
    stack.befriend("alice", "bob")
    declined = _invite(stack)
    assert stack.call("POST", f"/api/challenges/duels/{declined['id']}/decline", user="alice")[0] == 409
    assert stack.call("POST", f"/api/challenges/duels/{declined['id']}/decline", user="bob")[1]["status"] == "declined"
    assert stack.call("POST", f"/api/challenges/duels/{declined['id']}/accept", user="bob")[0] == 409
    cancelled = _invite(stack)
    assert stack.call("POST", f"/api/challenges/duels/{cancelled['id']}/cancel", user="bob")[0] == 409
    assert stack.call("POST", f"/api/challenges/duels/{cancelled['id']}/cancel")[1]["status"] == "cancelled"
    assert stack.call("POST", f"/api/challenges/duels/{cancelled['id']}/accept", user="bob")[0] == 409
    assert stack.call("GET", f"/api/challenges/duels/{cancelled['id']}", user="mallory")[0] == 404
    assert stack.events("DuelStarted") == []


def test_given_oneself_as_opponent_then_422(stack: Stack) -> None:
    status, body = stack.call("POST", "/api/challenges/duels", {"opponentId": "alice", "category": "code",
                                                                "durationMinutes": 30})
    assert status == 422 and body["status"] == 422


def test_given_duels_then_each_side_lists_its_own_by_status_a_page_at_a_time(stack: Stack) -> None:
    stack.befriend("alice", "bob")
    stack.befriend("alice", "carol")
    first = _invite(stack)
    second = _invite(stack, opponent="carol")
    third = _invite(stack)
    assert stack.call("POST", f"/api/challenges/duels/{first['id']}/accept", user="bob")[0] == 200
    status, page = stack.call("GET", "/api/challenges/duels", query={"limit": "2"})
    assert status == 200 and [d["id"] for d in page["items"]] == [third["id"], second["id"]]
    status, rest = stack.call("GET", "/api/challenges/duels", query={"limit": "2", "cursor": page["nextCursor"]})
    assert status == 200 and [(d["id"], d["status"]) for d in rest["items"]] == [(first["id"], "active")]
    assert [d["id"] for d in stack.call("GET", "/api/challenges/duels", user="bob")[1]["items"]] == [third["id"],
                                                                                                    first["id"]]
    active = stack.call("GET", "/api/challenges/duels", query={"status": "active"}, user="bob")[1]
    assert [(d["id"], d["status"]) for d in active["items"]] == [(first["id"], "active")]
    invited = stack.call("GET", "/api/challenges/duels", query={"status": "invited"}, user="bob")[1]
    assert [d["id"] for d in invited["items"]] == [third["id"]]
    assert stack.call("GET", "/api/challenges/duels", user="mallory")[1]["items"] == []
    # Another user's cursor, an unknown status, a limit over 100: 400 / 422, never someone else's page.
    assert stack.call("GET", "/api/challenges/duels", query={"limit": "2", "cursor": page["nextCursor"]},
                      user="mallory")[0] == 400
    assert stack.call("GET", "/api/challenges/duels", query={"status": "won"})[0] == 422
    assert stack.call("GET", "/api/challenges/duels", query={"limit": "101"})[0] == 422


def test_given_a_deleted_user_then_their_duels_are_purged_for_both_sides(stack: Stack) -> None:
    duel = _started(stack)
    stack.befriend("bob", "carol")
    status, kept = stack.call("POST", "/api/challenges/duels", {"opponentId": "carol", "category": "code",
                                                                "durationMinutes": 30}, user="bob")
    assert status == 201
    stack.consume(DomainEvent.new("users", "UserDeleted", {"userId": "alice"}, actor="alice"))
    assert stack.call("GET", f"/api/challenges/duels/{duel['id']}", user="bob")[0] == 404
    assert [d["id"] for d in stack.call("GET", "/api/challenges/duels", user="bob")[1]["items"]] == [kept["id"]]
    assert stack.call("GET", "/api/challenges/duels", user="alice")[1]["items"] == []
    # The expiry job no longer finds the purged duel: nothing is published in the deleted user's name.
    at = datetime.fromisoformat(duel["endsAt"]) + timedelta(minutes=1)
    jobs.expiry_handler({"at": at.isoformat()}, FakeLambdaContext())
    assert stack.events("DuelFinished") == []


def test_given_a_task_when_a_friend_is_invited_then_they_duel_on_a_copy_of_its_challenge(stack: Stack) -> None:
    stack.befriend("alice", "bob")
    task = stack.task(description="- outline\n- draft\n- edit", estimateMinutes=40)
    status, duel = stack.call("POST", "/api/challenges/duels", {
        "opponentId": "bob", "category": "writing", "spec": {"template": "first_to_finish", "taskId": task["id"]}})
    assert status == 201, duel
    assert (duel["spec"]["target"], duel["spec"]["milestones"]) == (3, ["outline", "draft", "edit"])
    assert duel["durationMinutes"] == duel["spec"]["timeLimitMinutes"] == 40  # medium: the estimate
    # Bob sees the challenge, not the task: the task is still Alice's alone.
    _, seen = stack.call("GET", f"/api/challenges/duels/{duel['id']}", user="bob")
    assert seen["spec"] == duel["spec"] and task["id"] not in str(seen)
    read = stack.call("POST", "/api/challenges/generate", {"taskId": task["id"]}, user="bob")
    assert read[0] == 404
    # Someone else's task cannot be made into a duel either.
    bobs = stack.task(user="bob")
    refused = stack.call("POST", "/api/challenges/duels", {"opponentId": "bob", "category": "writing",
                                                           "spec": {"taskId": bobs["id"]}})
    assert refused[0] == 404 and refused[1]["detail"] == "no such task"
    stack.call("POST", f"/api/challenges/duels/{duel['id']}/accept", user="bob")
    _progress(stack, duel, "bob", 1)
    _, finished = _progress(stack, duel, "alice", 3)
    assert (finished["status"], finished["winnerId"]) == ("finished", "alice")
    assert [e["winnerId"] for e in stack.events("DuelFinished")] == ["alice"]

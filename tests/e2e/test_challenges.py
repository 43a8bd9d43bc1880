"""Challenges through the deployed stack: generated from a real task (read by invoking the tasks API
function), started, milestones checked, completed with exactly one ChallengeCompleted on the bus; an
overdue challenge expires; two friends duel to a winner; strangers, decline, cancel and abandon; another
user's challenge is 404; a quiz asked for without a provider is 409; TaskDeleted cancels the challenge."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from deepiri_common.clock import to_iso
from tests.e2e.conftest import wait_for

EXPIRY_JOB = "deepiri-e2e-challenges-expiry-job"


@pytest.fixture(scope="module", autouse=True)
def _warm(stack, account) -> None:
    """Cold starts first, with room to spare on a loaded machine: the functions these tests time are warm."""
    user = account("challenger")
    headers = {"Authorization": f"Bearer {user.token}"}
    task = requests.post(f"{stack.urls.rest}/api/tasks", headers=headers, json={"title": "warm up"}, timeout=120)
    assert task.status_code == 201, task.text
    requests.get(f"{stack.urls.rest}/api/challenges", headers=headers, timeout=120)
    requests.post(f"{stack.urls.rest}/api/challenges/generate", headers=headers, json={"taskId": task.json()["id"],
                                                                                       "type": "custom"}, timeout=120)
    _expiry_job(stack, datetime.now(UTC))


@pytest.fixture(scope="module")
def friends(stack, account) -> tuple[Any, Any]:
    """Two users who are friends, once the challenges service has recorded it (it lets friends duel only)."""
    ann, ben = account("duelann"), account("duelben")

    def call(method: str, path: str, token: str, **kwargs: Any) -> requests.Response:
        return requests.request(method, f"{stack.urls.rest}{path}", headers={"Authorization": f"Bearer {token}"},
                                timeout=30, **kwargs)

    assert call("POST", "/api/users/me/friends/requests", ann.token, json={"userId": ben.id}).status_code in (
        200, 201, 202)
    assert call("POST", f"/api/users/me/friends/requests/{ann.id}/accept", ben.token).status_code in (200, 204)
    table, dynamodb = "deepiri-e2e-challenges", stack.client("dynamodb")

    def recorded() -> bool:
        item = dynamodb.get_item(TableName=table, ConsistentRead=True, Key={
            "pk": {"S": f"USER#{ann.id}"}, "sk": {"S": f"FRIEND#{ben.id}"}}).get("Item") or {}
        return item.get("friends") == {"BOOL": True}

    wait_for(recorded, seconds=30)
    return ann, ben


def _task(api, token: str, **fields: Any) -> dict[str, Any]:
    response = api("POST", "/api/tasks", token=token, json={"title": "Write the quarterly report", **fields})
    assert response.status_code == 201, response.text
    return dict(response.json())


def _generate(api, token: str, task_id: str, **fields: Any) -> dict[str, Any]:
    response = api("POST", "/api/challenges/generate", token=token, json={"taskId": task_id, **fields})
    assert response.status_code == 201, response.text
    return dict(response.json())


def _expiry_job(stack, at: datetime) -> dict[str, Any]:
    result = stack.client("lambda").invoke(FunctionName=EXPIRY_JOB, Payload=json.dumps({"at": to_iso(at)}).encode())
    return dict(json.loads(result["Payload"].read()))


def test_given_a_real_task_when_its_challenge_is_completed_then_one_challenge_completed_and_the_task_done(
        stack, account, api, bus_tap) -> None:
    received = bus_tap("ChallengeCompleted")
    user = account("challenger")
    task = _task(api, user.token, description="- gather figures\n- draft\n- send", estimateMinutes=90)
    challenge = _generate(api, user.token, task["id"], type="checklist", completesTask=True)
    assert [m["title"] for m in challenge["milestones"]] == ["gather figures", "draft", "send"]
    assert challenge["pointsReward"] == 375
    started = api("POST", f"/api/challenges/{challenge['id']}/start", token=user.token, json={"version": 1})
    assert started.status_code == 200 and started.json()["status"] == "active"
    for index, version in ((0, 2), (1, 3)):
        checked = api("POST", f"/api/challenges/{challenge['id']}/milestones/{index}", token=user.token,
                      json={"version": version})
        assert checked.status_code == 200, checked.text
    stale = api("POST", f"/api/challenges/{challenge['id']}/milestones/2", token=user.token, json={"version": 2})
    assert stale.status_code == 412
    done = api("POST", f"/api/challenges/{challenge['id']}/complete", token=user.token, json={})
    assert done.status_code == 200 and done.json()["status"] == "completed" and done.json()["taskCompleted"] is True
    assert api("POST", f"/api/challenges/{challenge['id']}/complete", token=user.token, json={}).status_code == 409
    assert api("GET", f"/api/tasks/{task['id']}", token=user.token).json()["status"] == "done"

    seen: list[dict[str, Any]] = []

    def paid() -> list[dict[str, Any]]:
        seen.extend(e for e in received() if e["detail"]["data"]["challengeId"] == challenge["id"])
        return seen

    wait_for(paid, seconds=30)
    for _ in range(3):  # a little longer: a second publication would arrive now
        paid()
    assert len(seen) == 1
    data = seen[0]["detail"]["data"]
    assert {k: data[k] for k in ("userId", "pointsReward", "bonusMultiplier", "taskId", "difficulty")} == {
        "userId": user.id, "pointsReward": 375, "bonusMultiplier": 1, "taskId": task["id"], "difficulty": "medium"}


def test_given_another_users_task_or_challenge_then_404(account, api) -> None:
    owner, other = account("challenger"), account("snooper")
    task = _task(api, owner.token)
    assert api("POST", "/api/challenges/generate", token=other.token, json={"taskId": task["id"]}).status_code == 404
    challenge = _generate(api, owner.token, task["id"], type="custom")
    assert api("GET", f"/api/challenges/{challenge['id']}", token=other.token).status_code == 404
    assert api("GET", f"/api/challenges/{challenge['id']}", token=owner.token).status_code == 200


def test_given_the_bedrock_provider_then_a_quiz_is_made_and_its_answers_are_shown_only_after_submission(
        account, api) -> None:
    user = account("quizzer")
    task = _task(api, user.token)
    made = _generate(api, user.token, task["id"], type="quiz")  # the e2e stack's AI uses Bedrock (a fake model)
    assert made["type"] == "quiz" and len(made["questions"]) >= 3
    for shown in (api("POST", "/api/challenges/generate", token=user.token,
                      json={"taskId": task["id"], "type": "quiz"}).text,
                  api("GET", f"/api/challenges/{made['id']}", token=user.token).text,
                  api("GET", "/api/challenges", token=user.token).text):
        assert "correctAnswer" not in shown and '"answers"' not in shown
    started = api("POST", f"/api/challenges/{made['id']}/start", token=user.token, json={})
    assert started.status_code == 200, started.text
    answers = [n % 4 for n in range(len(made["questions"]))]  # the fake model's right answers
    done = api("POST", f"/api/challenges/{made['id']}/complete", token=user.token,
               json={"version": started.json()["version"], "answers": answers})
    assert done.status_code == 200, done.text
    result = done.json()["quizResult"]
    assert result["correct"] == [True] * len(answers) and result["correctAnswers"] == answers


def test_given_no_quiz_provider_then_an_explicit_quiz_is_409_and_no_answers_are_ever_shown(account, api) -> None:
    user = account("challenger")
    task = _task(api, user.token, title="Write the quarterly report [canned]")  # the model fails: canned text
    asked = api("POST", "/api/challenges/generate", token=user.token, json={"taskId": task["id"], "type": "quiz"})
    assert asked.status_code == 409 and asked.headers["content-type"].startswith("application/problem+json")
    chosen = _generate(api, user.token, task["id"])  # the bandit falls back to a type it can make
    assert chosen["type"] not in ("quiz", "puzzle", "multiplayer")
    listed = api("GET", "/api/challenges", token=user.token).text
    assert "correctAnswer" not in listed and '"answers"' not in listed


def test_given_an_overdue_challenge_when_the_expiry_job_runs_then_it_expires(stack, account, api, bus_tap) -> None:
    received = bus_tap("ChallengeExpired")
    user = account("challenger")
    challenge = _generate(api, user.token, _task(api, user.token, estimateMinutes=20)["id"], type="timed_completion")
    started = api("POST", f"/api/challenges/{challenge['id']}/start", token=user.token, json={}).json()
    report = _expiry_job(stack, datetime.fromisoformat(started["expiresAt"]) + timedelta(minutes=1))
    assert report["expired"] >= 1
    assert api("GET", f"/api/challenges/{challenge['id']}", token=user.token).json()["status"] == "expired"
    wait_for(lambda: [e for e in received() if e["detail"]["data"]["challengeId"] == challenge["id"]], seconds=30)


def test_given_a_deleted_task_then_its_challenge_is_cancelled(account, api) -> None:
    user = account("challenger")
    task = _task(api, user.token)
    challenge = _generate(api, user.token, task["id"], type="custom")
    assert api("DELETE", f"/api/tasks/{task['id']}", token=user.token).status_code in (200, 204)
    wait_for(lambda: api("GET", f"/api/challenges/{challenge['id']}",
                         token=user.token).json()["status"] == "cancelled", seconds=30)


def _duel(api, challenger, opponent, **spec: Any) -> dict[str, Any]:
    response = api("POST", "/api/challenges/duels", token=challenger.token, json={
        "opponentId": opponent.id, "category": "writing", "spec": {"template": "most_milestones", "target": 3, **spec},
        "durationMinutes": 30})
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_given_two_friends_when_they_duel_then_the_higher_score_wins_once(friends, api, bus_tap) -> None:
    received = bus_tap("DuelFinished")
    ann, ben = friends
    duel = _duel(api, ann, ben)
    assert api("POST", f"/api/challenges/duels/{duel['id']}/accept", token=ben.token).json()["status"] == "active"
    assert api("POST", f"/api/challenges/duels/{duel['id']}/progress", token=ann.token,
               json={"progress": 3}).status_code == 200
    finished = api("POST", f"/api/challenges/duels/{duel['id']}/progress", token=ben.token, json={"progress": 3})
    assert finished.json()["status"] == "finished" and finished.json()["winnerId"] is None  # both home: a draw
    second = _duel(api, ann, ben, template="first_to_finish")
    api("POST", f"/api/challenges/duels/{second['id']}/accept", token=ben.token)
    won = api("POST", f"/api/challenges/duels/{second['id']}/progress", token=ben.token, json={"progress": 3}).json()
    assert (won["status"], won["winnerId"]) == ("finished", ben.id)
    assert api("POST", f"/api/challenges/duels/{second['id']}/progress", token=ann.token,
               json={"progress": 3}).status_code == 409
    ends: dict[str, dict[str, Any]] = {}

    def both() -> bool:
        ends.update({e["detail"]["data"]["duelId"]: e["detail"]["data"] for e in received()})
        return duel["id"] in ends and second["id"] in ends

    wait_for(both, seconds=30)
    assert ends[second["id"]]["winnerId"] == ben.id and ends[second["id"]]["category"] == "writing"


def test_given_two_friends_when_they_duel_from_a_task_then_both_get_its_challenge_and_one_wins(
        friends, api, bus_tap) -> None:
    received = bus_tap("DuelFinished")
    ann, ben = friends
    task = _task(api, ann.token, title="Write the launch post", description="- outline\n- draft\n- edit",
                 estimateMinutes=40)
    made = api("POST", "/api/challenges/duels", token=ann.token, json={
        "opponentId": ben.id, "category": "writing", "spec": {"template": "first_to_finish", "taskId": task["id"]}})
    assert made.status_code == 201, made.text
    duel = made.json()
    assert (duel["spec"]["title"], duel["spec"]["target"]) == ("Duel: Write the launch post", 3)
    assert duel["spec"]["milestones"] == ["outline", "draft", "edit"]
    assert duel["durationMinutes"] == duel["spec"]["timeLimitMinutes"]
    # Ben gets the copy of the challenge, not Ann's task: reading it or making a challenge of it is 404.
    seen = api("GET", f"/api/challenges/duels/{duel['id']}", token=ben.token).json()
    assert seen["spec"] == duel["spec"] and task["id"] not in json.dumps(seen)
    assert api("GET", f"/api/tasks/{task['id']}", token=ben.token).status_code == 404
    assert api("POST", "/api/challenges/generate", token=ben.token, json={"taskId": task["id"]}).status_code == 404
    assert api("POST", f"/api/challenges/duels/{duel['id']}/accept", token=ben.token).json()["status"] == "active"
    assert api("POST", f"/api/challenges/duels/{duel['id']}/progress", token=ben.token,
               json={"progress": 2}).status_code == 200
    won = api("POST", f"/api/challenges/duels/{duel['id']}/progress", token=ann.token, json={"progress": 3}).json()
    assert (won["status"], won["winnerId"], won["scores"]) == ("finished", ann.id, {ann.id: 3, ben.id: 2})
    ended = wait_for(lambda: [e["detail"]["data"] for e in received() if e["detail"]["data"]["duelId"] == duel["id"]],
                     seconds=30)
    assert [e["winnerId"] for e in ended] == [ann.id]


def test_given_a_stranger_then_no_duel_and_decline_cancel_abandon_behave(friends, account, api) -> None:
    ann, ben = friends
    stranger = account("stranger")
    refused = api("POST", "/api/challenges/duels", token=ann.token, json={
        "opponentId": stranger.id, "category": "code", "durationMinutes": 30})
    assert refused.status_code == 404 and refused.json()["detail"] == "no such friend"
    declined = _duel(api, ann, ben)
    assert api("POST", f"/api/challenges/duels/{declined['id']}/decline",
               token=ben.token).json()["status"] == "declined"
    cancelled = _duel(api, ann, ben)
    assert api("POST", f"/api/challenges/duels/{cancelled['id']}/cancel",
               token=ann.token).json()["status"] == "cancelled"
    assert api("POST", f"/api/challenges/duels/{cancelled['id']}/accept", token=ben.token).status_code == 409
    abandoned = _duel(api, ann, ben)
    api("POST", f"/api/challenges/duels/{abandoned['id']}/accept", token=ben.token)
    conceded = api("POST", f"/api/challenges/duels/{abandoned['id']}/abandon", token=ann.token).json()
    assert (conceded["winnerId"], conceded["reason"]) == (ben.id, "forfeited")
    assert api("GET", f"/api/challenges/duels/{abandoned['id']}", token=stranger.token).status_code == 404


def test_given_a_registered_user_then_the_daily_challenge_is_offered_once_per_local_morning(stack, account,
                                                                                          api) -> None:
    user = account("earlybird")  # registered in UTC: the morning is 08:00 to noon UTC
    dynamodb = stack.client("dynamodb")
    wait_for(lambda: "Item" in dynamodb.get_item(TableName="deepiri-e2e-challenges", ConsistentRead=True, Key={
        "pk": {"S": f"USER#{user.id}"}, "sk": {"S": "SETTINGS"}}), seconds=30)
    morning = datetime.now(UTC).replace(hour=8, minute=30, second=0, microsecond=0)
    job = stack.client("lambda")
    for at in (morning, morning + timedelta(hours=1)):
        result = job.invoke(FunctionName="deepiri-e2e-challenges-daily-job",
                            Payload=json.dumps({"at": to_iso(at)}).encode())
        assert "FunctionError" not in result, result["Payload"].read()
    listed = api("GET", "/api/challenges", token=user.token, params={"status": "generated"}).json()["items"]
    assert [(c["daily"], c["taskId"], c["type"]) for c in listed] == [(True, None, "focus_sprint")]

"""Challenges in-process against moto: generated from real tasks read through the tasks route, moved through
their lifecycle, paid once, listed, and cancelled or purged by the events the service reads."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import boto3

from deepiri_challenges import wiring
from deepiri_challenges.dal.tasks import TasksApi
from deepiri_challenges.handlers import consumers, jobs
from deepiri_common.events import DomainEvent
from tests.integration.challenges.conftest import Stack, invoke_tasks
from tests.support import flows, template
from tests.support.lambda_context import FakeLambdaContext


def test_given_a_task_when_a_checklist_is_generated_then_its_milestones_and_reward_come_from_the_task(
        stack: Stack) -> None:
    task = stack.task(description="- gather figures\n- draft\n- send", estimateMinutes=90, difficulty="hard")
    challenge = stack.generate(task["id"], type="checklist")
    assert [m["title"] for m in challenge["milestones"]] == ["gather figures", "draft", "send"]
    assert (challenge["difficulty"], challenge["pointsReward"], challenge["bonusMultiplier"]) == ("hard", 750, 1)
    assert challenge["status"] == "generated" and challenge["taskId"] == task["id"]
    assert stack.events("ChallengeGenerated")[0]["challengeId"] == challenge["id"]


def test_given_another_users_task_then_generating_from_it_is_404(stack: Stack) -> None:
    task = stack.task(user="bob")
    status, body = stack.call("POST", "/api/challenges/generate", {"taskId": task["id"]})
    assert status == 404 and body["status"] == 404
    assert stack.events("ChallengeGenerated") == []


def test_given_a_challenge_then_another_user_reading_it_gets_404(stack: Stack) -> None:
    challenge = stack.generate(stack.task()["id"], type="timed_completion")
    assert stack.call("GET", f"/api/challenges/{challenge['id']}", user="mallory")[0] == 404
    assert stack.call("POST", f"/api/challenges/{challenge['id']}/start", {}, user="mallory")[0] == 404
    assert stack.call("GET", f"/api/challenges/{challenge['id']}")[0] == 200


def test_given_an_active_challenge_when_completed_twice_then_it_pays_once_and_the_second_is_409(
        stack: Stack) -> None:
    challenge = stack.generate(stack.task(description="- a\n- b")["id"], type="checklist")
    status, started = stack.call("POST", f"/api/challenges/{challenge['id']}/start", {"version": 1})
    assert status == 200 and started["status"] == "active" and started["expiresAt"]
    status, checked = stack.call("POST", f"/api/challenges/{challenge['id']}/milestones/0", {"version": 2})
    assert status == 200 and checked["milestones"][0]["done"] is True and checked["version"] == 3
    stale = stack.call("POST", f"/api/challenges/{challenge['id']}/milestones/1", {"version": 2})
    assert stale[0] == 412
    status, done = stack.call("POST", f"/api/challenges/{challenge['id']}/complete", {"version": 3})
    assert status == 200 and done["status"] == "completed"
    assert 350 <= done["score"] <= 650  # one milestone of two, nearly all the time left
    again = stack.call("POST", f"/api/challenges/{challenge['id']}/complete", {})
    assert again[0] == 409
    paid = stack.events("ChallengeCompleted")
    assert len(paid) == 1
    assert {k: paid[0][k] for k in ("challengeId", "pointsReward", "bonusMultiplier", "taskId", "difficulty")} == {
        "challengeId": challenge["id"], "pointsReward": 250, "bonusMultiplier": 1, "taskId": challenge["taskId"],
        "difficulty": "medium"}


def test_given_completes_task_when_the_challenge_is_completed_then_its_task_is_completed_too(stack: Stack) -> None:
    task = stack.task()
    challenge = stack.generate(task["id"], type="timed_completion", completesTask=True)
    stack.call("POST", f"/api/challenges/{challenge['id']}/start", {})
    status, done = stack.call("POST", f"/api/challenges/{challenge['id']}/complete", {})
    assert status == 200 and done["taskCompleted"] is True
    assert stack.read_task(task["id"])["status"] == "done"


def test_given_a_generated_challenge_then_it_cannot_be_completed_before_it_starts(stack: Stack) -> None:
    challenge = stack.generate(stack.task()["id"], type="custom")
    assert stack.call("POST", f"/api/challenges/{challenge['id']}/complete", {})[0] == 409


def test_given_a_quiz_then_the_answers_never_reach_the_client_before_submission(stack: Stack) -> None:
    challenge = stack.generate(stack.task()["id"], type="quiz")
    assert len(challenge["questions"]) == 5
    assert all("correctAnswer" not in q for q in challenge["questions"])
    assert "answers" not in challenge and challenge["quizResult"] is None
    stack.call("POST", f"/api/challenges/{challenge['id']}/start", {})
    _, shown = stack.call("GET", f"/api/challenges/{challenge['id']}")
    assert "correctAnswer" not in str(shown) and "answers" not in shown
    status, wrong = stack.call("POST", f"/api/challenges/{challenge['id']}/complete", {"answers": [3, 3, 3, 3, 3]})
    assert status == 200 and wrong["status"] == "active"
    assert wrong["quizResult"]["correctAnswers"] == [] and wrong["quizResult"]["points"] == 10
    status, right = stack.call("POST", f"/api/challenges/{challenge['id']}/complete", {"answers": [0, 1, 2, 3, 0]})
    assert status == 200 and right["status"] == "completed"
    assert right["quizResult"]["correctAnswers"] == [0, 1, 2, 3, 0] and right["quizResult"]["passed"] is True


def test_given_a_quiz_failed_three_times_then_the_challenge_fails_once(stack: Stack) -> None:
    challenge = stack.generate(stack.task()["id"], type="quiz")
    stack.call("POST", f"/api/challenges/{challenge['id']}/start", {})
    for _ in range(3):
        _, body = stack.call("POST", f"/api/challenges/{challenge['id']}/complete", {"answers": [3] * 5})
    assert body["status"] == "failed" and body["quizResult"]["correctAnswers"] == [0, 1, 2, 3, 0]
    assert [e["reason"] for e in stack.events("ChallengeFailed")] == ["attempts_exhausted"]
    assert stack.events("ChallengeCompleted") == []


def test_given_the_provider_cannot_when_a_quiz_is_asked_for_then_409_and_without_a_type_another_is_chosen(
        stack: Stack) -> None:
    stack.drafts.able = False
    task = stack.task()
    assert stack.call("POST", "/api/challenges/generate", {"taskId": task["id"], "type": "puzzle"})[0] == 409
    kinds = {stack.generate(task["id"])["type"] for _ in range(12)}
    assert kinds and not kinds & {"quiz", "puzzle", "multiplayer"}


def test_given_repeated_successes_of_one_type_then_the_bandit_prefers_it_and_remembers_after_a_restart(
        stack: Stack) -> None:
    task = stack.task()
    for _ in range(12):
        challenge = stack.generate(task["id"], type="streak")
        stack.call("POST", f"/api/challenges/{challenge['id']}/start", {})
        assert stack.call("POST", f"/api/challenges/{challenge['id']}/complete", {})[0] == 200
    for kind in ("checklist", "timed_completion", "focus_sprint"):
        for _ in range(4):
            challenge = stack.generate(task["id"], type=kind)
            stack.call("POST", f"/api/challenges/{challenge['id']}/abandon", {})
    wiring.reset()  # a cold start: nothing in memory survives
    wiring.use(tasks=TasksApi("deepiri-test-tasks-api", invoke=invoke_tasks), drafts=stack.drafts,
               rng=random.Random(5))
    picks = [stack.generate(task["id"])["type"] for _ in range(20)]
    assert picks.count("streak") >= 15


def test_given_a_success_rate_above_80_percent_then_the_next_challenge_is_one_step_harder(stack: Stack) -> None:
    task = stack.task(difficulty="medium")
    for _ in range(10):
        challenge = stack.generate(task["id"], type="custom", difficulty="easy")
        stack.call("POST", f"/api/challenges/{challenge['id']}/start", {})
        stack.call("POST", f"/api/challenges/{challenge['id']}/complete", {})
    harder = stack.generate(task["id"], type="custom")
    assert (harder["difficulty"], harder["bonusMultiplier"]) == ("hard", 2)


def test_given_challenges_then_lists_filter_by_status_and_page_with_a_cursor(stack: Stack) -> None:
    task = stack.task()
    made = [stack.generate(task["id"], type="custom")["id"] for _ in range(3)]
    stack.call("POST", f"/api/challenges/{made[0]}/start", {})
    status, first = stack.call("GET", "/api/challenges", query={"limit": "2"})
    assert status == 200 and [c["id"] for c in first["items"]] == [made[2], made[1]] and first["nextCursor"]
    _, rest = stack.call("GET", "/api/challenges", query={"limit": "2", "cursor": first["nextCursor"]})
    assert [c["id"] for c in rest["items"]] == [made[0]] and rest["nextCursor"] is None
    _, active = stack.call("GET", "/api/challenges", query={"status": "active"})
    assert [c["id"] for c in active["items"]] == [made[0]]
    assert stack.call("GET", "/api/challenges", query={"status": "bogus"})[0] == 422
    _, mine = stack.call("GET", "/api/challenges", user="mallory", query={"cursor": first["nextCursor"]})
    assert mine.get("status") == 400  # another user's cursor moves nowhere


def test_given_ended_challenges_then_history_and_stats_count_them_by_type(stack: Stack) -> None:
    task = stack.task()
    done = stack.generate(task["id"], type="custom")
    stack.call("POST", f"/api/challenges/{done['id']}/start", {})
    stack.call("POST", f"/api/challenges/{done['id']}/complete", {})
    gave_up = stack.generate(task["id"], type="checklist")
    stack.call("POST", f"/api/challenges/{gave_up['id']}/abandon", {})
    _, history = stack.call("GET", "/api/challenges/history")
    assert [c["id"] for c in history["items"]] == [gave_up["id"], done["id"]]
    _, stats = stack.call("GET", "/api/challenges/stats")
    assert (stats["total"], stats["completed"], stats["successRate"]) == (2, 1, 0.5)
    by_type = {t["type"]: t for t in stats["byType"]}
    assert by_type["custom"]["pointsEarned"] == 250 and by_type["checklist"]["abandoned"] == 1


def test_given_an_overdue_challenge_when_the_expiry_job_runs_then_it_expires_once(stack: Stack) -> None:
    challenge = stack.generate(stack.task(estimateMinutes=30)["id"], type="timed_completion")
    _, started = stack.call("POST", f"/api/challenges/{challenge['id']}/start", {})
    expires = datetime.fromisoformat(started["expiresAt"])
    before = jobs.expiry_handler({"at": (expires - timedelta(minutes=1)).isoformat()}, FakeLambdaContext())
    assert before["expired"] == 0
    report = jobs.expiry_handler({"at": (expires + timedelta(minutes=1)).isoformat()}, FakeLambdaContext())
    assert (report["visited"], report["expired"]) == (1, 1)
    again = jobs.expiry_handler({"at": (expires + timedelta(minutes=6)).isoformat()}, FakeLambdaContext())
    assert again["visited"] == 0
    assert stack.call("GET", f"/api/challenges/{challenge['id']}")[1]["status"] == "expired"
    assert [e["challengeId"] for e in stack.events("ChallengeExpired")] == [challenge["id"]]


def test_given_a_challenges_own_schedule_when_it_fires_then_that_challenge_expires(stack: Stack) -> None:
    challenge = stack.generate(stack.task(estimateMinutes=30)["id"], type="timed_completion")
    _, started = stack.call("POST", f"/api/challenges/{challenge['id']}/start", {})
    expires = datetime.fromisoformat(started["expiresAt"])
    # What the one-off schedule sends (dal/schedules.py), with an instant so the test needs no clock.
    named = {"userId": "alice", "challengeId": challenge["id"]}
    early = jobs.expiry_handler({**named, "at": (expires - timedelta(seconds=1)).isoformat()}, FakeLambdaContext())
    assert (early["visited"], early["expired"]) == (1, 0)
    fired = jobs.expiry_handler({**named, "at": expires.isoformat()}, FakeLambdaContext())
    assert (fired["visited"], fired["expired"]) == (1, 1)
    assert stack.call("GET", f"/api/challenges/{challenge['id']}")[1]["status"] == "expired"
    assert [e["challengeId"] for e in stack.events("ChallengeExpired")] == [challenge["id"]]
    # Fired without an instant (as the Scheduler does): now, long before this one's deadline.
    other = stack.generate(stack.task(estimateMinutes=30)["id"], type="timed_completion")
    stack.call("POST", f"/api/challenges/{other['id']}/start", {})
    assert jobs.expiry_handler({"userId": "alice", "challengeId": other["id"]}, FakeLambdaContext())["expired"] == 0


def test_given_a_deleted_task_then_its_open_challenges_are_cancelled(stack: Stack) -> None:
    task, other = stack.task(), stack.task()
    linked = stack.generate(task["id"], type="custom")
    started = stack.generate(task["id"], type="custom")
    stack.call("POST", f"/api/challenges/{started['id']}/start", {})
    kept = stack.generate(other["id"], type="custom")
    stack.consume(DomainEvent.new("tasks", "TaskDeleted", {"taskId": task["id"], "ownerId": "alice",
                                                           "projectId": None}, actor="alice"))
    statuses = {c: stack.call("GET", f"/api/challenges/{c}")[1]["status"]
                for c in (linked["id"], started["id"], kept["id"])}
    assert statuses == {linked["id"]: "cancelled", started["id"]: "cancelled", kept["id"]: "generated"}


def test_given_a_deleted_user_then_their_challenges_are_purged(stack: Stack) -> None:
    challenge = stack.generate(stack.task()["id"], type="custom")
    stack.consume(DomainEvent.new("users", "UserDeleted", {"userId": "alice"}, actor="alice"))
    assert stack.call("GET", f"/api/challenges/{challenge['id']}")[0] == 404


def test_given_a_daily_job_run_twice_in_the_morning_then_one_daily_challenge_per_local_date(stack: Stack) -> None:
    stack.consume(DomainEvent.new("users", "UserSettingsChanged", {
        "userId": "carol", "timezone": "Europe/Paris", "dayStartHour": 0}, actor="carol"))
    morning = datetime.now(UTC).replace(hour=7, minute=10, second=0, microsecond=0)  # 08:10 or 09:10 in Paris
    night = morning.replace(hour=22)
    assert jobs.daily_handler({"at": night.isoformat()}, FakeLambdaContext())["offered"] == 0
    assert jobs.daily_handler({"at": morning.isoformat()}, FakeLambdaContext())["offered"] == 1
    assert jobs.daily_handler({"at": (morning + timedelta(hours=1)).isoformat()},
                              FakeLambdaContext())["offered"] == 0
    _, listed = stack.call("GET", "/api/challenges", user="carol")
    assert [(c["daily"], c["taskId"]) for c in listed["items"]] == [(True, None)]


def test_given_bad_requests_then_each_is_a_4xx_problem_naming_the_field(stack: Stack) -> None:
    task = stack.task()
    status, body = stack.call("POST", "/api/challenges/generate", {"taskId": task["id"], "type": "multiplayer"})
    assert status == 422 and body["errors"][0]["field"] == "body.type"
    assert stack.call("POST", "/api/challenges/generate", {"taskId": task["id"], "extra": 1})[0] == 422
    quiz = stack.generate(task["id"], type="quiz")
    stack.call("POST", f"/api/challenges/{quiz['id']}/start", {})
    status, body = stack.call("POST", f"/api/challenges/{quiz['id']}/complete", {})
    assert status == 422 and body["errors"][0]["field"] == "body.answers"
    assert stack.call("POST", f"/api/challenges/{quiz['id']}/start", {"version": 1})[0] == 412
    assert stack.call("POST", f"/api/challenges/{quiz['id']}/milestones/5", {})[0] == 404
    assert stack.call("POST", f"/api/challenges/{quiz['id']}/complete", {"version": True})[0] == 422
    assert stack.call("GET", "/api/challenges/unknown-id")[0] == 404


def test_given_a_malformed_friendship_then_it_is_dead_lettered_not_retried(stack: Stack) -> None:
    event = DomainEvent.new("users", "FriendshipAccepted", {"requesterId": "a", "addresseeId": "a",
                                                             "userIds": ["a", "a"]}, actor="a")
    assert consumers.handler(flows.sqs_of_events(event), FakeLambdaContext()) == {"batchItemFailures": []}
    sqs = boto3.client("sqs", region_name=template.REGION)
    messages = sqs.receive_message(QueueUrl=stack.created["ChallengesEvents.DeadLetterQueue"],
                                   MessageAttributeNames=["All"]).get("Messages", [])
    assert len(messages) == 1
    assert "two different users" in messages[0]["MessageAttributes"]["deadLetterReason"]["StringValue"]

"""A challenge's life on the repository: generated from the caller's task, started, its milestones checked,
completed once (a quiz by its answers), abandoned, expired, cancelled with its task; the jobs and the
consumer's actions."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from deepiri_challenges.dal.tasks import TaskView
from deepiri_challenges.logic import daily, duels, expiry, generation, intake, lifecycle
from deepiri_challenges.models.challenges import (
    ChallengeSubmission,
    ChallengeVersionCheck,
    GenerateRequest,
    MilestoneCheck,
    StoredChallenge,
)
from deepiri_challenges.models.duels import DuelCreate
from deepiri_challenges.models.events import (
    DuelProgressReportedData,
    FriendshipAcceptedData,
    FriendshipEndedData,
    TaskDeletedData,
    UserDeletedData,
    UserSettingsData,
)
from deepiri_common.consumers import PermanentFailure
from deepiri_common.identity import Caller
from deepiri_common.problems import Conflict, NotFound, PreconditionFailed, ValidationFailed
from tests.unit.challenges.conftest import MemoryDrafts, MemoryTasks, RecordingRepository

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
ALICE = Caller(user_id="alice")


def _tools(repository: RecordingRepository, tasks: MemoryTasks | None = None,
           drafts: MemoryDrafts | None = None, seed: int = 3) -> generation.Generation:
    return generation.Generation(repository, tasks or MemoryTasks(), drafts or MemoryDrafts(),  # type: ignore[arg-type]
                                 random.Random(seed))


def _made(repository: RecordingRepository, kind: str = "checklist", tasks: MemoryTasks | None = None,
          **fields: object) -> tuple[StoredChallenge, MemoryTasks]:
    tasks = tasks or MemoryTasks()
    task = tasks.add("alice", description="- draft\n- review", estimateMinutes=30, difficulty="easy")
    request = GenerateRequest(taskId=task.id, type=kind, **fields)
    return generation.generate(_tools(repository, tasks), ALICE, request, NOW), tasks


# ------------------------------------------------------------------ generation
def test_given_a_task_then_the_challenge_follows_the_rules_and_is_published(repository: RecordingRepository) -> None:
    challenge, _ = _made(repository, completesTask=True)
    assert (challenge.type, challenge.status, challenge.difficulty, challenge.version) == ("checklist", "generated",
                                                                                           "easy", 1)
    assert challenge.title == "Checklist run: Write the report" and challenge.completesTask is True
    assert [m.title for m in challenge.milestones] == ["draft", "review"]
    assert challenge.description == "Check off all 2 steps within 38 minutes."
    assert (challenge.pointsReward, challenge.bonusMultiplier, challenge.timeLimitMinutes) == (100, 1, 38)
    assert challenge.hints == generation.HINTS["checklist"] and challenge.createdAt == "2026-11-30T09:00:00.000Z"
    assert repository.challenge("alice", challenge.id) == challenge
    [event] = repository.published
    assert event.detail_type == "ChallengeGenerated" and event.detail.actor == "alice"
    assert event.detail.data["taskId"] == challenge.taskId and event.detail.data["pointsReward"] == 100
    assert lifecycle.stats(repository, "alice").total == 1


def test_given_another_users_task_or_a_multiplayer_type_then_no_challenge(repository: RecordingRepository) -> None:
    tasks = MemoryTasks()
    task = tasks.add("bob")
    with pytest.raises(NotFound, match=r"^no such task$"):
        generation.generate(_tools(repository, tasks), ALICE, GenerateRequest(taskId=task.id), NOW)
    with pytest.raises(ValidationFailed) as refused:
        generation.generate(_tools(repository, tasks), ALICE, GenerateRequest(taskId=task.id, type="multiplayer"), NOW)
    assert refused.value.errors == [{"field": "body.type", "message": "a multiplayer challenge is a duel: "
                                                                      "POST /api/challenges/duels with a friend"}]
    assert repository.published == []


def test_given_no_difficulty_then_the_tasks_moves_with_success(repository: RecordingRepository) -> None:
    tasks = MemoryTasks()
    task = tasks.add("alice", difficulty="nonsense")
    made = generation.generate(_tools(repository, tasks), ALICE, GenerateRequest(taskId=task.id, type="custom"), NOW)
    assert (made.difficulty, made.bonusMultiplier) == ("medium", 1)
    for _ in range(3):
        done = generation.generate(_tools(repository, tasks), ALICE, GenerateRequest(taskId=task.id, type="custom"),
                                   NOW)
        lifecycle.start(repository, "alice", done.id, ChallengeVersionCheck(), NOW)
        lifecycle.complete(repository, tasks, ALICE, done.id, request=ChallengeSubmission(), now=NOW)  # type: ignore[arg-type]
    up = generation.generate(_tools(repository, tasks), ALICE, GenerateRequest(taskId=task.id, type="custom"), NOW)
    assert (up.difficulty, up.bonusMultiplier) == ("hard", 2)
    asked = generation.generate(_tools(repository, tasks), ALICE,
                                GenerateRequest(taskId=task.id, type="custom", difficulty="trivial"), NOW)
    assert (asked.difficulty, asked.bonusMultiplier) == ("trivial", 1)


def test_given_a_quiz_then_its_questions_come_from_the_drafts(repository: RecordingRepository) -> None:
    tasks, drafts = MemoryTasks(), MemoryDrafts()
    task = tasks.add("alice", title="Learn SQL", description="joins", category="study", estimateMinutes=20)
    quiz = generation.generate(_tools(repository, tasks, drafts), ALICE,
                               GenerateRequest(taskId=task.id, type="quiz", difficulty="hard"), NOW)
    assert [q.question for q in quiz.questions] == [f"Learn SQL #{n}?" for n in range(5)]
    assert quiz.answers == [0, 1, 2, 3, 0] and quiz.description == "Answer 5 questions within 15 minutes."
    [(user, kind, draft, count)] = drafts.asked
    assert (user, kind, count) == ("alice", "quiz", 5)
    assert (draft.title, draft.description, draft.category, draft.difficulty, draft.estimateMinutes) == (
        "Learn SQL", "joins", "study", "hard", 20)
    puzzle = generation.generate(_tools(repository, tasks, drafts), ALICE,
                                 GenerateRequest(taskId=task.id, type="puzzle"), NOW)
    assert puzzle.description == "Answer 5 questions within 15 minutes." and puzzle.answers == [0, 1, 2, 3, 0]
    drafts.able = False
    with pytest.raises(Conflict, match="a puzzle cannot be made for this task now; choose another type"):
        generation.generate(_tools(repository, tasks, drafts), ALICE, GenerateRequest(taskId=task.id, type="puzzle"),
                            NOW)


@pytest.mark.parametrize("seed", range(12))
def test_given_no_type_and_no_drafts_then_the_bandit_picks_a_type_without_questions(
        repository: RecordingRepository, seed: int) -> None:
    tasks, drafts = MemoryTasks(), MemoryDrafts(able=False)
    task = tasks.add("alice")
    made = generation.generate(_tools(repository, tasks, drafts, seed), ALICE, GenerateRequest(taskId=task.id), NOW)
    assert made.type in generation.BANDIT_TYPES and made.type not in ("quiz", "puzzle")
    assert all(kind in ("quiz", "puzzle") for _, kind, _, _ in drafts.asked)


@pytest.mark.parametrize("seed", range(12))
def test_given_no_type_then_the_bandit_picks_and_a_quiz_gets_questions(repository: RecordingRepository,
                                                                       seed: int) -> None:
    tasks = MemoryTasks()
    task = tasks.add("alice")
    made = generation.generate(_tools(repository, tasks, MemoryDrafts(), seed), ALICE,
                               GenerateRequest(taskId=task.id), NOW)
    assert made.type in generation.BANDIT_TYPES
    assert (len(made.questions) == 5) is (made.type in ("quiz", "puzzle"))


@pytest.mark.parametrize(("kind", "description"), [
    ("streak", "Work on it every day for 3 days in a row."),
    ("focus_sprint", "2 pomodoros of 25 minutes on it, within 50 minutes."),
    ("timed_completion", "Finish it within 38 minutes."),
    ("custom", "Finish it within 38 minutes."),
])
def test_given_a_type_then_the_description_says_what_to_do(repository: RecordingRepository, kind: str,
                                                            description: str) -> None:
    challenge, _ = _made(repository, kind)
    assert challenge.description == description
    assert challenge.title.startswith(generation._KIND_TITLES[kind] + ": ")


def test_given_no_task_then_a_built_challenge_is_for_today() -> None:
    built = generation.build("alice", "custom", None, "easy", now=NOW, completes_task=True)
    assert (built.title, built.taskId, built.completesTask, built.category, built.daily) == (
        "Your challenge: today", None, False, "manual", False)
    assert generation.build("alice", "custom", None, "easy", now=NOW, title="x" * 400).title == "x" * 300


def test_given_no_task_then_a_checklist_is_the_default_three_steps() -> None:
    built = generation.build("alice", "checklist", None, "medium", now=NOW)
    assert [m.title for m in built.milestones] == ["Plan it", "Do it", "Check it"]
    assert (built.pointsReward, built.bonusMultiplier, built.timeLimitMinutes) == (250, 1, 60)


def test_given_a_task_then_a_built_challenge_takes_its_category_and_estimate() -> None:
    task = TaskView(id="T" * 26, title="Ship it", category="code", estimateMinutes=90)
    built = generation.build("alice", "streak", task, "medium", step=1, now=NOW)
    # a long task pays half as much again; a streak and a raised difficulty each add 1 to the multiplier
    assert (built.category, built.pointsReward, built.bonusMultiplier) == ("code", 375, 3)
    assert (built.taskId, built.completesTask) == (task.id, False)
    assert generation.build("alice", "streak", task, "medium", now=NOW, completes_task=True).completesTask


# ------------------------------------------------------------------ lifecycle
def test_given_a_challenge_then_it_starts_once_with_its_deadline(repository: RecordingRepository) -> None:
    challenge, _ = _made(repository)
    started = lifecycle.start(repository, "alice", challenge.id, ChallengeVersionCheck(version=1), NOW)
    assert (started.status, started.version, started.startedAt) == ("active", 2, "2026-11-30T09:00:00.000Z")
    assert started.expiresAt == "2026-11-30T09:38:00.000Z"
    event = repository.published[-1]
    assert event.detail_type == "ChallengeStarted" and event.detail.data["type"] == "checklist"
    with pytest.raises(Conflict, match="a active challenge"):
        lifecycle.start(repository, "alice", challenge.id, ChallengeVersionCheck(), NOW)
    with pytest.raises(PreconditionFailed):
        lifecycle.start(repository, "alice", challenge.id, ChallengeVersionCheck(version=1), NOW)
    with pytest.raises(NotFound):
        lifecycle.start(repository, "bob", challenge.id, ChallengeVersionCheck(), NOW)


def test_given_milestones_then_checking_one_scores_the_completion(repository: RecordingRepository) -> None:
    challenge, tasks = _made(repository, completesTask=True)
    with pytest.raises(Conflict, match="a generated challenge"):
        lifecycle.check_milestone(repository, "alice", challenge.id, milestone=0, request=MilestoneCheck(), now=NOW)
    lifecycle.start(repository, "alice", challenge.id, ChallengeVersionCheck(), NOW)
    checked = lifecycle.check_milestone(repository, "alice", challenge.id, milestone=1, request=MilestoneCheck(),
                                        now=NOW + timedelta(minutes=1))
    assert [(m.done, m.doneAt) for m in checked.milestones] == [(False, None), (True, "2026-11-30T09:01:00.000Z")]
    assert checked.version == 3 and checked.expiresAt == "2026-11-30T09:38:00.000Z"
    unchecked = lifecycle.check_milestone(repository, "alice", challenge.id, milestone=1,
                                          request=MilestoneCheck(done=False), now=NOW)
    assert [m.done for m in unchecked.milestones] == [False, False]
    with pytest.raises(NotFound, match="no such milestone"):
        lifecycle.check_milestone(repository, "alice", challenge.id, milestone=2, request=MilestoneCheck(), now=NOW)
    lifecycle.check_milestone(repository, "alice", challenge.id, milestone=0, request=MilestoneCheck(), now=NOW)
    done = lifecycle.complete(repository, tasks, ALICE, challenge.id,  # type: ignore[arg-type]
                              request=ChallengeSubmission(), now=NOW + timedelta(minutes=19))
    assert (done.status, done.score, done.endedAt, done.taskCompleted) == ("completed", 500, "2026-11-30T09:19:00.000Z",
                                                                          True)
    assert done.attemptsUsed == 0 and tasks.completed == [challenge.taskId]
    assert done.version == 6  # generated 1, started 2, three milestone moves, completed 6
    completed = repository.published[-1]
    assert completed.detail_type == "ChallengeCompleted" and completed.detail.data["score"] == 500
    assert completed.detail.data["pointsReward"] == 100 and completed.detail.data["bonusMultiplier"] == 1
    with pytest.raises(Conflict):
        lifecycle.complete(repository, tasks, ALICE, challenge.id, request=ChallengeSubmission(), now=NOW)  # type: ignore[arg-type]
    stats = lifecycle.stats(repository, "alice")
    assert (stats.total, stats.completed, stats.successRate) == (1, 1, 1.0)
    assert [c.id for c in lifecycle.history(repository, "alice", 10, None).items] == [challenge.id]
    assert [(c.id, c.version) for c in lifecycle.listing(repository, "alice", "completed", 10, None).items] == [
        (challenge.id, 6)]
    assert lifecycle.listing(repository, "alice", "active", 10, None).items == []


@pytest.mark.parametrize(("status", "done", "completed"), [(200, "todo", True), (409, "todo", False),
                                                           (200, "done", True)])
def test_given_a_linked_task_then_completing_completes_it(repository: RecordingRepository, status: int, done: str,
                                                          completed: bool) -> None:
    tasks = MemoryTasks(status=status)
    challenge, _ = _made(repository, "custom", tasks, completesTask=True)
    tasks.tasks = {key: task.model_copy(update={"status": done}) for key, task in tasks.tasks.items()}
    lifecycle.start(repository, "alice", challenge.id, ChallengeVersionCheck(), NOW)
    result = lifecycle.complete(repository, tasks, ALICE, challenge.id, request=ChallengeSubmission(), now=NOW)  # type: ignore[arg-type]
    assert result.taskCompleted is completed and tasks.completed == ([] if done == "done" else [challenge.taskId])


def test_given_a_deleted_linked_task_or_none_asked_then_the_task_is_left(repository: RecordingRepository) -> None:
    challenge, tasks = _made(repository, "custom", completesTask=True)
    lifecycle.start(repository, "alice", challenge.id, ChallengeVersionCheck(), NOW)
    tasks.tasks.clear()
    assert lifecycle.complete(repository, tasks, ALICE, challenge.id, request=ChallengeSubmission(),  # type: ignore[arg-type]
                              now=NOW).taskCompleted is False
    other, tasks = _made(repository, "custom")
    lifecycle.start(repository, "alice", other.id, ChallengeVersionCheck(), NOW)
    assert lifecycle.complete(repository, tasks, ALICE, other.id, request=ChallengeSubmission(),  # type: ignore[arg-type]
                              now=NOW).taskCompleted is None
    assert tasks.completed == []


def test_given_time_up_then_completion_is_refused(repository: RecordingRepository) -> None:
    challenge, tasks = _made(repository)
    lifecycle.start(repository, "alice", challenge.id, ChallengeVersionCheck(), NOW)
    with pytest.raises(Conflict, match="ran out of time"):
        lifecycle.complete(repository, tasks, ALICE, challenge.id, request=ChallengeSubmission(),  # type: ignore[arg-type]
                           now=NOW + timedelta(minutes=38))


def _quiz(repository: RecordingRepository) -> tuple[StoredChallenge, MemoryTasks]:
    challenge, tasks = _made(repository, "quiz")
    lifecycle.start(repository, "alice", challenge.id, ChallengeVersionCheck(), NOW)
    return challenge, tasks


def test_given_a_quiz_then_it_is_completed_by_its_answers(repository: RecordingRepository) -> None:
    challenge, tasks = _quiz(repository)
    with pytest.raises(ValidationFailed) as refused:
        lifecycle.complete(repository, tasks, ALICE, challenge.id, request=ChallengeSubmission(), now=NOW)  # type: ignore[arg-type]
    assert refused.value.errors == [{"field": "body.answers", "message": "a quiz is completed with its answers"}]
    done = lifecycle.complete(repository, tasks, ALICE, challenge.id,  # type: ignore[arg-type]
                              request=ChallengeSubmission(answers=[0, 1, 2, 0, 0]), now=NOW)
    assert done.status == "completed" and done.attemptsUsed == 1 and done.quizResult is not None
    assert (done.quizResult.points, done.quizResult.maxPoints, done.score) == (40, 50, 860)


def test_given_wrong_answers_then_attempts_run_out_with_the_answers_withheld(repository: RecordingRepository) -> None:
    challenge, tasks = _quiz(repository)
    wrong = ChallengeSubmission(answers=[0, 3, 3, 0, 1])
    first = lifecycle.complete(repository, tasks, ALICE, challenge.id, request=wrong, now=NOW)  # type: ignore[arg-type]
    assert (first.status, first.attemptsUsed, first.version) == ("active", 1, 3)
    assert first.quizResult is not None and first.quizResult.correctAnswers == [] and first.quizResult.points == 10
    assert first.expiresAt == "2026-11-30T09:15:00.000Z"
    lifecycle.complete(repository, tasks, ALICE, challenge.id, request=wrong, now=NOW)  # type: ignore[arg-type]
    last = lifecycle.complete(repository, tasks, ALICE, challenge.id, request=wrong, now=NOW)  # type: ignore[arg-type]
    assert (last.status, last.attemptsUsed, last.score, last.endedAt) == ("failed", 3, 0, "2026-11-30T09:00:00.000Z")
    assert last.quizResult is not None and last.quizResult.correctAnswers == [0, 1, 2, 3, 0]
    failed = repository.published[-1]
    assert failed.detail_type == "ChallengeFailed" and failed.detail.data["reason"] == "attempts_exhausted"
    assert lifecycle.stats(repository, "alice").successRate == 0.0


def test_given_a_challenge_then_abandoning_fails_it(repository: RecordingRepository) -> None:
    challenge, _ = _made(repository)
    abandoned = lifecycle.abandon(repository, "alice", challenge.id, ChallengeVersionCheck(), NOW)
    assert (abandoned.status, abandoned.score, abandoned.version) == ("abandoned", 0, 2)
    failed = repository.published[-1]
    assert failed.detail.data["reason"] == "abandoned" and failed.detail.actor == "alice"
    assert repository.arms("alice") == {"checklist": (0, 1)}


def test_given_a_stale_write_then_the_move_is_a_conflict(repository: RecordingRepository) -> None:
    challenge, _ = _made(repository)
    lifecycle.start(repository, "alice", challenge.id, ChallengeVersionCheck(), NOW)
    with pytest.raises(Conflict, match="changed meanwhile"):
        lifecycle._save(repository, challenge, challenge.model_copy(update={"version": 2}), None, [])


def test_given_deadlines_then_only_overdue_open_challenges_expire(repository: RecordingRepository) -> None:
    challenge, _ = _made(repository)
    assert lifecycle.expire(repository, challenge, NOW + timedelta(days=9)) is False  # no deadline yet
    started = repository.challenge("alice", lifecycle.start(repository, "alice", challenge.id,
                                                            ChallengeVersionCheck(), NOW).id)
    assert started is not None
    assert lifecycle.expire(repository, started, NOW + timedelta(minutes=37)) is False
    assert lifecycle.expire(repository, started, NOW + timedelta(minutes=38)) is True
    stored = repository.challenge("alice", challenge.id)
    assert stored is not None and (stored.status, stored.score, stored.version) == ("expired", 0, 3)
    assert repository.published[-1].detail_type == "ChallengeExpired"
    assert repository.published[-1].detail.actor == "system"
    assert lifecycle.expire(repository, started, NOW + timedelta(minutes=38)) is False  # moved meanwhile
    assert lifecycle.expire(repository, stored, NOW + timedelta(minutes=38)) is False


def test_given_a_deleted_task_then_its_open_challenges_are_cancelled(repository: RecordingRepository) -> None:
    challenge, tasks = _made(repository)
    other, _ = _made(repository, tasks=tasks)
    assert lifecycle.cancel_for_task(repository, "alice", challenge.taskId or "", NOW) == 1
    stored = repository.challenge("alice", challenge.id)
    assert stored is not None and (stored.status, stored.endedAt) == ("cancelled", "2026-11-30T09:00:00.000Z")
    assert repository.challenge("alice", other.id) == other
    assert lifecycle.cancel_for_task(repository, "alice", challenge.taskId or "", NOW) == 0
    assert repository.kinds() == ["ChallengeGenerated", "ChallengeGenerated"]


# ------------------------------------------------------------------ the jobs
def test_given_the_expiry_job_then_it_ends_what_is_due(repository: RecordingRepository) -> None:
    challenge, _ = _made(repository)
    lifecycle.start(repository, "alice", challenge.id, ChallengeVersionCheck(), NOW)
    report = expiry.run(repository, NOW + timedelta(minutes=30))
    assert (report.visited, report.expired, report.duelsEnded) == (0, 0, 0)
    repository.set_friends(["alice", "bob"], True, "t")
    duel = duels.invite(repository, "alice", DuelCreate(opponentId="bob", category="code", durationMinutes=60), NOW)
    duels.accept(repository, "bob", duel.id, NOW)
    report = expiry.run(repository, NOW + timedelta(minutes=40))
    assert (report.visited, report.expired, report.duelsEnded) == (1, 1, 0)
    report = expiry.run(repository, NOW + timedelta(minutes=60))
    assert (report.visited, report.expired, report.duelsEnded) == (1, 0, 1)
    ended = repository.duel(duel.id)
    assert ended is not None and (ended.status, ended.reason) == ("finished", "expired")
    assert expiry.run(repository, NOW + timedelta(minutes=40)).visited == 0


def test_given_the_daily_job_then_each_morning_user_gets_one_a_day(repository: RecordingRepository) -> None:
    at = datetime(2026, 11, 30, 8, 30, tzinfo=UTC)
    repository.set_timezone("alice", "Europe/Paris", daily.morning_hour("Europe/Paris", at), "t")
    repository.set_timezone("bob", "America/New_York", daily.morning_hour("America/New_York", at), "t")
    repository.set_timezone("carol", "UTC", daily.morning_hour("UTC", at), "t")  # the hour itself
    repository.set_timezone("dave", "Atlantic/Azores", daily.morning_hour("Atlantic/Azores", at), "t")  # 07:30
    report = daily.run(repository, at)
    assert (report.visited, report.offered) == (3, 2)
    assert len(lifecycle.listing(repository, "carol", "generated", 10, None).items) == 1
    assert lifecycle.listing(repository, "dave", None, 10, None).items == []
    assert lifecycle.stats(repository, "carol").total == 1
    assert daily.run(repository, at).offered == 0
    assert daily.run(repository, at + timedelta(hours=1)).offered == 1  # dave's 08:30
    assert daily.run(repository, at + timedelta(hours=1)).offered == 0
    [challenge] = lifecycle.listing(repository, "alice", "generated", 10, None).items
    assert (challenge.type, challenge.difficulty, challenge.daily, challenge.taskId) == ("focus_sprint", "easy",
                                                                                        True, None)
    assert challenge.title == "Daily focus, 2026-11-30" and challenge.expiresAt == "2026-11-30T23:00:00.000Z"
    [event] = [e for e in repository.published if e.detail.data["userId"] == "alice"]
    assert event.detail.actor == "system" and event.detail.data["daily"] is True
    assert event.detail_type == "ChallengeGenerated" and event.detail.data["challengeId"] == challenge.id
    assert (event.detail.data["taskId"], event.detail.data["type"], event.detail.data["difficulty"]) == (
        None, "focus_sprint", "easy")
    assert (event.detail.data["pointsReward"], event.detail.data["bonusMultiplier"]) == (challenge.pointsReward, 1)
    assert event.detail.data["expiresAt"].startswith("2026-11-30T23:00:00")
    assert daily.offer(repository, "bob", "America/New_York", at) is False  # 03:30 there


# ------------------------------------------------------------------ the consumer's actions
def test_given_events_then_each_has_its_action(repository: RecordingRepository) -> None:
    challenge, _ = _made(repository)
    pair = ["alice", "bob"]
    assert intake.apply(repository, FriendshipAcceptedData(requesterId="alice", addresseeId="bob", userIds=pair),
                        "t", NOW) == {"friends": True}
    assert repository.are_friends("bob", "alice")
    assert intake.apply(repository, FriendshipEndedData(userIds=pair), "t2", NOW) == {"friends": False}
    assert not repository.are_friends("alice", "bob")
    with pytest.raises(PermanentFailure):
        intake.apply(repository, FriendshipEndedData(userIds=["alice", "alice"]), "t", NOW)
    assert intake.apply(repository, UserSettingsData(userId="alice", timezone="Mars/Base"), "t", NOW) == {
        "ignored": "unknown timezone"}
    assert intake.apply(repository, UserSettingsData(userId="alice", timezone="Asia/Tokyo"), "t", NOW) == {
        "timezone": "Asia/Tokyo"}
    assert list(repository.morning_users(23)) == [("alice", "Asia/Tokyo")]
    assert intake.apply(repository, DuelProgressReportedData(userId="alice", duelId="0" * 26, progress=1), "t",
                        NOW) == {"refused": "no such duel"}
    assert intake.apply(repository, TaskDeletedData(taskId=challenge.taskId, ownerId="alice"), "t", NOW) == {
        "cancelled": 1}
    purged = intake.apply(repository, UserDeletedData(userId="alice"), "t", NOW)
    assert purged["purged"] >= 3 and repository.challenge("alice", challenge.id) is None
    assert intake.apply(repository, ChallengeVersionCheck(), "t", NOW) == {}

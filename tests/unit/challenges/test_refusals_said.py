"""What a refused move says, word for word, with the fields a client reads (the problem's extensions), and the
task an event names: a person sees these in the 404/409/412 problem and in their feed."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from deepiri_challenges.logic import duels, generation, lifecycle
from deepiri_challenges.models.challenges import (
    ChallengeSubmission,
    ChallengeVersionCheck,
    GenerateRequest,
    StoredChallenge,
)
from deepiri_challenges.models.duels import Duel, DuelCreate, DuelSpec
from deepiri_common.identity import Caller
from deepiri_common.problems import Conflict, NotFound, PreconditionFailed, Problem
from tests.unit.challenges.conftest import MemoryDrafts, MemoryTasks, RecordingRepository

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
ALICE = Caller(user_id="alice")


def _said(refused: pytest.ExceptionInfo[Problem]) -> tuple[str, dict[str, object]]:
    return refused.value.detail, refused.value.extensions


def _made(repository: RecordingRepository, kind: str = "checklist") -> tuple[StoredChallenge, MemoryTasks]:
    tasks = MemoryTasks()
    task = tasks.add("alice", description="- draft\n- review", estimateMinutes=30, difficulty="easy")
    tools = generation.Generation(repository, tasks, MemoryDrafts(), random.Random(1))  # type: ignore[arg-type]
    return generation.generate(tools, ALICE, GenerateRequest(taskId=task.id, type=kind), NOW), tasks


# ------------------------------------------------------------------ a challenge
def test_given_a_stale_version_then_the_412_says_the_current_one(repository: RecordingRepository) -> None:
    challenge, _ = _made(repository)
    with pytest.raises(PreconditionFailed) as refused:
        lifecycle.start(repository, "alice", challenge.id, ChallengeVersionCheck(version=7), NOW)
    assert _said(refused) == ("the challenge is at version 1", {"version": 1})


def test_given_a_move_its_status_forbids_then_the_409_names_the_status(repository: RecordingRepository) -> None:
    challenge, tasks = _made(repository)
    with pytest.raises(Conflict) as refused:
        lifecycle.complete(repository, tasks, ALICE, challenge.id, request=ChallengeSubmission(), now=NOW)  # type: ignore[arg-type]
    assert _said(refused) == ("a generated challenge cannot do that", {"status": "generated"})


def test_given_someone_elses_challenge_then_the_404_says_no_such_challenge(repository: RecordingRepository) -> None:
    challenge, _ = _made(repository)
    with pytest.raises(NotFound) as refused:
        lifecycle.abandon(repository, "bob", challenge.id, ChallengeVersionCheck(), NOW)
    assert _said(refused) == ("no such challenge", {})


def test_given_time_up_then_the_409_says_it_ran_out_and_is_expired(repository: RecordingRepository) -> None:
    challenge, tasks = _made(repository)
    lifecycle.start(repository, "alice", challenge.id, ChallengeVersionCheck(), NOW)
    with pytest.raises(Conflict) as refused:
        lifecycle.complete(repository, tasks, ALICE, challenge.id, request=ChallengeSubmission(),  # type: ignore[arg-type]
                           now=NOW + timedelta(hours=1))
    assert _said(refused) == ("the challenge ran out of time", {"status": "expired"})


def test_given_a_concurrent_move_then_the_409_says_to_read_it_again(repository: RecordingRepository) -> None:
    challenge, _ = _made(repository)
    lifecycle.start(repository, "alice", challenge.id, ChallengeVersionCheck(), NOW)
    with pytest.raises(Conflict) as refused:
        lifecycle._save(repository, challenge, challenge, None, [])  # written from version 1, now at 2
    assert _said(refused) == ("the challenge changed meanwhile; read it again", {})


def test_given_a_challenge_started_after_it_was_made_then_its_speed_counts_from_the_start(
        repository: RecordingRepository) -> None:
    challenge, tasks = _made(repository, "custom")  # 38 minutes, no milestones: 700 for the work
    lifecycle.start(repository, "alice", challenge.id, ChallengeVersionCheck(), NOW + timedelta(hours=2))

    done = lifecycle.complete(repository, tasks, ALICE, challenge.id, request=ChallengeSubmission(),  # type: ignore[arg-type]
                              now=NOW + timedelta(hours=2, minutes=19))

    assert done.score == 850  # half the limit used since the start, not two hours since it was made


def test_given_a_challenge_from_a_task_then_each_of_its_events_names_the_task(repository: RecordingRepository) -> None:
    challenge, tasks = _made(repository)
    lifecycle.start(repository, "alice", challenge.id, ChallengeVersionCheck(), NOW)
    lifecycle.complete(repository, tasks, ALICE, challenge.id, request=ChallengeSubmission(), now=NOW)  # type: ignore[arg-type]
    other, _ = _made(repository)
    lifecycle.abandon(repository, "alice", other.id, ChallengeVersionCheck(), NOW)

    named = [(e.detail_type, e.detail.data["taskId"], e.detail.data["userId"]) for e in repository.published]

    assert named == [("ChallengeGenerated", challenge.taskId, "alice"), ("ChallengeStarted", challenge.taskId, "alice"),
                     ("ChallengeCompleted", challenge.taskId, "alice"), ("ChallengeGenerated", other.taskId, "alice"),
                     ("ChallengeFailed", other.taskId, "alice")]
    assert repository.published[2].detail.data["difficulty"] == "easy"


def test_given_a_failed_quiz_attempt_then_it_is_reported_as_not_passed(repository: RecordingRepository) -> None:
    challenge, tasks = _made(repository, "quiz")
    lifecycle.start(repository, "alice", challenge.id, ChallengeVersionCheck(), NOW)

    first = lifecycle.complete(repository, tasks, ALICE, challenge.id,  # type: ignore[arg-type]
                               request=ChallengeSubmission(answers=[3, 3, 3, 3, 3]), now=NOW)

    assert first.quizResult is not None
    assert (first.quizResult.passed, first.quizResult.points, first.quizResult.maxPoints,
            first.quizResult.correct) == (False, 10, 50, [])


# ------------------------------------------------------------------ a duel
def _invite(repository: RecordingRepository) -> Duel:
    repository.set_friends(["alice", "bob"], True, "2026-11-30T08:00:00.000Z")
    return duels.invite(repository, "alice", DuelCreate(opponentId="bob", category="code", durationMinutes=60,
                                                        spec=DuelSpec(template="most_milestones", target=3)), NOW)


def test_given_an_outsider_then_the_duel_404_says_no_such_duel(repository: RecordingRepository) -> None:
    duel = _invite(repository)
    with pytest.raises(NotFound) as refused:
        duels.accept(repository, "carol", duel.id, NOW)
    assert _said(refused) == ("no such duel", {})


@pytest.mark.parametrize(("who", "later", "said"), [
    ("alice", timedelta(0), "only the invited friend answers an invitation"),
    ("bob", timedelta(hours=24), "the duel is lapsed"),
])
def test_given_an_answer_that_cannot_be_given_then_the_409_says_why(repository: RecordingRepository, who: str,
                                                                    later: timedelta, said: str) -> None:
    duel = _invite(repository)
    with pytest.raises(Conflict) as refused:
        duels.accept(repository, who, duel.id, NOW + later)
    assert _said(refused) == (said, {})


def test_given_a_moved_duel_then_each_refusal_names_its_state(repository: RecordingRepository) -> None:
    duel = _invite(repository)
    for move in (lambda: duels.progress(repository, "alice", duel.id, 1, NOW),
                 lambda: duels.abandon(repository, "alice", duel.id, NOW)):
        with pytest.raises(Conflict) as refused:
            move()
        assert _said(refused) == ("the duel is invited", {})
    duels.decline(repository, "bob", duel.id, NOW)
    with pytest.raises(Conflict) as answered:
        duels.accept(repository, "bob", duel.id, NOW)
    assert _said(answered) == ("the duel is declined", {})


def test_given_a_duel_past_its_end_then_progress_is_refused_as_time_up(repository: RecordingRepository) -> None:
    invited = _invite(repository)
    duel = duels.accept(repository, "bob", invited.id, NOW)
    with pytest.raises(Conflict) as refused:
        duels.progress(repository, "bob", duel.id, 1, NOW + timedelta(minutes=60))
    assert _said(refused) == ("the duel's time is up", {})
    with pytest.raises(Conflict) as stale:
        duels._save(repository, invited, invited.model_copy(update={"version": 2}), None, [])  # it is at 2
    assert _said(stale) == ("the duel changed meanwhile; read it again", {})


# ------------------------------------------------------------------ endings and the figures they feed
def test_given_an_overdue_challenge_then_it_ends_when_it_was_due_and_its_event_names_the_task(
        repository: RecordingRepository) -> None:
    challenge, _ = _made(repository)
    started = lifecycle.start(repository, "alice", challenge.id, ChallengeVersionCheck(), NOW)
    stored = repository.challenge("alice", started.id)
    assert stored is not None

    assert lifecycle.expire(repository, stored, NOW + timedelta(hours=3)) is True

    ended = repository.challenge("alice", challenge.id)
    assert ended is not None and (ended.status, ended.endedAt) == ("expired", "2026-11-30T12:00:00.000Z")
    event = repository.published[-1]
    assert (event.detail_type, event.detail.data) == ("ChallengeExpired", {
        "challengeId": challenge.id, "userId": "alice", "taskId": challenge.taskId})


def test_given_a_completed_and_a_failed_challenge_then_the_success_rate_is_a_half(
        repository: RecordingRepository) -> None:
    done, tasks = _made(repository, "custom")
    lifecycle.start(repository, "alice", done.id, ChallengeVersionCheck(), NOW)
    lifecycle.complete(repository, tasks, ALICE, done.id, request=ChallengeSubmission(), now=NOW)  # type: ignore[arg-type]
    quiz, _ = _made(repository, "quiz")
    lifecycle.start(repository, "alice", quiz.id, ChallengeVersionCheck(), NOW)
    for _ in range(3):
        lifecycle.complete(repository, tasks, ALICE, quiz.id,  # type: ignore[arg-type]
                           request=ChallengeSubmission(answers=[3, 3, 3, 3, 3]), now=NOW)

    stats = lifecycle.stats(repository, "alice")

    assert (stats.total, stats.completed, stats.successRate) == (2, 1, 0.5)

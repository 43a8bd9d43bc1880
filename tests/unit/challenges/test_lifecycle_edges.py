"""What a person sees at the edges of a challenge's life: an unchecked milestone loses its time, a checked
milestone or a failed quiz attempt keeps the deadline (the expiry job still ends it), a spent quiz is
one version on and pays nothing, history pages on, and the success rate counts every decided outcome."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from deepiri_challenges.logic import expiry, generation, lifecycle
from deepiri_challenges.models.challenges import (
    ChallengeSubmission,
    ChallengeVersionCheck,
    GenerateRequest,
    MilestoneCheck,
)
from deepiri_common.identity import Caller
from tests.unit.challenges.conftest import MemoryDrafts, MemoryTasks, RecordingRepository

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
ALICE = Caller(user_id="alice")


def _started(repository: RecordingRepository, kind: str) -> str:
    tasks = MemoryTasks()
    task = tasks.add("alice", description="- a\n- b", estimateMinutes=30, difficulty="easy")
    tools = generation.Generation(repository, tasks, MemoryDrafts(), random.Random(1))  # type: ignore[arg-type]
    made = generation.generate(tools, ALICE, GenerateRequest(taskId=task.id, type=kind), NOW)
    lifecycle.start(repository, "alice", made.id, ChallengeVersionCheck(), NOW)
    return made.id


def test_given_a_checked_milestone_then_unchecking_clears_its_time_and_the_deadline_stays(
        repository: RecordingRepository) -> None:
    challenge_id = _started(repository, "checklist")
    lifecycle.check_milestone(repository, "alice", challenge_id, milestone=0, request=MilestoneCheck(done=True),
                              now=NOW + timedelta(minutes=1))
    unchecked = lifecycle.check_milestone(repository, "alice", challenge_id, milestone=0,
                                          request=MilestoneCheck(done=False), now=NOW + timedelta(minutes=2))
    assert (unchecked.milestones[0].done, unchecked.milestones[0].doneAt) == (False, None)
    assert expiry.run(repository, NOW + timedelta(minutes=38)).expired == 1  # still in the expiry index


def test_given_a_failed_quiz_attempt_then_its_deadline_stays_and_the_last_one_ends_it_one_version_on(
        repository: RecordingRepository) -> None:
    challenge_id = _started(repository, "quiz")
    wrong = ChallengeSubmission(answers=[3, 3, 3, 3, 3])
    first = lifecycle.complete(repository, MemoryTasks(), ALICE, challenge_id, request=wrong,  # type: ignore[arg-type]
                               now=NOW + timedelta(minutes=1))
    assert first.quizResult is not None and first.quizResult.passed is False
    assert expiry.run(repository, NOW + timedelta(minutes=15)).expired == 1  # the attempt kept it in the index

    other = _started(repository, "quiz")
    for minute in range(3):
        last = lifecycle.complete(repository, MemoryTasks(), ALICE, other, request=wrong,  # type: ignore[arg-type]
                                  now=NOW + timedelta(minutes=minute + 1))
    assert (last.status, last.version) == ("failed", 5)  # generated 1, started 2, two attempts 3 and 4
    [failed] = [e for e in repository.published if e.detail_type == "ChallengeFailed"]
    assert failed.detail.data["taskId"] is not None
    quiz = {t.type: t for t in lifecycle.stats(repository, "alice").byType}["quiz"]
    assert (quiz.failed, quiz.expired, quiz.pointsEarned) == (1, 1, 0)


def test_given_ended_challenges_then_history_pages_on_and_the_rate_counts_every_outcome(
        repository: RecordingRepository) -> None:
    done, expired, abandoned = (_started(repository, "custom") for _ in range(3))
    lifecycle.complete(repository, MemoryTasks(), ALICE, done, request=ChallengeSubmission(),  # type: ignore[arg-type]
                       now=NOW + timedelta(minutes=1))
    lifecycle.abandon(repository, "alice", abandoned, ChallengeVersionCheck(), NOW + timedelta(minutes=2))
    stored = repository.challenge("alice", expired)
    assert stored is not None and lifecycle.expire(repository, stored, NOW + timedelta(days=1))
    first = lifecycle.history(repository, "alice", 2, None)
    assert len(first.items) == 2 and first.next_cursor is not None
    rest = lifecycle.history(repository, "alice", 2, first.next_cursor)
    assert {c.id for c in first.items + rest.items} == {done, expired, abandoned} and rest.next_cursor is None
    assert lifecycle.stats(repository, "alice").successRate == 0.333

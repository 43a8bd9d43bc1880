"""A deleted task cancels every open challenge made from it (counted in the stats, each at its next
version), whatever else the user has running; abandoning records when; an unknown milestone says so."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from deepiri_challenges.logic import generation, lifecycle
from deepiri_challenges.models.challenges import ChallengeVersionCheck, GenerateRequest, MilestoneCheck
from deepiri_common.identity import Caller
from deepiri_common.problems import NotFound
from tests.unit.challenges.conftest import MemoryDrafts, MemoryTasks, RecordingRepository

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
ALICE = Caller(user_id="alice")


def _tools(repository: RecordingRepository, tasks: MemoryTasks) -> generation.Generation:
    return generation.Generation(repository, tasks, MemoryDrafts(), random.Random(1))  # type: ignore[arg-type]


def test_given_a_deleted_task_then_each_of_its_open_challenges_is_cancelled(repository: RecordingRepository) -> None:
    tasks = MemoryTasks()
    deleted, kept = tasks.add("alice", description="- a\n- b"), tasks.add("alice", title="Other")
    made = [generation.generate(_tools(repository, tasks), ALICE, GenerateRequest(taskId=deleted.id, type="checklist"),
                                NOW + timedelta(seconds=n)) for n in range(2)]
    lifecycle.start(repository, "alice", made[1].id, ChallengeVersionCheck(), NOW + timedelta(seconds=5))
    # The newest open challenge is another task's: read first, and left alone.
    other = generation.generate(_tools(repository, tasks), ALICE, GenerateRequest(taskId=kept.id, type="custom"),
                                NOW + timedelta(seconds=9))
    assert lifecycle.cancel_for_task(repository, "alice", deleted.id, NOW + timedelta(minutes=1)) == 2
    for before in made:
        after = repository.challenge("alice", before.id)
        assert after is not None and after.status == "cancelled" and after.endedAt == "2026-11-30T09:01:00.000Z"
    versions = [c.version for c in (repository.challenge("alice", m.id) for m in made) if c is not None]
    assert versions == [2, 3]  # generated (1) and started (2), each moved one version on
    untouched = repository.challenge("alice", other.id)
    assert untouched is not None and untouched.status == "generated"
    checklist = {t.type: t for t in lifecycle.stats(repository, "alice").byType}["checklist"]
    assert (checklist.generated, checklist.cancelled) == (2, 2)


def test_given_an_abandon_then_it_records_when(repository: RecordingRepository) -> None:
    tasks = MemoryTasks()
    task = tasks.add("alice")
    made = generation.generate(_tools(repository, tasks), ALICE, GenerateRequest(taskId=task.id, type="custom"), NOW)
    gave_up = lifecycle.abandon(repository, "alice", made.id, ChallengeVersionCheck(), NOW + timedelta(minutes=7))
    assert (gave_up.status, gave_up.endedAt, gave_up.score) == ("abandoned", "2026-11-30T09:07:00.000Z", 0)


def test_given_an_unknown_milestone_then_404_says_so(repository: RecordingRepository) -> None:
    tasks = MemoryTasks()
    task = tasks.add("alice", description="- a\n- b")
    made = generation.generate(_tools(repository, tasks), ALICE, GenerateRequest(taskId=task.id, type="checklist"),
                               NOW)
    lifecycle.start(repository, "alice", made.id, ChallengeVersionCheck(), NOW)
    with pytest.raises(NotFound, match=r"^no such milestone$"):
        lifecycle.check_milestone(repository, "alice", made.id, milestone=2, request=MilestoneCheck(done=True),
                                  now=NOW)

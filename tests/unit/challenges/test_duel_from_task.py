"""A duel made from a task of the challenger's: both sides get a copy of the challenge made from it (title,
milestones as the target, time limit), the opponent never the task; first to check everything off wins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import partial

import pytest

from deepiri_challenges.logic import duels
from deepiri_challenges.models.duels import DuelCreate, DuelSpec
from deepiri_common.identity import Caller
from deepiri_common.problems import NotFound, ValidationFailed
from tests.unit.challenges.conftest import MemoryTasks, RecordingRepository

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
ALICE, BOB = Caller(user_id="alice"), Caller(user_id="bob")


@pytest.fixture
def tasks() -> MemoryTasks:
    return MemoryTasks()


def _invite(repository: RecordingRepository, tasks: MemoryTasks, task_id: str, *, template: str = "first_to_finish",
            minutes: int | None = None, caller: Caller = ALICE):
    repository.set_friends(["alice", "bob"], True, "2026-11-30T08:00:00.000Z")
    request = DuelCreate(opponentId="bob" if caller is ALICE else "alice", category="writing",
                         durationMinutes=minutes, spec=DuelSpec(template=template, taskId=task_id))
    return duels.invite(repository, caller.user_id, request, NOW, read_task=partial(tasks.task, caller))


def test_given_a_task_then_both_get_a_copy_of_its_challenge_and_not_the_task(repository: RecordingRepository,
                                                                             tasks: MemoryTasks) -> None:
    task = tasks.add("alice", title="Write the launch post", description="- outline\n- draft\n- edit",
                     estimateMinutes=40, difficulty="hard")
    duel = _invite(repository, tasks, task.id)
    spec = duel.spec
    assert (spec.template, spec.title, spec.target) == ("first_to_finish", "Duel: Write the launch post", 3)
    assert spec.milestones == ["outline", "draft", "edit"] and spec.difficulty == "hard"
    assert spec.timeLimitMinutes == 36 and duel.durationMinutes == 36  # 40 minutes x 0.9 (hard)
    seen_by_bob = duels.view(repository, "bob", duel.id)
    assert seen_by_bob.spec == spec
    assert task.id not in seen_by_bob.model_dump_json()  # a copy of the challenge, never a way to the task
    assert tasks.task(BOB, task.id) is None


def test_given_a_duration_then_it_wins_over_the_tasks_time_limit(repository: RecordingRepository,
                                                                tasks: MemoryTasks) -> None:
    task = tasks.add("alice", description="One. Two.")
    duel = _invite(repository, tasks, task.id, template="most_milestones", minutes=120)
    assert (duel.durationMinutes, duel.spec.target, duel.spec.milestones) == (120, 2, ["One.", "Two."])
    assert duel.spec.template == "most_milestones" and duel.spec.timeLimitMinutes == 60  # no estimate: 60, medium


def test_given_someone_elses_task_then_no_duel(repository: RecordingRepository, tasks: MemoryTasks) -> None:
    bobs = tasks.add("bob", description="- a\n- b")
    with pytest.raises(NotFound, match=r"^no such task$") as refused:
        _invite(repository, tasks, bobs.id)
    assert refused.value.extensions == {"field": "spec.taskId"}
    assert repository.published == []


def test_given_a_quiz_template_or_no_duration_then_422(repository: RecordingRepository, tasks: MemoryTasks) -> None:
    task = tasks.add("alice", description="- a\n- b")
    with pytest.raises(ValidationFailed) as quiz:
        _invite(repository, tasks, task.id, template="best_quiz_score")
    assert quiz.value.errors == [{"field": "body.spec.template",
                                  "message": "a challenge from a task is its checklist: most_milestones or "
                                             "first_to_finish"}]
    repository.set_friends(["alice", "bob"], True, "2026-11-30T08:00:00.000Z")
    with pytest.raises(ValidationFailed) as no_time:
        duels.invite(repository, "alice", DuelCreate(opponentId="bob", category="code"), NOW)
    assert no_time.value.errors == [{"field": "body.durationMinutes",
                                     "message": "required unless the spec is made from a task"}]
    assert repository.published == []


def test_given_a_duel_from_a_task_then_the_first_to_check_everything_off_wins(repository: RecordingRepository,
                                                                            tasks: MemoryTasks) -> None:
    task = tasks.add("alice", description="- outline\n- draft\n- edit", estimateMinutes=40)
    duel = _invite(repository, tasks, task.id)
    duels.accept(repository, "bob", duel.id, NOW)
    duels.progress(repository, "alice", duel.id, 2, NOW + timedelta(minutes=5))
    duels.progress(repository, "bob", duel.id, 3, NOW + timedelta(minutes=6))
    finished = duels.view(repository, "alice", duel.id)
    assert (finished.status, finished.winnerId, finished.reason) == ("finished", "bob", "completed")
    assert finished.scores == {"alice": 2, "bob": 3}
    assert repository.kinds().count("DuelFinished") == 1

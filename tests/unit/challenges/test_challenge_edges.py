"""Edges of duels made from tasks, refusals' exact words, and a deleted task among other open challenges."""

from __future__ import annotations

import io
import json
import random
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest

from deepiri_challenges.dal.challenges import VersionConflict
from deepiri_challenges.logic import duels, expiry, generation, lifecycle
from deepiri_challenges.models.challenges import ChallengeSubmission, ChallengeVersionCheck, GenerateRequest
from deepiri_challenges.models.duels import DuelCreate, DuelSpec
from deepiri_common.identity import Caller
from deepiri_common.problems import Conflict
from tests.unit.challenges.conftest import MemoryDrafts, MemoryTasks, RecordingRepository

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
ALICE = Caller(user_id="alice")


def _from_task(repository: RecordingRepository, tasks: MemoryTasks, task_id: str):  # type: ignore[no-untyped-def]
    repository.set_friends(["alice", "bob"], True, "2026-11-30T08:00:00.000Z")
    request = DuelCreate(opponentId="bob", category="writing",
                         spec=DuelSpec(template="most_milestones", taskId=task_id))
    return duels.invite(repository, "alice", request, NOW, read_task=partial(tasks.task, ALICE))


def test_given_a_task_of_an_unknown_difficulty_then_its_duel_is_a_medium_one(repository: RecordingRepository) -> None:
    tasks = MemoryTasks()
    task = tasks.add("alice", description="- a\n- b", difficulty="legendary", estimateMinutes=50)

    duel = _from_task(repository, tasks, task.id)

    assert duel.spec.difficulty == "medium" and duel.spec.timeLimitMinutes == 50  # medium: the estimate as it is


def test_given_a_long_task_title_then_the_duels_title_is_cut_at_200_characters(repository: RecordingRepository) -> None:
    tasks = MemoryTasks()
    task = tasks.add("alice", title="x" * 250, description="- a")

    duel = _from_task(repository, tasks, task.id)

    assert duel.spec.title == ("Duel: " + "x" * 250)[:200] and len(duel.spec.title) == 200


def test_given_someone_other_than_the_challenger_cancelling_then_the_conflict_says_who_may(
        repository: RecordingRepository) -> None:
    repository.set_friends(["alice", "bob"], True, "2026-11-30T08:00:00.000Z")
    duel = duels.invite(repository, "alice", DuelCreate(opponentId="bob", category="code", durationMinutes=30), NOW)

    with pytest.raises(Conflict) as refused:
        duels.cancel(repository, "bob", duel.id)

    assert refused.value.detail == "only the challenger cancels, and only before the invitation is answered"


def test_given_a_deleted_task_between_other_tasks_challenges_then_only_its_own_are_cancelled(
        repository: RecordingRepository) -> None:
    tasks = MemoryTasks()
    before, deleted, after = tasks.add("alice", title="Before"), tasks.add("alice"), tasks.add("alice", title="After")
    tools = generation.Generation(repository, tasks, MemoryDrafts(), random.Random(1))  # type: ignore[arg-type]
    made = {task.id: generation.generate(tools, ALICE, GenerateRequest(taskId=task.id, type="custom"),
                                         NOW + timedelta(seconds=n))
            for n, task in enumerate((before, deleted, after))}

    # whichever way the open challenges are read, another task's challenge comes before the deleted one's
    assert lifecycle.cancel_for_task(repository, "alice", deleted.id, NOW + timedelta(minutes=1)) == 1

    statuses = {task_id: getattr(repository.challenge("alice", c.id), "status", None) for task_id, c in made.items()}
    assert statuses == {before.id: "generated", deleted.id: "cancelled", after.id: "generated"}


def test_given_a_linked_task_the_api_refuses_to_complete_then_a_warning_names_it_and_its_status(
        repository: RecordingRepository, log_output: io.StringIO) -> None:
    tasks = MemoryTasks(status=409)
    task = tasks.add("alice", description="- a")
    tools = generation.Generation(repository, tasks, MemoryDrafts(), random.Random(1))  # type: ignore[arg-type]
    made = generation.generate(tools, ALICE, GenerateRequest(taskId=task.id, type="custom", completesTask=True), NOW)
    lifecycle.start(repository, "alice", made.id, ChallengeVersionCheck(), NOW)

    done = lifecycle.complete(repository, tasks, ALICE, made.id, request=ChallengeSubmission(),  # type: ignore[arg-type]
                              now=NOW + timedelta(minutes=1))

    records = [json.loads(line) for line in log_output.getvalue().splitlines()]
    warnings = [{k: r.get(k) for k in ("level", "message", "taskId", "status")} for r in records
                if r.get("level") == "WARNING"]
    assert done.taskCompleted is False
    assert warnings == [{"level": "WARNING", "message": "the linked task was not completed", "taskId": task.id,
                         "status": 409}]


def test_given_a_linked_task_completed_then_no_warning_is_logged(repository: RecordingRepository,
                                                                 log_output: io.StringIO) -> None:
    tasks = MemoryTasks(status=200)
    task = tasks.add("alice", description="- a")
    tools = generation.Generation(repository, tasks, MemoryDrafts(), random.Random(1))  # type: ignore[arg-type]
    made = generation.generate(tools, ALICE, GenerateRequest(taskId=task.id, type="custom", completesTask=True), NOW)
    lifecycle.start(repository, "alice", made.id, ChallengeVersionCheck(), NOW)

    done = lifecycle.complete(repository, tasks, ALICE, made.id, request=ChallengeSubmission(),  # type: ignore[arg-type]
                              now=NOW + timedelta(minutes=1))

    records = [json.loads(line) for line in log_output.getvalue().splitlines()]
    assert done.taskCompleted is True and tasks.completed == [task.id]
    assert [r for r in records if r.get("level") == "WARNING"] == []


def _active_duel(repository: RecordingRepository, opponent: str = "bob"):  # type: ignore[no-untyped-def]
    repository.set_friends(["alice", opponent], True, "2026-11-30T08:00:00.000Z")
    duel = duels.invite(repository, "alice", DuelCreate(opponentId=opponent, category="code", durationMinutes=60,
                                                        spec=DuelSpec(template="most_milestones", target=3)), NOW)
    return duels.accept(repository, opponent, duel.id, NOW + timedelta(minutes=1))


def test_given_progress_short_of_the_target_then_the_expiry_job_still_ends_the_duel_at_its_time(
        repository: RecordingRepository) -> None:
    duel = _active_duel(repository)
    duels.progress(repository, "alice", duel.id, 2, NOW + timedelta(minutes=10))  # still due at its end

    report = expiry.run(repository, NOW + timedelta(minutes=61))

    ended = duels.view(repository, "alice", duel.id)
    assert (report.duelsEnded, ended.status, ended.reason, ended.winnerId) == (1, "finished", "expired", "alice")


def test_given_two_duels_out_of_time_at_once_then_the_expiry_report_counts_both(
        repository: RecordingRepository) -> None:
    first, second = _active_duel(repository, "bob"), _active_duel(repository, "carol")

    report = expiry.run(repository, NOW + timedelta(minutes=61))

    assert report.duelsEnded == 2
    assert {duels.view(repository, "alice", d.id).status for d in (first, second)} == {"finished"}


def test_given_more_challenges_than_a_page_then_the_listing_pages_on_with_its_cursor(
        repository: RecordingRepository) -> None:
    tasks = MemoryTasks()
    tools = generation.Generation(repository, tasks, MemoryDrafts(), random.Random(1))  # type: ignore[arg-type]
    made = [generation.generate(tools, ALICE, GenerateRequest(taskId=tasks.add("alice", title=f"T{n}").id,
                                                              type="custom"), NOW + timedelta(seconds=n)).id
            for n in range(3)]

    first = lifecycle.listing(repository, "alice", None, 2, None)
    rest = lifecycle.listing(repository, "alice", None, 2, first.next_cursor)

    assert first.next_cursor is not None and [c.id for c in first.items] == made[:0:-1]  # newest first
    assert [c.id for c in rest.items] == made[:1]


def test_given_one_challenge_of_a_deleted_task_moved_meanwhile_then_the_others_are_still_cancelled(
        repository: RecordingRepository, monkeypatch: pytest.MonkeyPatch) -> None:
    tasks = MemoryTasks()
    deleted = tasks.add("alice")
    tools = generation.Generation(repository, tasks, MemoryDrafts(), random.Random(1))  # type: ignore[arg-type]
    for n in range(2):
        generation.generate(tools, ALICE, GenerateRequest(taskId=deleted.id, type="custom"), NOW + timedelta(seconds=n))
    save, calls = repository.save, []

    def first_one_moved(*args: Any, **kwargs: Any) -> None:
        calls.append(args)
        if len(calls) == 1:
            raise VersionConflict
        save(*args, **kwargs)

    monkeypatch.setattr(repository, "save", first_one_moved)

    assert lifecycle.cancel_for_task(repository, "alice", deleted.id, NOW + timedelta(minutes=1)) == 1
    assert len(calls) == 2

"""Without a type, generation follows the caller's own bandit: a person who finishes quizzes and drops
everything else gets quizzes (with their questions), whatever the random draw."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from deepiri_challenges.logic import generation
from deepiri_challenges.models.challenges import GenerateRequest
from deepiri_common.identity import Caller
from tests.unit.challenges.conftest import MemoryDrafts, MemoryTasks, RecordingRepository

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _outcomes(repository: RecordingRepository, user_id: str, kind: str, outcome: str, times: int) -> None:
    challenge = generation.build(user_id, kind, None, "easy", now=NOW)  # type: ignore[arg-type]
    for _ in range(times):
        repository.save(repository.outcome_writes(challenge, outcome, 0))


@pytest.mark.parametrize("seed", range(5))
def test_given_a_quiz_finisher_then_the_bandit_gives_them_a_quiz_with_questions(repository: RecordingRepository,
                                                                               seed: int) -> None:
    _outcomes(repository, "alice", "quiz", "completed", 40)
    for kind in generation.BANDIT_TYPES:
        if kind != "quiz":
            _outcomes(repository, "alice", kind, "abandoned", 40)
    tasks, drafts = MemoryTasks(), MemoryDrafts()
    task = tasks.add("alice")
    tools = generation.Generation(repository, tasks, drafts, random.Random(seed))  # type: ignore[arg-type]
    made = generation.generate(tools, Caller(user_id="alice"), GenerateRequest(taskId=task.id), NOW)
    assert made.type == "quiz" and len(made.questions) == generation.QUESTIONS
    assert [kind for _, kind, _, _ in drafts.asked] == ["quiz"]

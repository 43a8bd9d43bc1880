"""What generation makes, pinned by what a user sees: each type's title and hints; without a type, the caller's
own bandit choosing among six types (in their order, which breaks ties), asked as the caller; a quiz's five
questions from the AI, and a second draw among the other four when the AI cannot make them; and a person who
finishes quizzes and drops everything else gets quizzes (with their questions), whatever the random draw."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from deepiri_challenges.dal.tasks import TaskView
from deepiri_challenges.logic import generation
from deepiri_challenges.models.challenges import GenerateRequest
from deepiri_common.identity import Caller
from tests.unit.challenges.conftest import MemoryDrafts, MemoryTasks, RecordingRepository

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
ALICE = Caller(user_id="alice")
BANDIT_ORDER = ["timed_completion", "focus_sprint", "checklist", "streak", "quiz", "puzzle"]


@pytest.mark.parametrize(("difficulty", "points", "days"), [("trivial", 100, 3), ("easy", 100, 3), ("medium", 250, 5),
                                                              ("hard", 500, 7), ("epic", 1000, 10)])
def test_given_a_streak_of_each_difficulty_then_it_pays_its_points_over_its_days(difficulty: str, points: int,
                                                                                 days: int) -> None:
    made = generation.build("alice", "streak", TaskView(id="T1", title="Run"), difficulty, now=NOW)  # type: ignore[arg-type]

    assert (made.pointsReward, made.timeLimitMinutes, len(made.milestones)) == (points, days * 24 * 60, days)
    assert made.description == f"Work on it every day for {days} days in a row."


def test_given_a_sprint_then_its_pomodoros_are_25_minutes_each() -> None:
    made = generation.build("alice", "focus_sprint", TaskView(id="T1", title="Write", estimateMinutes=60), "medium",
                            now=NOW)

    assert (made.timeLimitMinutes, [m.title for m in made.milestones]) == (75, ["Pomodoro 1", "Pomodoro 2",
                                                                                "Pomodoro 3"])


@pytest.mark.parametrize(("kind", "title", "hints"), [
    ("timed_completion", "Beat the clock: Write the report",
     ["Start with the part you know best.", "Cut scope before you cut quality."]),
    ("focus_sprint", "Focus sprint: Write the report",
     ["Silence notifications for each pomodoro.", "Take the 5-minute break away from the screen."]),
    ("checklist", "Checklist run: Write the report", ["Check items off as you go: the score counts them."]),
    ("streak", "Streak: Write the report", ["A little every day beats a lot once."]),
    ("quiz", "Quiz: Write the report", ["Read every option before choosing."]),
    ("puzzle", "Puzzle: Write the report", ["Work backwards from the answer options."]),
    ("multiplayer", "Duel: Write the report", []),
    ("custom", "Your challenge: Write the report", ["Define what done means before you start."]),
])
def test_given_a_type_then_the_challenge_has_its_title_and_hints(kind: str, title: str, hints: list[str]) -> None:
    task = TaskView(id="T1", title="Write the report")

    made = generation.build("alice", kind, task, "medium", now=NOW)  # type: ignore[arg-type]

    assert (made.title, made.hints) == (title, hints)


def test_given_no_task_then_the_challenge_is_titled_for_today() -> None:
    assert generation.build("alice", "focus_sprint", None, "easy", now=NOW).title == "Focus sprint: today"


class _Peak(random.Random):
    """A random source whose Beta draws are all 0.1 but the ``peak``-th of each round (0.9); it counts them."""

    def __init__(self, peak: int) -> None:
        super().__init__(0)
        self.peak, self.draws = peak, 0

    def betavariate(self, alpha: float, beta: float) -> float:
        self.draws += 1
        return 0.9 if self.draws - 1 == self.peak else 0.1


@pytest.mark.parametrize("position", range(len(BANDIT_ORDER)))
def test_given_no_type_then_the_bandit_draws_once_per_type_and_the_highest_draw_is_made(
        repository: RecordingRepository, position: int) -> None:
    tasks = MemoryTasks()
    task = tasks.add("alice")
    rng = _Peak(position)
    tools = generation.Generation(repository, tasks, MemoryDrafts(), rng)  # type: ignore[arg-type]

    made = generation.generate(tools, ALICE, GenerateRequest(taskId=task.id), NOW)

    assert (made.type, rng.draws) == (BANDIT_ORDER[position], 6)


def test_given_a_quiz_asked_for_then_the_ai_is_asked_for_five_questions(repository: RecordingRepository) -> None:
    tasks, drafts = MemoryTasks(), MemoryDrafts()
    task = tasks.add("alice")
    tools = generation.Generation(repository, tasks, drafts, random.Random(1))  # type: ignore[arg-type]

    made = generation.generate(tools, ALICE, GenerateRequest(taskId=task.id, type="quiz"), NOW)

    assert [count for _, _, _, count in drafts.asked] == [5]
    assert len(made.questions) == 5 and made.description == "Answer 5 questions within 15 minutes."


class _Rounds(random.Random):
    """A random source whose Beta draws are given in advance (then 0.95 each); it counts them."""

    def __init__(self, *values: float) -> None:
        super().__init__(0)
        self.values, self.draws = list(values), 0

    def betavariate(self, alpha: float, beta: float) -> float:
        self.draws += 1
        return self.values.pop(0) if self.values else 0.95


@pytest.mark.parametrize(("first", "peak"), [("quiz", 4), ("puzzle", 5)])
def test_given_the_bandits_quiz_or_puzzle_cannot_be_made_then_it_draws_again_among_the_four_others(
        repository: RecordingRepository, first: str, peak: int) -> None:
    tasks, drafts = MemoryTasks(), MemoryDrafts(able=False)
    task = tasks.add("alice")
    first_round = [0.1] * 6
    first_round[peak] = 0.9
    rng = _Rounds(*first_round, 0.1, 0.1, 0.8, 0.1)  # the second round: checklist of the four left
    tools = generation.Generation(repository, tasks, drafts, rng)  # type: ignore[arg-type]

    made = generation.generate(tools, ALICE, GenerateRequest(taskId=task.id), NOW)

    assert (made.type, rng.draws) == ("checklist", 10)
    assert [(user, kind) for user, kind, _, _ in drafts.asked] == [("alice", first)]


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

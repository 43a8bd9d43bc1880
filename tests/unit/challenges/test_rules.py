"""The rules that shape a challenge: difficulty by success rate, reward, multiplier, limits, milestones, score."""

from __future__ import annotations

import pytest

from deepiri_challenges.logic import rules
from deepiri_challenges.models.challenges import StoredQuestion


@pytest.mark.parametrize(("outcomes", "rate"), [
    ([], None),
    ([True], 1.0),
    ([True, False], 0.5),
    ([False] * 5 + [True] * 10, 1.0),  # only the last ten count
    ([True] * 10 + [False], 0.9),
])
def test_given_outcomes_then_the_success_rate_is_the_share_of_the_last_ten(outcomes: list[bool],
                                                                            rate: float | None) -> None:
    assert rules.success_rate(outcomes) == rate


@pytest.mark.parametrize(("difficulty", "rate", "expected"), [
    ("medium", None, ("medium", 0)),
    ("medium", 0.81, ("hard", 1)),
    ("medium", 0.8, ("medium", 0)),  # not above 0.8
    ("medium", 0.4, ("medium", 0)),  # not below 0.4
    ("medium", 0.39, ("easy", -1)),
    ("epic", 1.0, ("epic", 0)),  # no step above epic
    ("trivial", 0.0, ("trivial", 0)),  # none below trivial
    ("trivial", 0.9, ("easy", 1)),
    ("easy", 0.1, ("trivial", -1)),
])
def test_given_a_success_rate_then_the_difficulty_moves_one_step(difficulty: str, rate: float | None,
                                                                 expected: tuple[str, int]) -> None:
    assert rules.adjust_difficulty(difficulty, rate) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(("difficulty", "estimate", "points"), [
    ("trivial", 30, 100), ("easy", 30, 100), ("medium", 30, 250), ("hard", 30, 500), ("epic", 30, 1000),
    ("medium", None, 250),
    ("medium", 60, 250), ("medium", 61, 375), ("epic", 90, 1500),
    ("medium", 15, 250), ("medium", 14, 175), ("hard", 5, 350),
])
def test_given_a_difficulty_and_estimate_then_the_points_follow_the_table_and_factors(
        difficulty: str, estimate: int | None, points: int) -> None:
    assert rules.points_reward(difficulty, estimate) == points  # type: ignore[arg-type]


@pytest.mark.parametrize(("kind", "step", "multiplier"), [
    ("timed_completion", 0, 1), ("checklist", -1, 1), ("quiz", 1, 2), ("streak", 0, 2),
    ("multiplayer", 0, 2), ("streak", 1, 3),
])
def test_given_a_type_and_step_then_the_bonus_multiplier_is_1_to_3(kind: str, step: int, multiplier: int) -> None:
    assert rules.bonus_multiplier(kind, step) == multiplier  # type: ignore[arg-type]


@pytest.mark.parametrize(("kind", "difficulty", "estimate", "minutes"), [
    ("streak", "medium", 30, 5 * 24 * 60), ("streak", "epic", None, 10 * 24 * 60),
    ("focus_sprint", "medium", 60, 75), ("focus_sprint", "medium", None, 50),
    ("quiz", "hard", 120, 15), ("puzzle", "easy", None, 15),
    ("timed_completion", "medium", 40, 40), ("timed_completion", "trivial", 40, 60),
    ("timed_completion", "easy", 40, 50), ("timed_completion", "hard", 40, 36),
    ("timed_completion", "epic", 40, 32), ("custom", "medium", None, 60), ("checklist", "epic", 4, 5),
])
def test_given_a_type_then_the_time_limit_follows_it(kind: str, difficulty: str, estimate: int | None,
                                                     minutes: int) -> None:
    assert rules.time_limit_minutes(kind, difficulty, estimate) == minutes  # type: ignore[arg-type]


@pytest.mark.parametrize(("estimate", "count"), [(None, 2), (10, 2), (50, 2), (51, 3), (75, 3), (400, 8), (200, 8),
                                                 (175, 7)])
def test_given_an_estimate_then_a_sprint_has_its_pomodoros_between_2_and_8(estimate: int | None, count: int) -> None:
    assert rules.pomodoros(estimate) == count


def test_given_a_quiz_then_it_has_three_attempts_and_anything_else_one() -> None:
    assert (rules.attempts_for("quiz"), rules.attempts_for("puzzle"), rules.attempts_for("checklist")) == (3, 3, 1)


def test_given_a_bulleted_description_then_the_checklist_is_its_items() -> None:
    text = "Write the report\n- gather figures\n* draft the summary\n2) send it\n[x] archive  \nnot an item"
    assert rules.milestones_for("checklist", text, "medium", None) == [
        "gather figures", "draft the summary", "send it", "archive"]


def test_given_a_prose_description_then_the_checklist_is_its_sentences() -> None:
    assert rules.milestones_for("checklist", "Read it. Mark it up!  Send notes?", "easy", 10) == [
        "Read it.", "Mark it up!", "Send notes?"]


def test_given_no_description_then_the_checklist_has_three_generic_steps() -> None:
    assert rules.milestones_for("checklist", "", "easy", 10) == ["Plan it", "Do it", "Check it"]


def test_given_a_long_list_then_the_checklist_keeps_twenty_items_of_200_characters() -> None:
    text = "\n".join(f"- {'x' * 300}{n}" for n in range(30))
    items = rules.milestones_for("checklist", text, "easy", 10)
    assert len(items) == 20 and all(len(item) == 200 for item in items)


def test_given_a_sprint_and_a_streak_then_their_milestones_are_pomodoros_and_days() -> None:
    assert rules.milestones_for("focus_sprint", "", "medium", 60) == ["Pomodoro 1", "Pomodoro 2", "Pomodoro 3"]
    assert rules.milestones_for("streak", "", "easy", None) == ["Day 1", "Day 2", "Day 3"]
    assert rules.milestones_for("timed_completion", "- a\n- b", "easy", None) == []


@pytest.mark.parametrize(("used", "limit", "done", "total", "quiz", "expected"), [
    (0, 60, 3, 3, None, 1000),
    (30, 60, 3, 3, None, 850),
    (60, 60, 3, 3, None, 700),
    (90, 60, 3, 3, None, 700),  # no speed points past the limit, never negative
    (30, 60, 1, 4, None, 325),
    (30, 60, 0, 0, None, 850),  # no milestones: all the work points
    (15, 60, 0, 0, 0.5, 575),  # a quiz: its share of points
    (0, 60, 0, 3, 0.0, 300),
])
def test_given_time_used_and_work_done_then_the_score_is_work_and_speed(
        used: float, limit: int, done: int, total: int, quiz: float | None, expected: int) -> None:
    assert rules.score(used, limit, done, total, quiz) == expected


def _questions() -> list[StoredQuestion]:
    return [StoredQuestion(question=f"q{n}", options=["a", "b", "c", "d"], correctAnswer=n % 4, points=10 * (n + 1))
            for n in range(3)]


def test_given_answers_then_each_is_checked_and_passing_needs_half_the_points() -> None:
    result = rules.quiz_result(_questions(), [0, 0, 2])
    assert (result.correct, result.correctAnswers, result.points, result.maxPoints, result.passed) == (
        [True, False, True], [0, 1, 2], 40, 60, True)
    missing = rules.quiz_result(_questions(), [0])  # unanswered questions are wrong
    assert (missing.correct, missing.points, missing.passed) == ([True, False, False], 10, False)
    assert rules.quiz_result(_questions(), [1, 1, 1]).points == 20


def test_given_exactly_half_the_points_then_the_quiz_is_passed() -> None:
    questions = [StoredQuestion(question="q", options=["a", "b", "c", "d"], correctAnswer=0, points=5)] * 2
    assert rules.quiz_result(questions, [0, 3]).passed is True
    assert rules.quiz_result(questions, [3, 3]).passed is False
    assert rules.quiz_result([], []).passed is False
    single = [StoredQuestion(question="q", options=["a", "b", "c", "d"], correctAnswer=1, points=1)]
    assert rules.quiz_result(single, [1]).passed is True


@pytest.mark.parametrize(("scores", "expected"), [
    ({"a": 3, "b": 1}, "a"), ({"a": 1, "b": 3}, "b"), ({"b": 5, "a": 4}, "b"), ({"a": 2, "b": 2}, None),
    ({"a": 0, "b": 0}, None)])
def test_given_scores_then_the_higher_wins_and_a_tie_is_a_draw(scores: dict[str, int], expected: str | None) -> None:
    assert rules.winner(scores) == expected


@pytest.mark.parametrize(("difficulty", "days"), [("trivial", 3), ("easy", 3), ("medium", 5), ("hard", 7),
                                                  ("epic", 10)])
def test_given_a_streak_then_its_days_follow_the_difficulty(difficulty: str, days: int) -> None:
    assert rules.milestones_for("streak", "", difficulty, None) == [  # type: ignore[arg-type]
        f"Day {n}" for n in range(1, days + 1)]
    assert rules.time_limit_minutes("streak", difficulty, None) == days * 24 * 60  # type: ignore[arg-type]


def test_given_just_under_half_the_points_then_the_quiz_is_failed() -> None:
    questions = [StoredQuestion(question="q", options=["a", "b", "c", "d"], correctAnswer=0, points=points)
                 for points in (47, 53)]
    assert rules.quiz_result(questions, [0, 1]).passed is False  # 47 of 100
    assert rules.quiz_result(questions, [1, 0]).passed is True  # 53 of 100

"""The rules that shape a challenge, as pure functions: difficulty, reward, multiplier, limits, score.

- Difficulty: the task's (or the one asked for), moved one step up when the user finished more than 80 %
  of their last 10 decided challenges, one step down under 40 % (no history: unchanged).
- pointsReward: trivial and easy 100, medium 250, hard 500, epic 1,000; x 1.5 for a task estimated over
  60 minutes, x 0.7 under 15 (rounded to a whole point).
- bonusMultiplier (1 to 3): 1, plus 1 for a long commitment (a streak or a duel), plus 1 when the
  difficulty was moved up because the user has been succeeding.
- Score (0 to 1,000): 700 for the work (the share of milestones done, or of quiz points earned; all
  700 when the challenge has neither) plus 300 for speed (the share of the time limit left unused).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from deepiri_challenges.models.challenges import DIFFICULTIES, ChallengeType, Difficulty, QuizResult, StoredQuestion

RECENT = 10
UP_ABOVE, DOWN_BELOW = 0.8, 0.4
BASE_POINTS: dict[str, int] = {"trivial": 100, "easy": 100, "medium": 250, "hard": 500, "epic": 1000}
LONG_TASK_MINUTES, SHORT_TASK_MINUTES = 60, 15
LONG_FACTOR, SHORT_FACTOR = 1.5, 0.7
WORK_POINTS, SPEED_POINTS = 700, 300
PASS_SHARE = 0.5
POMODORO_MINUTES = 25
STREAK_DAYS: dict[str, int] = {"trivial": 3, "easy": 3, "medium": 5, "hard": 7, "epic": 10}
_ITEM = re.compile(r"^\s*(?:[-*•]|\d+[.)]|\[[ xX]?\])\s+(.+?)\s*$")


def success_rate(outcomes: Sequence[bool]) -> float | None:
    """The share of successes among the last :data:`RECENT` decided outcomes (newest last); None: none."""
    recent = list(outcomes)[-RECENT:]
    return sum(recent) / len(recent) if recent else None


def adjust_difficulty(difficulty: Difficulty, rate: float | None) -> tuple[Difficulty, int]:
    """``difficulty`` moved by the success rate, and the step taken (+1, 0 or -1), within trivial..epic."""
    if rate is None:
        return difficulty, 0
    step = 1 if rate > UP_ABOVE else -1 if rate < DOWN_BELOW else 0
    index = min(max(DIFFICULTIES.index(difficulty) + step, 0), len(DIFFICULTIES) - 1)
    return DIFFICULTIES[index], index - DIFFICULTIES.index(difficulty)


def points_reward(difficulty: Difficulty, estimate_minutes: int | None) -> int:
    """The points a challenge of ``difficulty`` pays, by the task's estimate (none: no factor)."""
    points = BASE_POINTS[difficulty]
    if estimate_minutes is None:
        return points
    if estimate_minutes > LONG_TASK_MINUTES:
        return round(points * LONG_FACTOR)
    if estimate_minutes < SHORT_TASK_MINUTES:
        return round(points * SHORT_FACTOR)
    return points


def bonus_multiplier(kind: ChallengeType, step: int) -> int:
    """1, + 1 for a streak or a duel, + 1 when the difficulty went up with the user's success."""
    return 1 + (kind in ("streak", "multiplayer")) + (step > 0)


def time_limit_minutes(kind: ChallengeType, difficulty: Difficulty, estimate_minutes: int | None) -> int:
    """How long the challenge runs once started: a streak its days, a sprint its pomodoros, a quiz a
    few minutes a question, anything else the task's estimate (or 60 minutes) with harder ones tighter."""
    if kind == "streak":
        return STREAK_DAYS[difficulty] * 24 * 60
    if kind == "focus_sprint":
        return POMODORO_MINUTES * pomodoros(estimate_minutes)
    if kind in ("quiz", "puzzle"):
        return 15
    estimate = estimate_minutes or 60
    tightness = {"trivial": 1.5, "easy": 1.25, "medium": 1.0, "hard": 0.9, "epic": 0.8}[difficulty]
    return max(5, round(estimate * tightness))


def pomodoros(estimate_minutes: int | None) -> int:
    """The 25-minute sprints a task needs: its estimate rounded up, 2 to 8 (no estimate: 2)."""
    if estimate_minutes is None:
        return 2
    return min(max(-(-estimate_minutes // POMODORO_MINUTES), 2), 8)


def attempts_for(kind: ChallengeType) -> int:
    """A quiz or puzzle may be answered up to three times; anything else is one attempt."""
    return 3 if kind in ("quiz", "puzzle") else 1


def milestones_for(kind: ChallengeType, description: str, difficulty: Difficulty,
                   estimate_minutes: int | None) -> list[str]:
    """The steps to check off: a checklist's items come from the task's description (bullets or numbered
    lines; else its sentences), a sprint's are its pomodoros, a streak's its days."""
    if kind == "checklist":
        items = [match.group(1) for line in description.splitlines() if (match := _ITEM.match(line))]
        if not items:
            items = [part.strip() for part in re.split(r"(?<=[.!?])\s+", description) if part.strip()]
        return [item[:200] for item in items[:20]] or ["Plan it", "Do it", "Check it"]
    if kind == "focus_sprint":
        return [f"Pomodoro {n}" for n in range(1, pomodoros(estimate_minutes) + 1)]
    if kind == "streak":
        return [f"Day {n}" for n in range(1, STREAK_DAYS[difficulty] + 1)]
    return []


def score(used_minutes: float, limit_minutes: int, done: int, total: int, quiz_share: float | None) -> int:
    """The challenge's score, 0 to 1,000: work (milestones or quiz points) and speed (time left unused)."""
    work = quiz_share if quiz_share is not None else (done / total if total else 1.0)
    speed = max(0.0, 1.0 - used_minutes / limit_minutes)
    return round(WORK_POINTS * work + SPEED_POINTS * speed)


def quiz_result(questions: Sequence[StoredQuestion], answers: Sequence[int]) -> QuizResult:
    """Each answer checked against its question (a missing answer is wrong); passed at half the points."""
    correct = [index < len(answers) and answers[index] == q.correctAnswer for index, q in enumerate(questions)]
    points = sum(q.points for index, q in enumerate(questions) if correct[index])
    most = sum(q.points for q in questions)
    return QuizResult(correct=correct, correctAnswers=[q.correctAnswer for q in questions], points=points,
                      maxPoints=most, passed=most > 0 and points >= most * PASS_SHARE)


def winner(scores: dict[str, int]) -> str | None:
    """The participant with the higher score; None for a tie."""
    if len(set(scores.values())) == 1:
        return None
    return max(scores, key=scores.__getitem__)

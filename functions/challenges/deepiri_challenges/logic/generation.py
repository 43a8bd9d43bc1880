"""Generating a challenge from one of the caller's tasks (read through the tasks API as the caller).

The type is the one asked for or, without one, the caller's bandit's choice (Thompson sampling over
completion outcomes); the difficulty is the one asked for or the task's moved by the caller's recent
success rate; reward, multiplier, limit, attempts, hints and milestones follow :mod:`rules`. Quiz and
puzzle questions come from the AI service: when it cannot make them, an explicit request is a 409 and
the bandit's pick falls back to another type.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from deepiri_challenges.dal.challenges import ChallengeRepository
from deepiri_challenges.dal.drafts import Drafts, DraftTask
from deepiri_challenges.dal.tasks import TasksApi, TaskView
from deepiri_challenges.logic import bandit, rules
from deepiri_challenges.models.challenges import (
    ChallengeType,
    Difficulty,
    GenerateRequest,
    Milestone,
    Question,
    StoredChallenge,
    StoredQuestion,
)
from deepiri_challenges.models.events import SERVICE, ChallengeGenerated
from deepiri_common.clock import to_iso
from deepiri_common.events import DomainEvent
from deepiri_common.identity import Caller
from deepiri_common.ids import new_ulid
from deepiri_common.problems import Conflict, NotFound, ValidationFailed

BANDIT_TYPES: tuple[ChallengeType, ...] = ("timed_completion", "focus_sprint", "checklist", "streak", "quiz",
                                           "puzzle")
QUESTIONS = 5
HINTS: dict[str, list[str]] = {
    "timed_completion": ["Start with the part you know best.", "Cut scope before you cut quality."],
    "focus_sprint": ["Silence notifications for each pomodoro.", "Take the 5-minute break away from the screen."],
    "checklist": ["Check items off as you go: the score counts them."],
    "streak": ["A little every day beats a lot once."],
    "quiz": ["Read every option before choosing."],
    "puzzle": ["Work backwards from the answer options."],
    "custom": ["Define what done means before you start."],
}


@dataclass(frozen=True)
class Generation:
    repository: ChallengeRepository
    tasks: TasksApi
    drafts: Drafts
    rng: random.Random


def generate(tools: Generation, caller: Caller, request: GenerateRequest, now: datetime) -> StoredChallenge:
    """A new challenge from the caller's task (404 when the caller cannot read it)."""
    if request.type == "multiplayer":
        raise ValidationFailed([{"field": "body.type", "message": "a multiplayer challenge is a duel: "
                                                                 "POST /api/challenges/duels with a friend"}])
    task = tools.tasks.task(caller, request.taskId)
    if task is None:
        raise NotFound("no such task")
    repository, user_id = tools.repository, caller.user_id
    difficulty, step = _difficulty(repository, user_id, request.difficulty, task)
    kind, questions = _type_and_questions(tools, user_id, request.type, task, difficulty)
    challenge = build(user_id, kind, task, difficulty, step=step, questions=questions,
                      completes_task=request.completesTask, now=now)
    event = DomainEvent.new(SERVICE, "ChallengeGenerated", ChallengeGenerated(
        challengeId=challenge.id, userId=user_id, taskId=task.id, type=kind, difficulty=difficulty,
        pointsReward=challenge.pointsReward, bonusMultiplier=challenge.bonusMultiplier, expiresAt=None),
        actor=user_id)
    repository.save(repository.challenge_writes(0, challenge, None)
                    + repository.counter_writes(user_id, kind, "generated"), [event])
    return challenge


def _difficulty(repository: ChallengeRepository, user_id: str, asked: Difficulty | None,
                task: TaskView) -> tuple[Difficulty, int]:
    if asked is not None:
        return asked, 0
    base: Difficulty = task.difficulty if task.difficulty in rules.BASE_POINTS else "medium"  # type: ignore[assignment]
    return rules.adjust_difficulty(base, rules.success_rate(repository.recent_outcomes(user_id, rules.RECENT)))


def _type_and_questions(tools: Generation, user_id: str, asked: ChallengeType | None, task: TaskView,
                        difficulty: Difficulty) -> tuple[ChallengeType, list[StoredQuestion]]:
    if asked is not None:
        if asked not in ("quiz", "puzzle"):
            return asked, []
        questions = _questions(tools.drafts, user_id, asked, task, difficulty)
        if questions is None:
            raise Conflict(f"a {asked} cannot be made for this task now; choose another type")
        return asked, questions
    eligible = list(BANDIT_TYPES)
    while True:
        kind = bandit.choose(tools.repository.arms(user_id), eligible, tools.rng)
        if kind not in ("quiz", "puzzle"):
            return kind, []
        questions = _questions(tools.drafts, user_id, kind, task, difficulty)
        if questions is not None:
            return kind, questions
        eligible = [other for other in eligible if other not in ("quiz", "puzzle")]


def _questions(drafts: Drafts, user_id: str, kind: str, task: TaskView,
               difficulty: Difficulty) -> list[StoredQuestion] | None:
    draft = DraftTask(title=task.title, description=task.description, category=task.category, difficulty=difficulty,
                      estimateMinutes=task.estimateMinutes)
    return drafts.questions(user_id, kind, draft, QUESTIONS)


def build(user_id: str, kind: ChallengeType, task: TaskView | None, difficulty: Difficulty, *, step: int = 0,
          questions: list[StoredQuestion] | None = None, completes_task: bool = False, now: datetime,
          title: str | None = None, daily: bool = False) -> StoredChallenge:
    """The challenge of ``kind`` for ``task`` (none: a daily challenge), by the rules."""
    estimate = task.estimateMinutes if task else None
    questions = questions or []
    steps = rules.milestones_for(kind, task.description if task else "", difficulty, estimate)
    name = title or f"{_KIND_TITLES[kind]}: {task.title if task else 'today'}"
    return StoredChallenge(
        id=new_ulid(), userId=user_id, type=kind, status="generated", title=name[:300],
        description=_description(kind, steps, questions, rules.time_limit_minutes(kind, difficulty, estimate)),
        taskId=task.id if task else None, completesTask=completes_task and task is not None,
        category=(task.category if task else "manual"),
        difficulty=difficulty, pointsReward=rules.points_reward(difficulty, estimate),
        bonusMultiplier=rules.bonus_multiplier(kind, step),
        timeLimitMinutes=rules.time_limit_minutes(kind, difficulty, estimate), attempts=rules.attempts_for(kind),
        hints=HINTS.get(kind, []), milestones=[Milestone(id=n, title=text) for n, text in enumerate(steps)],
        questions=[Question(question=q.question, options=q.options, points=q.points) for q in questions],
        answers=[q.correctAnswer for q in questions], daily=daily, createdAt=to_iso(now))


_KIND_TITLES: dict[str, str] = {
    "timed_completion": "Beat the clock", "focus_sprint": "Focus sprint", "checklist": "Checklist run",
    "streak": "Streak", "quiz": "Quiz", "puzzle": "Puzzle", "multiplayer": "Duel", "custom": "Your challenge",
}


def _description(kind: ChallengeType, steps: list[str], questions: list[StoredQuestion], limit: int) -> str:
    if kind == "streak":
        return f"Work on it every day for {len(steps)} days in a row."
    if kind == "focus_sprint":
        return f"{len(steps)} pomodoros of 25 minutes on it, within {limit} minutes."
    if kind == "checklist":
        return f"Check off all {len(steps)} steps within {limit} minutes."
    if kind in ("quiz", "puzzle"):
        return f"Answer {len(questions)} questions within {limit} minutes."
    return f"Finish it within {limit} minutes."

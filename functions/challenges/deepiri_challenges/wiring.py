"""Every collaborator the challenges functions use, built once per process on first use (never at import).

Each factory is named for what it returns. Tests switch environments between cases with :func:`reset`,
and may replace the tasks API, the drafts and the random source with :func:`use`.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from functools import cache, partial
from typing import Any

from deepiri_challenges.dal.challenges import ChallengeRepository
from deepiri_challenges.dal.drafts import Drafts, LambdaDrafts
from deepiri_challenges.dal.schedules import ExpirySchedules, SchedulerExpirySchedules
from deepiri_challenges.dal.tasks import TasksApi, TaskView
from deepiri_challenges.logic.generation import Generation
from deepiri_challenges.settings import ChallengesSettings
from deepiri_common import aws
from deepiri_common.identity import Caller
from deepiri_common.settings import load_settings

_overrides: dict[str, Any] = {}


def settings() -> ChallengesSettings:
    return load_settings(ChallengesSettings)


@cache
def challenge_repository() -> ChallengeRepository:
    return ChallengeRepository(settings().challenges_table, aws.client("dynamodb"))


@cache
def _tasks_api() -> TasksApi:
    return TasksApi(settings().tasks_api_function)


def tasks_api() -> TasksApi:
    return _overrides.get("tasks") or _tasks_api()


def task_reader(caller: Caller) -> Callable[[str], TaskView | None]:
    """Reads one of ``caller``'s tasks through the tasks API, as the caller (another user's: None)."""
    return partial(tasks_api().task, caller)


@cache
def _drafts() -> LambdaDrafts:
    return LambdaDrafts(settings().ai_draft_function, aws.client("lambda"))


def drafts() -> Drafts:
    return _overrides.get("drafts") or _drafts()


@cache
def _expiry_schedules() -> SchedulerExpirySchedules | None:
    config = settings()
    if not config.expiry_schedule_group:
        return None
    return SchedulerExpirySchedules(aws.client("scheduler"), group=config.expiry_schedule_group,
                                    target_arn=config.expiry_job_arn, role_arn=config.expiry_scheduler_role_arn)


def expiry_schedules() -> ExpirySchedules | None:
    """The one-off schedules that expire a started challenge at its deadline (None: the job alone)."""
    return _overrides.get("schedules") or _expiry_schedules()


@cache
def _rng() -> random.Random:
    return random.Random()  # noqa: S311 - choosing a challenge type, not a secret


def generation() -> Generation:
    return Generation(repository=challenge_repository(), tasks=tasks_api(), drafts=drafts(),
                      rng=_overrides.get("rng") or _rng())


def use(*, tasks: TasksApi | None = None, drafts: Drafts | None = None, rng: random.Random | None = None,
        schedules: ExpirySchedules | None = None) -> None:
    """Replace the tasks API, the drafts, the random source or the expiry schedules (tests)."""
    replacements = {"tasks": tasks, "drafts": drafts, "rng": rng, "schedules": schedules}
    _overrides.update({name: value for name, value in replacements.items() if value is not None})


def reset() -> None:
    """Forget every collaborator and replacement (tests switch environments between cases)."""
    for factory in (challenge_repository, _tasks_api, _drafts, _expiry_schedules, _rng):
        factory.cache_clear()
    _overrides.clear()

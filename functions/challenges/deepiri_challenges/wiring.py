"""Every collaborator the challenges functions use, built once per process on first use (never at import).

Each factory is named for what it returns. Tests switch environments between cases with :func:`reset`,
and may replace the tasks API, the drafts and the random source with :func:`use`.
"""

from __future__ import annotations

import random
from functools import cache
from typing import Any

from deepiri_challenges.dal.challenges import ChallengeRepository
from deepiri_challenges.dal.drafts import Drafts, LambdaDrafts
from deepiri_challenges.dal.tasks import TasksApi
from deepiri_challenges.logic.generation import Generation
from deepiri_challenges.settings import ChallengesSettings
from deepiri_common import aws
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


@cache
def _drafts() -> LambdaDrafts:
    return LambdaDrafts(settings().ai_draft_function, aws.client("lambda"))


def drafts() -> Drafts:
    return _overrides.get("drafts") or _drafts()


@cache
def _rng() -> random.Random:
    return random.Random()  # noqa: S311 - choosing a challenge type, not a secret


def generation() -> Generation:
    return Generation(repository=challenge_repository(), tasks=tasks_api(), drafts=drafts(),
                      rng=_overrides.get("rng") or _rng())


def use(*, tasks: TasksApi | None = None, drafts: Drafts | None = None, rng: random.Random | None = None) -> None:
    """Replace the tasks API, the drafts or the random source (tests)."""
    _overrides.update({name: value for name, value in {"tasks": tasks, "drafts": drafts, "rng": rng}.items()
                       if value is not None})


def reset() -> None:
    """Forget every collaborator and replacement (tests switch environments between cases)."""
    for factory in (challenge_repository, _tasks_api, _drafts, _rng):
        factory.cache_clear()
    _overrides.clear()

"""Every collaborator the AI functions use, built once per process on first use (never at import).

Each factory is named for what it returns. Tests switch environments between cases with :func:`reset`.
"""

from __future__ import annotations

from functools import cache

from deepiri_ai.dal.profiles import ProfileRepository
from deepiri_ai.dal.tasks_api import TasksApi
from deepiri_ai.logic.classifier import LocalModel, local_model
from deepiri_ai.settings import AiSettings
from deepiri_common import aws
from deepiri_common.settings import load_settings


def settings() -> AiSettings:
    return load_settings(AiSettings)


def model() -> LocalModel:
    """The local engine's classifier (loaded from its artefact once per process)."""
    return local_model()


@cache
def profile_repository() -> ProfileRepository:
    return ProfileRepository(settings().ai_table, aws.client("dynamodb"))


@cache
def tasks_api() -> TasksApi:
    """The caller's open tasks, through the tasks service's API function."""
    return TasksApi(settings().tasks_api_function)


def reset() -> None:
    """Forget every collaborator (tests switch environments between cases)."""
    profile_repository.cache_clear()
    tasks_api.cache_clear()

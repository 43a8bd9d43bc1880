"""Every collaborator the AI functions use, built once per process on first use (never at import).

Each factory is named for what it returns. Tests switch environments between cases with :func:`reset`.
"""

from __future__ import annotations

from functools import cache

from deepiri_ai.dal.guards import Guards
from deepiri_ai.dal.profiles import ProfileRepository
from deepiri_ai.dal.tasks_api import ChallengesApi, EngagementApi, TaskGraphApi, TasksApi
from deepiri_ai.logic.classifier import LocalModel, local_model
from deepiri_ai.logic.engine import BedrockSettings, Providers
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


@cache
def task_graph_api() -> TaskGraphApi:
    """The dependency graph of the caller's tasks, through the tasks service's dependencies function."""
    return TaskGraphApi(settings().tasks_dependencies_function)


@cache
def engagement_api() -> EngagementApi:
    """The caller's progress, through the engagement service's API function."""
    return EngagementApi(settings().engagement_api_function)


@cache
def challenges_api() -> ChallengesApi:
    """Challenges made from the caller's tasks, through the challenges service's API function."""
    return ChallengesApi(settings().challenges_api_function)


@cache
def providers() -> Providers:
    """The provider the stage's settings choose, with the Bedrock client, breaker and budgets it needs."""
    config = settings()
    if config.ai_provider == "local":
        return Providers(provider="local", model=model())
    from botocore.config import Config  # noqa: PLC0415 - only the Bedrock provider needs it

    bedrock = aws.client("bedrock-runtime", config=Config(
        connect_timeout=2, read_timeout=config.bedrock_timeout_seconds, retries={"max_attempts": 1}))
    return Providers(provider="bedrock", model=model(), bedrock=bedrock,
                     guards=Guards(config.ai_table, aws.client("dynamodb")),
                     settings=BedrockSettings(model_id=config.bedrock_model_id,
                                              daily_tokens=config.daily_token_budget,
                                              breaker_threshold=config.breaker_threshold,
                                              cool_off_seconds=config.breaker_cool_off_seconds))


def reset() -> None:
    """Forget every collaborator (tests switch environments between cases)."""
    profile_repository.cache_clear()
    tasks_api.cache_clear()
    task_graph_api.cache_clear()
    engagement_api.cache_clear()
    challenges_api.cache_clear()
    providers.cache_clear()

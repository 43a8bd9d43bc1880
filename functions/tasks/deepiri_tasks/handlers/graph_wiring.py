"""The collaborators of the task-extras functions (dependencies and graph, comments, attachments,
timers, reminders): the service's shared ones from ``deepiri_tasks.dependencies`` plus the few only
these functions use, built once per process on first use, never at import."""

from __future__ import annotations

from functools import cache
from typing import Any

from botocore.config import Config

from deepiri_common import aws
from deepiri_tasks import dependencies as shared
from deepiri_tasks.dal.graph import DependencyRepository, TaskFactsStore
from deepiri_tasks.dal.projects import ProjectRepository
from deepiri_tasks.dal.tasks import TaskRepository
from deepiri_tasks.logic.graph import GraphBlockerCheck
from deepiri_tasks.settings import TasksSettings


def settings() -> TasksSettings:
    return shared.settings()


def dynamodb() -> Any:
    return shared.dynamodb()


def projects() -> ProjectRepository:
    return shared.projects()


def task_repository() -> TaskRepository:
    return shared.tasks()


def blocker_check() -> GraphBlockerCheck:
    """The :class:`~deepiri_tasks.logic.graph.BlockerCheck` the status machine asks before ``done``."""
    return shared.blockers()


@cache
def s3() -> Any:
    # Default endpoint resolution (AWS_ENDPOINT_URL locally) and path-style, SigV4 URLs, so a
    # presigned URL works from the host as well as on AWS.
    return aws.client("s3", config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))


@cache
def tasks() -> TaskFactsStore:
    return TaskFactsStore(settings().tasks_table, dynamodb())


@cache
def dependencies() -> DependencyRepository:
    return DependencyRepository(settings().tasks_table, dynamodb())


def reset() -> None:
    """Forget every collaborator (tests switch environments between cases)."""
    shared.reset()
    for cached in (s3, tasks, dependencies):
        cached.cache_clear()

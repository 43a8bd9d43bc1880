"""The collaborators of the task-extras functions (dependencies and graph, comments, attachments,
timers, reminders), built once per process on first use, never at import."""

from __future__ import annotations

from functools import cache
from typing import Any

import boto3
from botocore.config import Config

from deepiri_common.settings import load_settings
from deepiri_tasks.dal.graph import DependencyRepository, TaskFactsStore
from deepiri_tasks.dal.projects import ProjectRepository
from deepiri_tasks.dal.tasks import TaskRepository
from deepiri_tasks.logic.graph import GraphBlockerCheck
from deepiri_tasks.settings import TasksSettings


def settings() -> TasksSettings:
    return load_settings(TasksSettings)


@cache
def dynamodb() -> Any:
    return boto3.client("dynamodb")


@cache
def s3() -> Any:
    # Default endpoint resolution (AWS_ENDPOINT_URL locally) and path-style, SigV4 URLs, so a
    # presigned URL works from the host as well as on AWS.
    return boto3.client("s3", config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))


@cache
def tasks() -> TaskFactsStore:
    return TaskFactsStore(settings().tasks_table, dynamodb())


@cache
def projects() -> ProjectRepository:
    return ProjectRepository(settings().tasks_table, dynamodb())


@cache
def task_repository() -> TaskRepository:
    return TaskRepository(settings().tasks_table, dynamodb())


@cache
def dependencies() -> DependencyRepository:
    return DependencyRepository(settings().tasks_table, dynamodb())


@cache
def blocker_check() -> GraphBlockerCheck:
    """The :class:`~deepiri_tasks.logic.graph.BlockerCheck` the status machine asks before ``done``."""
    return GraphBlockerCheck(dependencies(), tasks())


def reset() -> None:
    """Forget every collaborator (tests switch environments between cases)."""
    for cached in (dynamodb, s3, tasks, projects, task_repository, dependencies, blocker_check):
        cached.cache_clear()

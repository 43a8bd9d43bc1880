"""The task functions' collaborators, built once per process on first use (never at import)."""

from __future__ import annotations

from functools import cache
from typing import Any

from deepiri_common import aws
from deepiri_common.settings import load_settings
from deepiri_tasks.dal.graph import DependencyRepository, TaskFactsStore
from deepiri_tasks.dal.projects import ProjectRepository
from deepiri_tasks.dal.tasks import TaskRepository
from deepiri_tasks.logic.graph import GraphBlockerCheck
from deepiri_tasks.logic.tasks_access import TaskServices
from deepiri_tasks.settings import TasksSettings


def settings() -> TasksSettings:
    return load_settings(TasksSettings)


@cache
def dynamodb() -> Any:
    return aws.client("dynamodb")


@cache
def tasks() -> TaskRepository:
    return TaskRepository(settings().tasks_table, dynamodb())


@cache
def projects() -> ProjectRepository:
    return ProjectRepository(settings().tasks_table, dynamodb())


@cache
def blockers() -> GraphBlockerCheck:
    """The status machine's blocker rule: open tasks a task depends on by an ordering edge."""
    table = settings().tasks_table
    return GraphBlockerCheck(DependencyRepository(table, dynamodb()), TaskFactsStore(table, dynamodb()))


@cache
def services() -> TaskServices:
    return TaskServices(tasks=tasks(), projects=projects(), blockers=blockers(),
                        soft_delete_days=settings().soft_delete_days)


def reset() -> None:
    """Forget every collaborator (tests switch environments between cases)."""
    for cached in (dynamodb, tasks, projects, blockers, services):
        cached.cache_clear()

"""Every collaborator the tasks functions use, built once per process on first use (never at import).

Each factory is named for what it returns and imports what it builds, so a function loads only what it
uses. Tests switch environments between cases with :func:`reset`.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from deepiri_common import aws
from deepiri_common.settings import load_settings
from deepiri_tasks.settings import TasksSettings

if TYPE_CHECKING:
    from deepiri_tasks.dal.attachments import AttachmentRepository, S3Objects
    from deepiri_tasks.dal.comments import CommentRepository
    from deepiri_tasks.dal.directory import UserDirectory
    from deepiri_tasks.dal.graph import DependencyRepository, TaskFactsStore
    from deepiri_tasks.dal.projects import ProjectRepository
    from deepiri_tasks.dal.reminders import ReminderRepository
    from deepiri_tasks.dal.tasks import TaskRepository
    from deepiri_tasks.dal.templates import TemplateRepository
    from deepiri_tasks.dal.timers import TimerRepository
    from deepiri_tasks.logic.graph import GraphBlockerCheck
    from deepiri_tasks.logic.tasks_access import TaskServices


def settings() -> TasksSettings:
    return load_settings(TasksSettings)


@cache
def dynamodb_client() -> Any:
    return aws.client("dynamodb")


@cache
def s3_client() -> Any:
    # Default endpoint resolution (AWS_ENDPOINT_URL locally) and path-style, SigV4 URLs, so a
    # presigned URL works from the host as well as on AWS.
    from botocore.config import Config  # noqa: PLC0415
    return aws.client("s3", config=Config(signature_version="s3v4", s3={"addressing_style": "path"}))


@cache
def task_repository() -> TaskRepository:
    from deepiri_tasks.dal.tasks import TaskRepository  # noqa: PLC0415
    return TaskRepository(settings().tasks_table, dynamodb_client())


@cache
def project_repository() -> ProjectRepository:
    from deepiri_tasks.dal.projects import ProjectRepository  # noqa: PLC0415
    return ProjectRepository(settings().tasks_table, dynamodb_client())


@cache
def user_directory() -> UserDirectory:
    """Who exists and who blocked whom, as the users service's events told the tasks service."""
    from deepiri_tasks.dal.directory import UserDirectory  # noqa: PLC0415
    return UserDirectory(settings().tasks_table, dynamodb_client())


@cache
def task_facts() -> TaskFactsStore:
    """The few facts of tasks the graph, comments, timers and reminders need, without whole tasks."""
    from deepiri_tasks.dal.graph import TaskFactsStore  # noqa: PLC0415
    return TaskFactsStore(settings().tasks_table, dynamodb_client())


@cache
def dependency_repository() -> DependencyRepository:
    from deepiri_tasks.dal.graph import DependencyRepository  # noqa: PLC0415
    return DependencyRepository(settings().tasks_table, dynamodb_client())


@cache
def blocker_check() -> GraphBlockerCheck:
    """The status machine's blocker rule: open tasks a task depends on by an ordering edge."""
    from deepiri_tasks.logic.graph import GraphBlockerCheck  # noqa: PLC0415
    return GraphBlockerCheck(dependency_repository(), task_facts())


@cache
def task_services() -> TaskServices:
    from deepiri_tasks.logic.tasks_access import TaskServices  # noqa: PLC0415
    return TaskServices(tasks=task_repository(), projects=project_repository(), blockers=blocker_check(),
                        soft_delete_days=settings().soft_delete_days)


@cache
def template_repository() -> TemplateRepository:
    from deepiri_tasks.dal.templates import TemplateRepository  # noqa: PLC0415
    return TemplateRepository(settings().tasks_table, dynamodb_client())


@cache
def comment_repository() -> CommentRepository:
    from deepiri_tasks.dal.comments import CommentRepository  # noqa: PLC0415
    return CommentRepository(settings().tasks_table, dynamodb_client())


@cache
def attachment_repository() -> AttachmentRepository:
    from deepiri_tasks.dal.attachments import AttachmentRepository  # noqa: PLC0415
    return AttachmentRepository(settings().tasks_table, dynamodb_client())


@cache
def attachment_objects() -> S3Objects:
    from deepiri_tasks.dal.attachments import S3Objects  # noqa: PLC0415
    return S3Objects(settings().attachments_bucket, s3_client())


@cache
def timer_repository() -> TimerRepository:
    from deepiri_tasks.dal.timers import TimerRepository  # noqa: PLC0415
    return TimerRepository(settings().tasks_table, dynamodb_client())


@cache
def reminder_repository() -> ReminderRepository:
    from deepiri_tasks.dal.reminders import ReminderRepository  # noqa: PLC0415
    return ReminderRepository(settings().tasks_table, dynamodb_client())


def reset() -> None:
    """Forget every collaborator (tests switch environments between cases)."""
    for cached in (dynamodb_client, s3_client, task_repository, project_repository, user_directory, task_facts,
                   dependency_repository, blocker_check, task_services, template_repository, comment_repository,
                   attachment_repository, attachment_objects, timer_repository, reminder_repository):
        cached.cache_clear()

"""Every collaborator the notifications functions use, built once per process on first use (never at import).

Each factory is named for what it returns. Tests switch environments between cases with :func:`reset`.
"""

from __future__ import annotations

from functools import cache

from deepiri_common import aws
from deepiri_common.settings import load_settings
from deepiri_notifications.dal.channels import ChannelRefused, SesMailer, SnsPusher, SqsDeliveryQueue
from deepiri_notifications.dal.notifications import NotificationRepository
from deepiri_notifications.logic.delivery import Channels
from deepiri_notifications.logic.jobs import DigestTools
from deepiri_notifications.settings import NotificationsSettings


def settings() -> NotificationsSettings:
    return load_settings(NotificationsSettings)


@cache
def notification_repository() -> NotificationRepository:
    return NotificationRepository(settings().notifications_table, aws.client("dynamodb"))


@cache
def delivery_queue() -> SqsDeliveryQueue:
    return SqsDeliveryQueue(settings().delivery_queue_url, aws.client("sqs"))


@cache
def mailer() -> SesMailer:
    return SesMailer(settings().mail_from, aws.client("ses"))


@cache
def pusher() -> SnsPusher:
    return SnsPusher(settings().platform_applications(), aws.client("sns"))


def channels() -> Channels:
    return Channels(mailer=mailer(), pusher=pusher(), refused=ChannelRefused, app_url=settings().app_url)


def digest_tools() -> DigestTools:
    return DigestTools(mailer=mailer(), refused=ChannelRefused, app_url=settings().app_url)


def reset() -> None:
    """Forget every collaborator (tests switch environments between cases)."""
    for factory in (notification_repository, delivery_queue, mailer, pusher):
        factory.cache_clear()

"""Every collaborator the webhooks functions use, built once per process on first use (never at import).

Each factory is named for what it returns. Tests switch environments between cases with :func:`reset`.
"""

from __future__ import annotations

import random
from functools import cache

from deepiri_common import aws
from deepiri_common.settings import load_settings
from deepiri_webhooks.dal import http
from deepiri_webhooks.dal.queue import SqsDeliveryQueue
from deepiri_webhooks.dal.secrets import SecretsManagerBox
from deepiri_webhooks.dal.webhooks import WebhookRepository
from deepiri_webhooks.logic.delivery import DeliveryTools
from deepiri_webhooks.logic.subscriptions import Targets
from deepiri_webhooks.settings import WebhooksSettings


def settings() -> WebhooksSettings:
    return load_settings(WebhooksSettings)


@cache
def webhook_repository() -> WebhookRepository:
    return WebhookRepository(settings().webhooks_table, aws.client("dynamodb"))


@cache
def delivery_queue() -> SqsDeliveryQueue:
    return SqsDeliveryQueue(settings().delivery_queue_url, aws.client("sqs"))


@cache
def secret_box() -> SecretsManagerBox:
    return SecretsManagerBox(settings().webhook_key_secret, aws.client("secretsmanager"))


def targets() -> Targets:
    return Targets(resolve=http.resolve, allowed=settings().allowed())


def delivery_tools() -> DeliveryTools:
    config = settings()
    return DeliveryTools(store=webhook_repository(), queue=delivery_queue(), box=secret_box(),
                         sender=http.HttpSender(), targets=targets(), policy=config.retry_policy(),
                         timeout_seconds=config.delivery_timeout_seconds, random=random.random)


def reset() -> None:
    """Forget every collaborator (tests switch environments between cases)."""
    for factory in (webhook_repository, delivery_queue, secret_box):
        factory.cache_clear()

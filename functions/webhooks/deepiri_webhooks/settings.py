"""The webhooks functions' configuration, validated at cold start."""

from __future__ import annotations

from pydantic import Field

from deepiri_common.settings import CommonSettings
from deepiri_webhooks.logic.backoff import RetryPolicy
from deepiri_webhooks.logic.targets import parse_allowed


class WebhooksSettings(CommonSettings):
    webhooks_table: str = Field(alias="WEBHOOKS_TABLE")
    webhook_key_secret: str = Field(alias="WEBHOOK_KEY_SECRET")
    delivery_queue_url: str = Field(default="", alias="DELIVERY_QUEUE_URL")
    # host or host:port entries exempt from the SSRF check: the local stack's test receiver only.
    allowed_targets: str = Field(default="", alias="WEBHOOK_ALLOWED_TARGETS")
    retry_base_seconds: int = Field(default=30, ge=1, alias="WEBHOOK_RETRY_BASE_SECONDS")
    retry_max_delay_seconds: int = Field(default=3600, ge=1, alias="WEBHOOK_RETRY_MAX_DELAY_SECONDS")
    retry_window_seconds: int = Field(default=86400, ge=1, alias="WEBHOOK_RETRY_WINDOW_SECONDS")
    delivery_timeout_seconds: float = Field(default=5.0, gt=0, le=30, alias="WEBHOOK_DELIVERY_TIMEOUT_SECONDS")

    def allowed(self) -> frozenset[str]:
        return parse_allowed(self.allowed_targets)

    def retry_policy(self) -> RetryPolicy:
        return RetryPolicy(self.retry_base_seconds, self.retry_max_delay_seconds, self.retry_window_seconds)

"""The delivery queue: one message per delivery attempt to come (SQS message delays carry the backoff)."""

from __future__ import annotations

from typing import Any

from deepiri_webhooks.models.subscriptions import DeliveryRequest


class SqsDeliveryQueue:
    def __init__(self, queue_url: str, client: Any) -> None:
        self._url, self._client = queue_url, client

    def send(self, request: DeliveryRequest, delay_seconds: int = 0) -> None:
        self._client.send_message(QueueUrl=self._url, MessageBody=request.model_dump_json(exclude_none=True),
                                  DelaySeconds=max(0, min(900, delay_seconds)))

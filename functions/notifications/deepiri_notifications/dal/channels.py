"""The delivery channels' providers: SES for email, SNS platform endpoints for push, and the SQS queue that
fans a notification out to its channels. Provider refusals become :class:`ChannelRefused` here; any
other error propagates, so the delivery message is retried (and ends in the queue's DLQ)."""

from __future__ import annotations

import json
from typing import Any, NoReturn

from botocore.exceptions import ClientError

from deepiri_notifications.models.notifications import DeliveryRequest

SQS_BATCH_LIMIT = 10
# Errors that retrying the same request cannot fix: the delivery is recorded as failed with the code.
_REFUSALS = frozenset({"MessageRejected", "InvalidParameterValue", "InvalidParameter", "MailFromDomainNotVerified",
                       "AccountSendingPausedException", "EndpointDisabled", "PlatformApplicationDisabled",
                       "NotFound", "InvalidParameterException", "EndpointDisabledException", "NotFoundException"})
_DISABLED = frozenset({"EndpointDisabled", "EndpointDisabledException", "NotFound", "NotFoundException"})


class ChannelRefused(Exception):
    """The provider refused this delivery for good; ``code`` is its error code."""

    def __init__(self, code: str, disabled: bool = False) -> None:
        super().__init__(code)
        self.code, self.disabled = code, disabled


def _refusal(error: ClientError) -> ChannelRefused | None:
    code = str(error.response.get("Error", {}).get("Code", ""))
    return ChannelRefused(code, code in _DISABLED) if code in _REFUSALS else None


def _raise_as_refusal(error: ClientError) -> NoReturn:
    """Raise :class:`ChannelRefused` for a refusal, else ``error`` itself (retried)."""
    refused = _refusal(error)
    if refused is None:
        raise error
    raise refused from None


class SesMailer:
    """Plain-text email through SES ``SendEmail`` from one verified sender."""

    def __init__(self, sender: str, client: Any) -> None:
        self._sender, self._client = sender, client

    def send(self, to: str, subject: str, text: str) -> str:
        """Send; the SES message id. Never logs the body (it may hold a single-use link)."""
        try:
            response = self._client.send_email(
                Source=self._sender, Destination={"ToAddresses": [to]},
                Message={"Subject": {"Data": subject, "Charset": "UTF-8"},
                         "Body": {"Text": {"Data": text, "Charset": "UTF-8"}}})
        except ClientError as error:
            _raise_as_refusal(error)
        return str(response["MessageId"])


class SnsPusher:
    """Pushes through SNS mobile push: one platform endpoint per registered device token."""

    def __init__(self, applications: dict[str, str], client: Any) -> None:
        """``applications``: platform (fcm, apns, apnsSandbox) → platform application ARN; a platform without
        one is not configured on this stage."""
        self._applications, self._client = applications, client

    def configured(self, platform: str) -> bool:
        return bool(self._applications.get(platform))

    def register(self, platform: str, token: str) -> str:
        """The endpoint ARN of a device token (SNS answers the same ARN for a token registered again)."""
        response = self._client.create_platform_endpoint(
            PlatformApplicationArn=self._applications[platform], Token=token)
        return str(response["EndpointArn"])

    def unregister(self, endpoint_arn: str) -> None:
        try:
            self._client.delete_endpoint(EndpointArn=endpoint_arn)
        except ClientError as error:
            if _refusal(error) is None:
                raise

    def publish(self, endpoint_arn: str, title: str, body: str | None, data: dict[str, str]) -> str:
        """Publish to one endpoint; the SNS message id."""
        payload = {"default": title,
                   "GCM": json.dumps({"notification": {"title": title, "body": body or ""}, "data": data}),
                   "APNS": json.dumps({"aps": {"alert": {"title": title, "body": body or ""}}, **data}),
                   "APNS_SANDBOX": json.dumps({"aps": {"alert": {"title": title, "body": body or ""}}, **data})}
        try:
            response = self._client.publish(TargetArn=endpoint_arn, Message=json.dumps(payload),
                                            MessageStructure="json")
        except ClientError as error:
            _raise_as_refusal(error)
        return str(response["MessageId"])


class SqsDeliveryQueue:
    """The delivery queue: one message per notification and channel."""

    def __init__(self, queue_url: str, client: Any) -> None:
        self._url, self._client = queue_url, client

    def send(self, requests: list[DeliveryRequest]) -> None:
        """Enqueue every request; raise if SQS refused any (the caller's event is then retried)."""
        for start in range(0, len(requests), SQS_BATCH_LIMIT):
            chunk = requests[start:start + SQS_BATCH_LIMIT]
            response = self._client.send_message_batch(QueueUrl=self._url, Entries=[
                {"Id": str(n), "MessageBody": request.model_dump_json(exclude_none=True)}
                for n, request in enumerate(chunk)])
            if response.get("Failed"):
                raise RuntimeError(f"{len(response['Failed'])} delivery request(s) not queued")

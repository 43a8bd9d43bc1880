"""Reachability probes against DynamoDB, SQS and EventBridge; AWS errors become DependencyDown."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from deepiri_gateway.models.health import DependencyDown, Kind


class AwsProbe:
    """Calls the cheapest describe operation of each dependency kind."""

    def __init__(self, dynamodb: Any, sqs: Any, events: Any) -> None:
        self._dynamodb, self._sqs, self._events = dynamodb, sqs, events

    def __call__(self, kind: Kind, name: str) -> None:
        try:
            if kind == "table":
                status = self._dynamodb.describe_table(TableName=name)["Table"]["TableStatus"]
                if status not in ("ACTIVE", "UPDATING"):
                    raise DependencyDown(f"table status {status}")
            elif kind == "queue":
                self._sqs.get_queue_attributes(QueueUrl=name, AttributeNames=["QueueArn"])
            else:
                self._events.describe_event_bus(Name=name)
        except ClientError as error:
            raise DependencyDown(error.response.get("Error", {}).get("Code", "error")) from error
        except BotoCoreError as error:
            raise DependencyDown(type(error).__name__) from error

    def queue_depth(self, url: str) -> int:
        """Messages visible in the queue at ``url`` (approximate, as SQS counts them)."""
        try:
            attributes = self._sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages"])
        except ClientError as error:
            raise DependencyDown(error.response.get("Error", {}).get("Code", "error")) from error
        except BotoCoreError as error:
            raise DependencyDown(type(error).__name__) from error
        return int(attributes["Attributes"]["ApproximateNumberOfMessages"])

"""The layer's AWS clients: the client asked for, configured as boto3 would configure it, from one botocore
session per process (its loaded service models are shared by every client)."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.session import Session

from deepiri_common import aws


class CountingSession(Session):
    made = 0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        CountingSession.made += 1
        super().__init__(*args, **kwargs)


def test_given_a_fresh_process_then_clients_of_several_services_come_from_one_session(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(aws, "_session", None)  # as at a cold start
    monkeypatch.setattr(aws, "Session", CountingSession)
    monkeypatch.setattr(CountingSession, "made", 0)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")

    sqs = aws.client("sqs", region_name="eu-west-1")
    dynamodb = aws.client("dynamodb", region_name="us-east-1", endpoint_url="http://127.0.0.1:4566")

    assert (sqs.meta.service_model.service_name, sqs.meta.region_name) == ("sqs", "eu-west-1")
    assert (dynamodb.meta.service_model.service_name, dynamodb.meta.region_name) == ("dynamodb", "us-east-1")
    assert dynamodb.meta.endpoint_url == "http://127.0.0.1:4566"
    assert CountingSession.made == 1

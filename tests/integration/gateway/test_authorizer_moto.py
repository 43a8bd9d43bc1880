"""The authorizer's entry point, configured from the environment as deployed, against moto."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from deepiri_common.settings import reset_settings_cache
from deepiri_common.tokens import KeyStore, issue_access_token
from deepiri_gateway import wiring as gateway_wiring
from deepiri_gateway.handlers import authorizer
from tests.support import template
from tests.support.lambda_context import FakeLambdaContext

EVENTS = Path(__file__).resolve().parents[3] / "events"
ISSUER = "https://deepiri.test"
AUDIENCE = "deepiri-api"


@pytest.fixture
def secret_name(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    name = template.create("JwtKeysSecret")["JwtKeysSecret"]
    monkeypatch.setenv("JWT_KEYS_SECRET", name)
    monkeypatch.setenv("JWT_ISSUER", ISSUER)
    monkeypatch.setenv("JWT_AUDIENCE", AUDIENCE)
    monkeypatch.setenv("EVENT_BUS_NAME", "deepiri-test")
    reset_settings_cache()
    gateway_wiring.reset()
    yield name
    reset_settings_cache()
    gateway_wiring.reset()


def _rest_event(token: str) -> dict[str, Any]:
    text = (EVENTS / "authorizer-rest.json").read_text()
    return dict(json.loads(text.replace("REPLACE_WITH_ACCESS_TOKEN", token)))


def test_given_the_deployed_environment_when_a_valid_token_arrives_then_the_handler_allows_it(
    secret_name: str,
) -> None:
    users_side = KeyStore(secret_name, boto3.client("secretsmanager", region_name=template.REGION))
    token = issue_access_token(users_side, subject="u1", roles=["user"], issuer=ISSUER, audience=AUDIENCE)

    response = authorizer.handler(_rest_event(token), FakeLambdaContext("deepiri-test-authorizer"))

    assert response["principalId"] == "u1"
    assert response["context"] == {"userId": "u1", "roles": "user", "tokenVersion": "0"}


def test_given_the_deployed_environment_when_the_token_is_garbage_then_the_handler_says_unauthorized(
    secret_name: str,
) -> None:
    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorizer.handler(_rest_event("garbage"), FakeLambdaContext("deepiri-test-authorizer"))

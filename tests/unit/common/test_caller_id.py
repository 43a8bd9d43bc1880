"""``caller_id(app)``: the signed-in user's id inside a route, or 401 problem+json when there is none."""

from __future__ import annotations

import json
from typing import Any

import pytest

from deepiri_common.api import api_handler, create_resolver
from deepiri_common.identity import caller_id
from tests.support.apigw import rest_event
from tests.support.lambda_context import FakeLambdaContext

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")


def _me() -> Any:
    app = create_resolver()

    @app.get("/api/me")
    def me() -> dict[str, str]:
        return {"userId": caller_id(app)}

    return api_handler(app)


def test_given_a_signed_in_caller_then_the_route_gets_their_id() -> None:
    response = _me()(rest_event("GET", "/api/me", authorizer={"userId": "01HZUSER"}), FakeLambdaContext())

    assert response["statusCode"] == 200
    assert json.loads(response["body"]) == {"userId": "01HZUSER"}


def test_given_no_caller_then_401() -> None:
    response = _me()(rest_event("GET", "/api/me"), FakeLambdaContext())

    assert response["statusCode"] == 401

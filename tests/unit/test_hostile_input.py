"""Hostile input against every declared route of every service, in-process: each case answers a 4xx
problem+json naming what is wrong, before any handler runs, so it changes nothing.

The routes come from the declarations (``infra.routes``), so a route added later joins this table
without being listed here.
"""

from __future__ import annotations

import importlib
import json
import re
from typing import Any

import pytest

from deepiri_common.ids import new_ulid
from infra import routes
from tests.support.apigw import rest_event
from tests.support.lambda_context import FakeLambdaContext

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")

ROUTES = [item for item in routes.declared() if not item.route.fallback]
WITH_BODY = [item for item in ROUTES if item.route.method in ("POST", "PUT", "PATCH")]
WITH_PATH_PARAMETERS = [item for item in ROUTES if "{" in item.route.path]
_PARAMETER = re.compile(r"{([^}]+)}")


def _id(item: routes.DeclaredRoute) -> str:
    return f"{item.function}:{item.route.key}"


def _call(item: routes.DeclaredRoute, *, body: Any = None, overrides: dict[str, str] | None = None,
          content_type: str = "application/json") -> dict[str, Any]:
    names = _PARAMETER.findall(item.route.path)
    params = {name: new_ulid() for name in names} | (overrides or {})
    path = _PARAMETER.sub(lambda match: params[match.group(1)], item.route.path)
    user = new_ulid()
    event = rest_event(item.route.method, path, body=body, headers={"Content-Type": content_type},
                       authorizer=None if item.route.open else {"userId": user, "roles": "user"},
                       path_params=params or None, resource=item.route.path)
    handler = importlib.import_module(item.module).handler
    return dict(handler(event, FakeLambdaContext()))


def _problem(response: dict[str, Any], *statuses: int) -> dict[str, Any]:
    assert response["statusCode"] in statuses, response["body"][:300]
    content_type = (response.get("multiValueHeaders") or {}).get("Content-Type") or [
        (response.get("headers") or {}).get("Content-Type")]
    assert content_type[-1] == "application/problem+json"
    assert "Traceback" not in response["body"] and "File \"" not in response["body"]
    body: dict[str, Any] = json.loads(response["body"])
    return body


NESTED_1000 = '{"title": "d", "tags": ' + "[" * 1000 + "]" * 1000 + "}"
NESTED_50000 = "[" * 50_000 + "]" * 50_000
NESTED_OBJECTS_5000 = '{"a":' * 5000 + "1" + "}" * 5000
HUGE_INTEGER = '{"title": "n", "estimateMinutes": ' + "9" * 5000 + "}"
HUGE_EXPONENT = '{"title": "n", "estimateMinutes": 1e999}'
NOT_A_NUMBER = '{"title": "n", "estimateMinutes": NaN}'
# The cases by name: the e2e suite sends a sample of the same table through the deployed gateway.
NESTED_BODIES = {"1k": NESTED_1000, "50k": NESTED_50000, "objects5k": NESTED_OBJECTS_5000}
NUMBER_BODIES = {"5000-digits": HUGE_INTEGER, "1e999": HUGE_EXPONENT, "NaN": NOT_A_NUMBER}
PATH_VALUES = {"2000-chars": "x" * 2000, "space": "a b", "nul": "01HZ\x00", "dots": "../../etc"}


@pytest.mark.parametrize("item", WITH_BODY, ids=_id)
@pytest.mark.parametrize("body", NESTED_BODIES.values(), ids=NESTED_BODIES.keys())
def test_given_deeply_nested_json_then_400_naming_the_depth(item: routes.DeclaredRoute, body: str) -> None:
    problem = _problem(_call(item, body=body), 400, 413)  # 413 where the route's body limit is lower
    assert "nested deeper than 32 levels" in problem["detail"] or problem["status"] == 413


@pytest.mark.parametrize("item", WITH_BODY, ids=_id)
@pytest.mark.parametrize("body", NUMBER_BODIES.values(), ids=NUMBER_BODIES.keys())
def test_given_a_number_json_cannot_hold_then_400_naming_it(item: routes.DeclaredRoute, body: str) -> None:
    problem = _problem(_call(item, body=body), 400)
    assert "number" in problem["detail"]


@pytest.mark.parametrize("item", WITH_PATH_PARAMETERS, ids=_id)
@pytest.mark.parametrize("value", PATH_VALUES.values(), ids=PATH_VALUES.keys())
def test_given_a_path_parameter_that_is_no_id_then_422_naming_it(item: routes.DeclaredRoute, value: str) -> None:
    name = _PARAMETER.findall(item.route.path)[0]

    problem = _problem(_call(item, body={}, overrides={name: value}), 422)

    assert f"path.{name}" in [error["field"] for error in problem["errors"]]


def test_the_table_covers_every_service_and_each_kind_of_case() -> None:
    assert {item.module.split(".")[0] for item in ROUTES} >= {"deepiri_users", "deepiri_tasks", "deepiri_realtime"}
    assert len(WITH_BODY) >= 30 and len(WITH_PATH_PARAMETERS) >= 30

"""Hostile input against every declared route of every service, in-process: each case answers a 4xx
problem+json naming what is wrong, before any handler runs, so it changes nothing.

The routes come from the declarations (``infra.routes``), so a route added later joins this table
without being listed here.
"""

from __future__ import annotations

import importlib
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from deepiri_common.ids import new_ulid
from deepiri_common.settings import reset_settings_cache
from infra import routes
from infra.config import ROOT
from tests.support import template
from tests.support.apigw import rest_event
from tests.support.lambda_context import FakeLambdaContext

pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")

OPENAPI = ROOT / "functions" / "gateway" / "deepiri_gateway" / "openapi.json"
ROUTES = [item for item in routes.declared() if not item.route.fallback]
WITH_BODY = [item for item in ROUTES if item.route.method in ("POST", "PUT", "PATCH")]
WITH_PATH_PARAMETERS = [item for item in ROUTES if "{" in item.route.path]
_PARAMETER = re.compile(r"{([^}]+)}")


@pytest.fixture(autouse=True)
def _configured(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every variable a function's settings read, as the template gives them (placeholder values): the
    handlers then run as deployed, and the unit suite's closed network makes any request that gets past
    validation to a read or a write fail with a 500 here."""
    variables = dict(template.template()["Globals"]["Function"]["Environment"]["Variables"])
    for resource in template.template()["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            variables |= resource["Properties"].get("Environment", {}).get("Variables", {})
    for name, value in variables.items():
        if name not in {"STAGE", "LOG_LEVEL", "POWERTOOLS_LOG_LEVEL", "POWERTOOLS_TRACE_DISABLED"}:
            monkeypatch.setenv(name, template.text(value, default=f"http://127.0.0.1:9/{name}"))
    for name, value in {"AWS_DEFAULT_REGION": template.REGION, "AWS_ACCESS_KEY_ID": "hostile",
                        "AWS_SECRET_ACCESS_KEY": "hostile"}.items():
        monkeypatch.setenv(name, value)
    reset_settings_cache()
    yield
    reset_settings_cache()


def _id(item: routes.DeclaredRoute) -> str:
    return f"{item.function}:{item.route.key}"


def _call(item: routes.DeclaredRoute, *, body: Any = None, overrides: dict[str, str] | None = None,
          content_type: str = "application/json", query: dict[str, str] | None = None) -> dict[str, Any]:
    names = _PARAMETER.findall(item.route.path)
    params = {name: new_ulid() for name in names} | (overrides or {})
    path = _PARAMETER.sub(lambda match: params[match.group(1)], item.route.path)
    user = new_ulid()
    event = rest_event(item.route.method, path, body=body, headers={"Content-Type": content_type},
                       authorizer=None if item.route.open else {"userId": user, "roles": "user"},
                       path_params=params or None, resource=item.route.path, query=query)
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
# Every query parameter gets the first three; a date or time parameter also the last.
QUERY_VALUES = {"5000-chars": "x" * 5000, "5000-digits": "9" * 5000, "control": "a\x00\x1b\u202e"}
QUERY_DATES = {"year-9999": "9999-12-31T23:59:59-14:00", "year-1": "0001-01-01T00:00:00+14:00"}


def _query_parameters() -> dict[str, list[dict[str, Any]]]:
    """Each route's query parameters by route key, as the published OpenAPI document lists them."""
    document = json.loads(OPENAPI.read_text())
    return {f"{method.upper()} {path}": [p for p in operation.get("parameters", []) if p["in"] == "query"]
            for path, operations in document["paths"].items() for method, operation in operations.items()}


def _valid(schema: dict[str, Any]) -> str:
    """A value a parameter's schema accepts: its first enum value, its minimum, or a word."""
    options = [schema, *schema.get("anyOf", [])]
    for option in options:
        if "enum" in option:
            return str(option["enum"][0])
    if any(option.get("type") == "integer" for option in options):
        return str(schema.get("minimum", 1))
    return "x"


def _query(item: routes.DeclaredRoute, name: str, value: str) -> dict[str, str]:
    """``value`` in parameter ``name``, and a valid value in every other required one, so the answer
    speaks of ``name``."""
    others = {p["name"]: _valid(p.get("schema", {})) for p in QUERIES[item.route.key]
              if p.get("required") and p["name"] != name}
    return {**others, name: value}


def _is_time(parameter: dict[str, Any]) -> bool:
    return "date" in json.dumps(parameter.get("schema", {})) or parameter["name"] in ("from", "to", "at")


QUERIES = _query_parameters()
WITH_QUERY = [(item, p["name"]) for item in ROUTES for p in QUERIES.get(item.route.key, [])]
WITH_TIME_QUERY = [(item, p["name"]) for item in ROUTES for p in QUERIES.get(item.route.key, []) if _is_time(p)]


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


@pytest.mark.parametrize(("item", "name"), WITH_QUERY, ids=[f"{_id(i)}?{n}" for i, n in WITH_QUERY])
@pytest.mark.parametrize("value", QUERY_VALUES.values(), ids=QUERY_VALUES.keys())
def test_given_a_hostile_query_value_then_a_4xx_problem_and_no_500(item: routes.DeclaredRoute, name: str,
                                                                    value: str) -> None:
    """Over-long text and numbers, control characters and dates past 2999 in any query parameter are refused
    before anything is read or written (the unit suite has no network: a parameter that got through would
    reach DynamoDB and fail with a 500 here)."""
    problem = _problem(_call(item, query=_query(item, name, value)), 400, 422)
    assert f"query.{name}" in problem["detail"] or problem["detail"] == "invalid cursor"


@pytest.mark.parametrize(("item", "name"), WITH_TIME_QUERY, ids=[f"{_id(i)}?{n}" for i, n in WITH_TIME_QUERY])
@pytest.mark.parametrize("value", QUERY_DATES.values(), ids=QUERY_DATES.keys())
def test_given_a_query_date_past_the_calendar_s_edges_then_422_naming_it(item: routes.DeclaredRoute, name: str,
                                                                        value: str) -> None:
    problem = _problem(_call(item, query=_query(item, name, value)), 422)
    assert f"query.{name}" in problem["detail"]


def test_the_table_covers_every_service_and_each_kind_of_case() -> None:
    assert {item.module.split(".")[0] for item in ROUTES} >= {"deepiri_users", "deepiri_tasks", "deepiri_realtime"}
    assert len(WITH_BODY) >= 30 and len(WITH_PATH_PARAMETERS) >= 30
    assert len(WITH_QUERY) >= 20 and len(WITH_TIME_QUERY) >= 3

"""Hostile input through the deployed gateway: a bounded sample of the in-process table
(tests/unit/test_hostile_input.py, built from the route declarations, so a route added later joins both)
sent over HTTP. Every answer is a 4xx problem+json without a stack trace, and nothing the caller owns
changes."""

from __future__ import annotations

import random
import re
from typing import Any
from urllib.parse import quote

from deepiri_common.ids import new_ulid
from tests.unit.test_hostile_input import NESTED_BODIES, NUMBER_BODIES, PATH_VALUES, WITH_BODY, WITH_PATH_PARAMETERS

SEED = 9  # a fixed sample, so a failure reproduces; change it to look at other routes
ROUTES_PER_CASE = 4  # 10 kinds of case x 4 routes: 40 requests
_PARAMETER = re.compile(r"{([^}]+)}")


def _sample() -> list[tuple[str, Any, str, str]]:
    """(case name, route, body, path) for ROUTES_PER_CASE routes of every kind of case, drawn with SEED."""
    rng = random.Random(SEED)
    cases: list[tuple[str, Any, str, str]] = []
    for name, body in (NESTED_BODIES | NUMBER_BODIES).items():
        for item in rng.sample(WITH_BODY, ROUTES_PER_CASE):
            cases.append((name, item, body, _PARAMETER.sub(lambda _: new_ulid(), item.route.path)))
    for name, value in PATH_VALUES.items():
        for item in rng.sample(WITH_PATH_PARAMETERS, ROUTES_PER_CASE):
            first = _PARAMETER.findall(item.route.path)[0]
            path = item.route.path.replace(f"{{{first}}}", quote(value, safe=""), 1)
            cases.append((name, item, "{}", _PARAMETER.sub(lambda _: new_ulid(), path)))
    return cases


def _state(api, token: str) -> list[Any]:
    """What a hostile request by this caller could have changed: their profile, tasks and projects."""
    return [api("GET", path, token=token).json() for path in ("/api/users/me", "/api/tasks", "/api/projects")]


def test_given_a_sample_of_the_hostile_table_through_the_gateway_then_4xx_problems_and_nothing_changes(
    api, account
) -> None:
    caller = account("hostile")
    before = _state(api, caller.token)
    cases = _sample()
    assert {item.module.split(".")[0] for _, item, _, _ in cases} >= {"deepiri_users", "deepiri_tasks"}

    failures = []
    for name, item, body, path in cases:
        response = api(item.route.method, path, token=None if item.route.open else caller.token, data=body,
                       headers={"Content-Type": "application/json"})
        text = response.text
        if (not 400 <= response.status_code < 500
                or not response.headers.get("content-type", "").startswith("application/problem+json")
                or "Traceback" in text or 'File "' in text):
            failures.append(f"{name} {item.route.method} {item.route.path}: {response.status_code} {text[:200]}")

    assert failures == []
    assert _state(api, caller.token) == before

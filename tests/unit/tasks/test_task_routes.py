"""The task API's three spellings of a route agree: the Powertools route of each handler, the API
Gateway resource its function answers in template.yaml, and the key its scope policy is looked up by
(``"<METHOD> <resource>"``, as API Gateway reports ``resource``)."""

from __future__ import annotations

from types import ModuleType
from typing import Any

import pytest

from deepiri_tasks.handlers import attachments, comments, dependencies_graph, projects, tasks, timers
from tests.support import template

HANDLERS = (tasks, dependencies_graph, comments, attachments, timers, projects)


def _template_routes(module: ModuleType) -> set[str]:
    handler = f"{module.__name__}.handler"
    functions = [r for r in template.template()["Resources"].values()
                 if r["Type"] == "AWS::Serverless::Function" and r["Properties"].get("Handler") == handler]
    assert len(functions) == 1, handler
    events = functions[0]["Properties"].get("Events", {}).values()
    return {f"{e['Properties']['Method'].upper()} {e['Properties']['Path']}" for e in events if e["Type"] == "Api"}


def _handler_routes(module: ModuleType) -> set[str]:
    app: Any = module.app
    return {f"{route.method} {route.openapi_path}" for route in [*app._static_routes, *app._dynamic_routes]}


def _scope_keys(module: ModuleType) -> set[str]:
    # enforce_scopes keeps its policy in the closure of the middleware it installs.
    (check,) = [m for m in module.app._router_middlewares if "policy" in m.__code__.co_freevars]
    policy = check.__closure__[check.__code__.co_freevars.index("policy")].cell_contents
    return set(policy)


@pytest.mark.parametrize("module", HANDLERS, ids=lambda m: m.__name__.rsplit(".", 1)[-1])
def test_given_a_task_handler_then_routes_template_resources_and_scope_keys_are_the_same_strings(
    module: ModuleType,
) -> None:
    routes = _handler_routes(module)
    assert routes == _template_routes(module)
    assert _scope_keys(module) <= routes


def test_given_every_task_route_then_the_task_segment_is_named_id_among_its_siblings() -> None:
    # API Gateway refuses two names for one path segment among siblings (/api/tasks/{id} vs {taskId}).
    names = {route.split(" ")[1].split("/")[3] for module in HANDLERS for route in _handler_routes(module)
             if route.split(" ")[1].startswith("/api/tasks/")}
    assert {name for name in names if name.startswith("{")} == {"{id}"}

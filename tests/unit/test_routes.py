"""Each route is declared once, beside its handler; the template, the README, the OpenAPI document and
the scope check follow the declarations, for every service, so a route added in one place only fails here."""

from __future__ import annotations

import importlib
import json

import pytest

from deepiri_common.routes import Routes
from deepiri_users.logic.oauth_scopes import OFFLINE_ACCESS, SCOPES
from infra import routes
from infra.openapi import DOCUMENT

MODULES = sorted(routes.route_tables())


def test_given_every_service_then_the_template_api_events_are_exactly_the_declared_routes() -> None:
    assert routes.template_drift() == []


def test_given_every_service_then_the_readme_route_table_is_generated_from_the_declarations() -> None:
    readme = routes.README.read_text()
    assert routes.readme_with_table(readme) == readme, "README.md's route table is stale: run `make routes`"


def test_given_the_route_tables_then_they_cover_every_service_with_rest_routes() -> None:
    services = {module.split(".")[0] for module in MODULES}
    # Every service with a REST route today; a new one only adds to this.
    assert services >= {"deepiri_gateway", "deepiri_realtime", "deepiri_users", "deepiri_tasks"}


@pytest.mark.parametrize("module", MODULES)
def test_given_a_handler_module_then_every_operation_of_its_resolver_is_declared(module: str) -> None:
    # A route registered on the resolver directly (@app.get) would bypass the declarations.
    app = importlib.import_module(module).app
    paths = json.loads(app.get_openapi_json_schema())["paths"]
    operations = {f"{method.upper()} {path}" for path, item in paths.items() for method in item}
    table: Routes = routes.route_tables()[module]
    assert operations == {route.key for route in table.all() if not route.fallback}


def test_given_the_declared_scopes_then_each_is_one_a_client_can_be_granted() -> None:
    used = {item.route.scope for item in routes.declared() if item.route.scope}
    assert used <= set(SCOPES) - {OFFLINE_ACCESS}


def test_given_the_openapi_document_then_open_routes_need_nothing_and_scoped_routes_name_their_scope() -> None:
    document = json.loads(DOCUMENT.read_text())
    for item in routes.declared():
        route = item.route
        if route.fallback:
            continue
        security = document["paths"][route.path][route.method.lower()]["security"]
        if route.open:
            assert security == [], route.key
        elif route.scope:
            assert {"oauth2": [route.scope]} in security, route.key
        else:
            assert security == [{"bearer": []}], route.key


def test_given_every_task_route_then_the_task_segment_is_named_id_among_its_siblings() -> None:
    # API Gateway refuses two names for one path segment among siblings (/api/tasks/{id} vs {taskId}).
    names = {item.route.path.split("/")[3] for item in routes.declared()
             if item.route.path.startswith("/api/tasks/")}
    assert {name for name in names if name.startswith("{")} == {"{id}"}

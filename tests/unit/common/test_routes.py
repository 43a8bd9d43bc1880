"""A route declared through ``Routes`` is registered once, with its access, and third-party tokens
reach it only with the scope it names."""

from __future__ import annotations

import pytest

from deepiri_common.api import create_resolver
from deepiri_common.routes import Routes, api_path


def test_given_a_powertools_rule_then_its_api_gateway_path_names_the_same_parameters() -> None:
    assert api_path("/api/tasks/<id>/comments/<commentId>") == "/api/tasks/{id}/comments/{commentId}"
    assert api_path("/health") == "/health"


def test_given_declared_routes_then_each_keeps_its_method_path_access_and_summary() -> None:
    routes = Routes(create_resolver())

    @routes.get("/api/things/<id>", scope="things:read")
    def get_thing(id: str) -> dict[str, str]:
        """Read one thing.

        More words that are not the summary.
        """
        return {"id": id}

    @routes.post("/api/things/login", open=True)
    def login() -> dict[str, str]:
        return {}

    @routes.delete("/api/things/<id>")
    def delete_thing(id: str) -> dict[str, str]:
        return {}

    declared = {route.key: route for route in routes.all()}
    assert list(declared) == ["GET /api/things/{id}", "POST /api/things/login", "DELETE /api/things/{id}"]
    assert declared["GET /api/things/{id}"].summary == "Read one thing."
    assert declared["GET /api/things/{id}"].access == "signed-in or scope `things:read`"
    assert declared["POST /api/things/login"].access == "open"
    assert declared["DELETE /api/things/{id}"].access == "signed-in (first-party)"
    assert routes.scope_of("GET", "/api/things/{id}") == "things:read"
    assert routes.scope_of("DELETE", "/api/things/{id}") is None


def test_given_a_route_declared_twice_then_the_module_fails_to_load() -> None:
    routes = Routes(create_resolver())
    routes.get("/api/things")(lambda: {})

    with pytest.raises(ValueError, match="GET /api/things is declared twice"):
        routes.get("/api/things")(lambda: {})


def test_given_an_open_route_with_a_scope_then_the_declaration_is_refused() -> None:
    with pytest.raises(ValueError, match="an open route needs no scope"):
        Routes(create_resolver()).get("/api/things", open=True, scope="things:read")


def test_given_a_fallback_then_it_is_declared_open_for_each_method_without_a_handler() -> None:
    routes = Routes(create_resolver())

    routes.fallback("/{proxy+}", ("GET", "POST"))

    assert [(route.key, route.open, route.fallback) for route in routes.all()] == [
        ("GET /{proxy+}", True, True), ("POST /{proxy+}", True, True)]

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


@pytest.mark.parametrize("method", ["get", "post", "put", "patch", "delete"])
def test_given_each_method_then_its_declaration_keeps_scope_openness_and_handler_name(method: str) -> None:
    routes = Routes(create_resolver())

    getattr(routes, method)("/api/things/<id>", scope="things:write")(lambda id: {})
    getattr(routes, method)("/api/open/<id>", open=True)(lambda id: {})

    scoped, public = routes.all()
    assert (scoped.method, scoped.scope, scoped.open, scoped.handler) == (method.upper(), "things:write", False,
                                                                          "<lambda>")
    assert (public.scope, public.open) == (None, True)


def test_given_a_handler_without_a_docstring_then_its_summary_is_empty() -> None:
    routes = Routes(create_resolver())

    @routes.get("/api/things")
    def list_things() -> dict[str, str]:
        return {}

    assert routes.all()[0].summary == ""
    assert routes.all()[0].handler == "list_things"


def test_given_powertools_options_then_they_reach_the_openapi_document() -> None:
    app = create_resolver()
    routes = Routes(app)

    routes.get("/api/things", summary="List the things", tags=["things"])(lambda: {})

    operation = app.get_openapi_schema().paths["/api/things"].get
    assert operation is not None and operation.summary == "List the things" and operation.tags == ["things"]


def test_given_an_undeclared_route_then_no_scope_opens_it() -> None:
    routes = Routes(create_resolver())
    assert routes.scope_of("GET", "/api/nowhere") is None


def test_a_fallback_has_no_handler_and_says_what_it_answers() -> None:
    routes = Routes(create_resolver())

    routes.fallback("/{proxy+}", ("GET",))

    (route,) = routes.all()
    assert (route.handler, route.summary, route.scope) == ("", "404 problem+json", None)


def test_given_a_head_route_then_it_is_declared_for_head_with_its_scope() -> None:
    routes = Routes(create_resolver())

    routes.head("/api/things/<id>", scope="things:read")(lambda id: {})

    (declared,) = routes.all()
    assert (declared.key, declared.scope, declared.open) == ("HEAD /api/things/{id}", "things:read", False)

"""A route declared later is documented with its errors and success status without a word more."""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.event_handler import Response
from pydantic import BaseModel

from deepiri_common.api import Resolver, create_resolver
from deepiri_common.contract import error_statuses, example_problem
from deepiri_common.routes import Routes
from tests.support.apigw import rest_event
from tests.support.lambda_context import FakeLambdaContext


class Thing(BaseModel):
    name: str


def _routes() -> Routes:
    return _service()[1]


def _service() -> tuple[Resolver, Routes]:
    app = create_resolver()
    routes = Routes(app)

    @routes.get("/api/things/<thingId>", scope="things:read")
    def get_thing(thingId: str) -> Thing:
        return Thing(name=thingId)

    @routes.post("/api/things", status=201)
    def add_thing(body: Thing) -> Response[Thing]:
        return Response(201, "application/json", body)

    @routes.delete("/api/things/<thingId>")
    def drop_thing(thingId: str) -> Response[None]:
        return Response(204)

    @routes.get("/api/open", open=True, problems=(503,))
    def open_route() -> Thing:
        return Thing(name="x")

    @routes.post("/api/raw", returns=Thing)
    def raw() -> Response[Any]:
        return Response(200, "application/json", '{"name": "as written"}')

    return app, routes


def test_given_new_routes_then_their_errors_follow_from_the_declaration() -> None:
    by_key = {route.key: route for route in _routes().all()}

    assert error_statuses(by_key["GET /api/things/{thingId}"]) == (400, 401, 403, 404, 413, 415, 422, 429)
    assert error_statuses(by_key["POST /api/things"]) == (400, 401, 403, 409, 413, 415, 422, 429)
    assert error_statuses(by_key["GET /api/open"]) == (400, 413, 415, 422, 429, 503)
    assert 412 in error_statuses(by_key["POST /api/things"], frozenset({"if-match"}))
    assert 404 in error_statuses(by_key["POST /api/things"], field_names=frozenset({"projectId"}))


def test_given_new_routes_then_success_statuses_come_from_the_declaration_or_the_return_type() -> None:
    routes = _routes()
    by_key = {route.key: route for route in routes.all()}

    assert by_key["POST /api/things"].statuses == (201,)
    assert by_key["DELETE /api/things/{thingId}"].statuses == (204,)
    assert by_key["GET /api/things/{thingId}"].statuses == (200,)


def test_given_returns_then_the_model_is_documented_and_the_body_leaves_as_written() -> None:
    app, _ = _service()
    schema = json.loads(app.get_openapi_json_schema())
    content = schema["paths"]["/api/raw"]["post"]["responses"]["200"]["content"]["application/json"]
    answer = app.resolve(rest_event("POST", "/api/raw"), FakeLambdaContext())

    assert content["schema"] == {"$ref": "#/components/schemas/Thing"}
    assert answer["body"] == '{"name": "as written"}'


def test_given_a_status_then_the_example_problem_is_shaped_like_the_answer() -> None:
    example = example_problem(422, "/api/things")

    assert example["status"] == 422 and example["instance"] == "/api/things" and example["errors"]


def test_given_the_declaration_then_each_error_status_has_its_own_reason() -> None:
    by_key = {route.key: route for route in _routes().all()}
    get, post, delete = (by_key["GET /api/things/{thingId}"], by_key["POST /api/things"],
                         by_key["DELETE /api/things/{thingId}"])

    assert 409 in error_statuses(delete) and 409 not in error_statuses(get)  # writes may conflict
    assert 404 not in error_statuses(post)  # no id in its path or fields
    assert 404 in error_statuses(post, field_names=frozenset({"userIds"}))
    assert 404 not in error_statuses(post, field_names=frozenset({"identity", "idea"}))
    assert 412 in error_statuses(post, field_names=frozenset({"version"}))
    assert 412 not in error_statuses(post, frozenset({"if-none-match"}), frozenset({"versions"}))
    assert error_statuses(get) == tuple(sorted(error_statuses(get)))


def test_given_a_status_then_its_example_problem_is_the_documented_one() -> None:
    assert example_problem(404, "/api/things/x") == {
        "type": "https://deepiri.dev/problems/not-found", "title": "Not Found", "status": 404,
        "detail": "not found", "instance": "/api/things/x"}
    assert example_problem(429, "/p")["type"] == "https://deepiri.dev/problems/too-many-requests"
    assert example_problem(412, "/p")["detail"] == "the resource has changed: its version is now 4"
    assert example_problem(503, "/p") == {
        "type": "https://deepiri.dev/problems/service-unavailable", "title": "Service Unavailable",
        "status": 503, "detail": "Service Unavailable", "instance": "/p"}  # no detail of its own: the phrase


def test_given_422_then_its_example_names_an_invalid_field() -> None:
    assert example_problem(422, "/api/tasks") == {
        "type": "https://deepiri.dev/problems/validation", "title": "Unprocessable Content", "status": 422,
        "detail": "invalid fields: body.title", "instance": "/api/tasks",
        "errors": [{"field": "body.title", "message": "Field required"}]}


def test_given_each_method_then_only_writes_may_conflict() -> None:
    app = create_resolver()
    routes = Routes(app)
    for method in ("get", "post", "put", "patch", "delete"):
        getattr(routes, method)(f"/api/{method}")(lambda: {})

    conflicts = {route.method: 409 in error_statuses(route) for route in routes.all()}

    assert conflicts == {"GET": False, "POST": True, "PUT": True, "PATCH": True, "DELETE": True}


def test_every_route_and_every_signed_in_route_share_these_errors() -> None:
    routes = Routes(create_resolver())
    routes.get("/api/open", open=True)(lambda: {})
    routes.get("/api/mine")(lambda: {})
    open_route, signed_in = routes.all()

    assert error_statuses(open_route) == (400, 413, 415, 422, 429)
    assert error_statuses(signed_in) == (400, 401, 403, 413, 415, 422, 429)


def test_given_each_shared_error_then_its_example_has_a_detail_of_its_own() -> None:
    details = {status: example_problem(status, "/p")["detail"] for status in (400, 401, 403, 409, 413, 415, 429)}

    assert details == {
        400: "request body is not valid JSON: Expecting value (at character 0)",
        401: "a valid bearer token is required",
        403: "requires the tasks:write scope",
        409: "the change conflicts with the current state",
        413: "request body has 300000 bytes; the limit is 262144",
        415: "a request body must be application/json (or a form where documented), not text/plain",
        429: "rate limit exceeded; retry in 2 s",
    }

"""A route's success answers as the API document shows them and as the client receives them: the declared
status, each of several statuses with its phrase and model, no body for ``Response[None]``, the media type,
and the contract options kept on the route rather than handed to Powertools."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from aws_lambda_powertools.event_handler import Response
from pydantic import BaseModel

from deepiri_common.api import Resolver, create_resolver
from deepiri_common.routes import Routes
from tests.support.apigw import rest_event
from tests.support.lambda_context import FakeLambdaContext

THING = {"$ref": "#/components/schemas/Thing"}


class Thing(BaseModel):
    name: str


class Oops(BaseModel):
    error: str


def _responses(app: Resolver, method: str, path: str) -> dict[str, Any]:
    return json.loads(app.get_openapi_json_schema())["paths"][path][method]["responses"]


def _call(app: Resolver, method: str, path: str, body: Any = None) -> dict[str, Any]:
    return app.resolve(rest_event(method, path, body=body), FakeLambdaContext())


def _success(responses: dict[str, Any]) -> dict[str, Any]:
    return {code: answer for code, answer in responses.items() if int(code) < 400}


def test_given_a_model_and_a_declared_status_then_that_status_is_answered_and_documented() -> None:
    app = create_resolver(cors_origins=[])
    routes = Routes(app)

    @routes.post("/api/things", open=True, status=HTTPStatus.CREATED)
    def add(body: Thing) -> Thing:
        return body

    answer = _call(app, "POST", "/api/things", {"name": "a"})

    assert (answer["statusCode"], json.loads(answer["body"])) == (201, {"name": "a"})
    assert routes.all()[0].statuses == (201,)
    success = _success(_responses(app, "post", "/api/things"))
    assert list(success) == ["201"]
    assert success["201"]["content"]["application/json"]["schema"] == THING


def test_given_a_model_and_several_statuses_then_the_usual_first_one_is_answered() -> None:
    # It used to answer Powertools' default, 200, whatever the declaration said.
    app = create_resolver(cors_origins=[])
    routes = Routes(app)

    @routes.post("/api/things", open=True, status=(202, 200))
    def add(body: Thing) -> Thing:
        return body

    assert _call(app, "POST", "/api/things", {"name": "a"})["statusCode"] == 202
    assert list(_success(_responses(app, "post", "/api/things"))) == ["202"]


def test_given_a_model_without_a_status_then_200() -> None:
    app = create_resolver(cors_origins=[])
    routes = Routes(app)
    routes.get("/api/things", open=True)(_one_thing)

    assert _call(app, "GET", "/api/things")["statusCode"] == 200
    assert routes.all()[0].statuses == (200,)
    assert list(_success(_responses(app, "get", "/api/things"))) == ["200"]


def _one_thing() -> Thing:
    return Thing(name="one")


def test_given_a_response_with_several_statuses_then_each_is_documented_with_its_phrase_and_model() -> None:
    app = create_resolver(cors_origins=[])
    routes = Routes(app)

    @routes.put("/api/things/<name>", open=True, status=(200, 201))
    def put(name: str) -> Response[Thing]:
        return Response(201, "application/json", Thing(name=name))

    answer = _call(app, "PUT", "/api/things/x")

    assert answer["statusCode"] == 201
    assert routes.all()[0].statuses == (200, 201)
    success = _success(_responses(app, "put", "/api/things/{name}"))
    assert {code: answer["description"] for code, answer in success.items()} == {"200": "OK", "201": "Created"}
    assert all(answer["content"]["application/json"]["schema"] == THING for answer in success.values())


def test_given_response_none_then_204_without_a_body_is_documented() -> None:
    app = create_resolver(cors_origins=[])
    routes = Routes(app)

    @routes.delete("/api/things/<name>", open=True)
    def drop(name: str) -> Response[None]:
        return Response(204)

    assert routes.all()[0].statuses == (204,)
    assert _call(app, "DELETE", "/api/things/x")["statusCode"] == 204
    success = _success(_responses(app, "delete", "/api/things/{name}"))
    assert list(success) == ["204"] and success["204"]["description"] == "No Content"
    assert success["204"]["content"]["application/json"]["schema"]["type"] == "null"  # no body


def test_given_a_media_type_then_the_body_is_documented_under_it() -> None:
    app = create_resolver(cors_origins=[])
    routes = Routes(app)

    @routes.get("/api/page", open=True, media_type="text/html")
    def page() -> Response[str]:
        return Response(200, "text/html", "<p>hi</p>")

    assert _call(app, "GET", "/api/page")["body"] == "<p>hi</p>"
    success = _success(_responses(app, "get", "/api/page"))
    assert list(success) == ["200"] and list(success["200"]["content"]) == ["text/html"]
    assert success["200"]["description"] == "OK"


def test_given_returns_then_its_model_is_documented_for_a_response_of_any() -> None:
    app = create_resolver(cors_origins=[])
    routes = Routes(app)

    @routes.post("/api/raw", open=True, returns=Thing, status=202)
    def raw() -> Response[Any]:
        return Response(202, "application/json", '{"name":"as written"}')

    answer = _call(app, "POST", "/api/raw")

    assert (answer["statusCode"], answer["body"]) == (202, '{"name":"as written"}')
    success = _success(_responses(app, "post", "/api/raw"))
    assert list(success) == ["202"] and success["202"]["content"]["application/json"]["schema"] == THING


def test_given_responses_of_its_own_then_the_route_documents_those() -> None:
    app = create_resolver(cors_origins=[])
    routes = Routes(app)

    @routes.get("/api/custom", open=True, responses={203: {"description": "a copy"}})
    def custom() -> Response[Thing]:
        return Response(203, "application/json", Thing(name="copy"))

    success = _success(_responses(app, "get", "/api/custom"))
    assert {code: answer["description"] for code, answer in success.items()} == {"203": "a copy"}


def test_given_a_model_and_responses_of_its_own_then_powertools_gets_them_untouched() -> None:
    app = create_resolver(cors_origins=[])
    routes = Routes(app)
    routes.get("/api/custom", open=True, responses={200: {"description": "the thing"}})(_one_thing)

    assert _success(_responses(app, "get", "/api/custom"))["200"]["description"] == "the thing"


def test_given_contract_options_then_they_stay_on_the_route() -> None:
    app = create_resolver(cors_origins=[])
    routes = Routes(app)

    @routes.post("/api/token", open=True, problems=[401, 429], form=Thing, error_model=Oops)
    def token() -> Thing:
        """Issue a token.
        Second line."""
        return Thing(name="t")

    [route] = routes.all()
    assert (route.problems, route.form, route.error_model, route.summary) == ((401, 429), Thing, Oops,
                                                                               "Issue a token.")
    assert _call(app, "POST", "/api/token")["statusCode"] == 200


def test_given_a_handler_annotated_without_postponed_names_then_its_model_is_still_read() -> None:
    app = create_resolver(cors_origins=[])
    routes = Routes(app)

    def gone(name: str):  # type: ignore[no-untyped-def]
        return Response(204)

    gone.__annotations__ = {"name": str, "return": Response[None]}
    routes.delete("/api/gone/<name>", open=True)(gone)

    assert routes.all()[0].statuses == (204,)
    assert list(_success(_responses(app, "delete", "/api/gone/{name}"))) == ["204"]

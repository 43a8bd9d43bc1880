"""What every route refuses before it runs: bodies too large or unsafe, and path ids that are no ids."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from deepiri_common.api import PATH_PARAMETER_RULE, _location, problem_response, refusal
from deepiri_common.problems import BadRequest, PayloadTooLarge, ValidationFailed


def _event(body: str | None = None, *, content_type: str | None = "application/json", encoded: bool = False,
           path: dict[str, str] | None = None) -> dict[str, Any]:
    headers = {"Content-Type": content_type} if content_type else {}
    return {"body": body, "headers": headers, "isBase64Encoded": encoded, "pathParameters": path,
            "path": "/api/things"}


def test_given_an_ordinary_request_then_nothing_is_refused() -> None:
    assert refusal(_event('{"title": "x"}', path={"id": "01HZY3Q8M4W6T9V2K5R7N1P3XA"}), 1024) is None
    assert refusal(_event(None), 1024) is None


def test_given_a_body_over_the_limit_then_413_names_both_sizes() -> None:
    problem = refusal(_event("x" * 1025), 1024)
    assert isinstance(problem, PayloadTooLarge)
    assert problem.detail == "request body has 1025 bytes; the limit is 1024"
    assert refusal(_event("x" * 1024), 1024) is None


def test_given_a_base64_body_then_its_decoded_size_counts() -> None:
    body = base64.b64encode(b'{"a": "' + b"x" * 1100 + b'"}').decode()
    assert isinstance(refusal(_event(body, encoded=True), 1024), PayloadTooLarge)
    small = base64.b64encode(b"[" * 40 + b"]" * 40).decode()
    problem = refusal(_event(small, encoded=True), 1024)
    assert isinstance(problem, BadRequest) and "nested deeper than 32 levels" in problem.detail


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8", None,
                                          "application/vnd.api+json"])
def test_given_a_json_body_nested_too_deeply_then_400_says_why(content_type: str | None) -> None:
    problem = refusal(_event("[" * 40 + "]" * 40, content_type=content_type), None)
    assert isinstance(problem, BadRequest)
    assert problem.detail == "request body is not acceptable JSON: nested deeper than 32 levels"


@pytest.mark.parametrize("header", ["Content-Type", "content-type", "CONTENT-TYPE"])
def test_given_a_body_declared_as_no_json_then_the_json_limits_do_not_apply(header: str) -> None:
    deep = "[" * 40 + "]" * 40  # would be refused as JSON
    event = _event(deep, content_type=None)
    event["headers"] = {header: "application/x-www-form-urlencoded"}
    assert refusal(event, None) is None
    event["headers"] = {header: "Application/JSON"}
    assert isinstance(refusal(event, None), BadRequest)


def test_given_malformed_json_or_an_undecodable_body_then_the_resolver_answers_instead() -> None:
    assert refusal(_event('{"a": }'), None) is None
    assert refusal(_event("%%%not base64%%%", encoded=True), None) is None


def test_given_path_parameters_that_are_no_ids_then_422_names_each_one() -> None:
    problem = refusal(_event(None, path={"id": "x" * 129, "otherId": "ok-id", "commentId": "a b"}), None)
    assert isinstance(problem, ValidationFailed)
    assert problem.errors == [{"field": "path.id", "message": PATH_PARAMETER_RULE},
                              {"field": "path.commentId", "message": PATH_PARAMETER_RULE}]
    assert refusal(_event(None, path={"id": "x" * 128}), None) is None


def test_given_the_catch_all_proxy_parameter_then_it_is_left_to_the_404() -> None:
    assert refusal(_event(None, path={"proxy": "any/unknown path/../x"}), None) is None


def test_a_problem_response_is_logged_as_a_refusal_with_its_status_slug_and_detail(log_output: Any) -> None:
    problem_response(BadRequest("request body is not acceptable JSON: nested deeper than 32 levels"), {"path": "/x"})

    line = json.loads(log_output.getvalue().strip().splitlines()[-1])
    assert line["message"] == "request refused"
    assert (line["status"], line["problem"], line["detail"]) == (
        400, "bad-request", "request body is not acceptable JSON: nested deeper than 32 levels")


def test_a_problem_response_is_problem_json_with_its_extensions_and_the_request_path() -> None:
    response = problem_response(ValidationFailed([{"field": "path.id", "message": "bad"}]), {"path": "/api/x"})

    assert response["statusCode"] == 422
    assert response["multiValueHeaders"] == {"Content-Type": ["application/problem+json"]}
    assert response["isBase64Encoded"] is False
    assert json.loads(response["body"]) == {
        "type": "https://deepiri.dev/problems/validation", "title": "Unprocessable Content", "status": 422,
        "detail": "invalid fields: path.id", "instance": "/api/x", "errors": [{"field": "path.id", "message": "bad"}]}


@pytest.mark.parametrize(("loc", "expected"), [
    (("query", "query", "dueFrom"), ("query", "dueFrom")),
    (("header", "headers", "if-match"), ("header", "if-match")),
    (("query", "status", 0), ("query", "status", 0)),
    (("body", "title"), ("body", "title")),
    (("body", "tags", "0"), ("body", "tags", "0")),
    (("query", "limit"), ("query", "limit")),
])
def test_a_validation_error_is_located_as_clients_name_it(loc: tuple[Any, ...], expected: tuple[Any, ...]) -> None:
    assert _location({"loc": loc}) == expected


@pytest.mark.parametrize(("origins", "origin", "expected"), [
    (("*",), "https://app.deepiri.dev", {"Access-Control-Allow-Origin": ["*"]}),
    (("https://app.deepiri.dev",), "https://app.deepiri.dev",
     {"Access-Control-Allow-Origin": ["https://app.deepiri.dev"], "Vary": ["Origin"]}),
    (("https://app.deepiri.dev",), "https://evil.example", {}),
    ((), "https://app.deepiri.dev", {}),
])
def test_a_refusal_carries_the_cors_headers_a_browser_needs_to_read_it(
        origins: tuple[str, ...], origin: str, expected: dict[str, list[str]]) -> None:
    event = {**_event("x" * 2000), "headers": {"origin": origin, "Content-Type": "application/json"}}

    response = problem_response(PayloadTooLarge("too big"), event, origins)

    headers = dict(response["multiValueHeaders"])
    assert headers.pop("Content-Type") == ["application/problem+json"]
    assert headers == expected


@pytest.mark.parametrize(("body", "kind"), [('[{"title": "x"}]', "an array"), ("[]", "an array"),
                                            ("5", "a number"), ('"x"', "a string"), ("true", "a boolean"),
                                            ("null", "null")])
def test_given_a_json_body_that_is_not_an_object_then_422_names_the_body(body: str, kind: str) -> None:
    # Powertools would read the first item of an array as the body: [{...}] must not pass for {...}.
    problem = refusal(_event(body), 1024)
    assert isinstance(problem, ValidationFailed)
    assert problem.extensions["errors"] == [{"field": "body", "message": f"must be a JSON object, not {kind}"}]


def test_given_a_form_body_then_the_object_rule_does_not_apply() -> None:
    assert refusal(_event("grant_type=x&code=y", content_type="application/x-www-form-urlencoded"), 1024) is None

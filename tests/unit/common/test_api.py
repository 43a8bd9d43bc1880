"""Every error leaves the REST resolver as RFC 9457 problem+json, and nothing internal leaks."""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any, cast

import pytest
from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.exceptions import BadRequestError, ServiceError
from pydantic import BaseModel, ConfigDict, Field

from deepiri_common.api import api_handler, create_resolver, problem_response, readable_media_type, refusal
from deepiri_common.ids import is_ulid
from deepiri_common.observability import logger
from deepiri_common.problems import (
    Conflict,
    NotFound,
    Problem,
    ServiceUnavailable,
    TooManyRequests,
    ValidationFailed,
)
from deepiri_common.routes import Routes
from tests.support.apigw import rest_event
from tests.support.lambda_context import FakeLambdaContext

# Nothing here publishes metrics; Powertools warns about that on every invocation.
pytestmark = pytest.mark.filterwarnings("ignore:No application metrics to publish")

CREATED_AT = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


class NewTask(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=200)
    points: int = Field(default=10, ge=0)


class Task(BaseModel):
    id: str
    title: str
    created_at: datetime


def _service() -> Any:
    """A fresh resolver with two routes behind the Lambda entry point. Built per call, not at import, so
    the resolver's own wiring runs in every test (mutation testing swaps functions only after import)."""
    app = create_resolver(max_body_bytes=1024, cors_origins=["https://app.deepiri.dev"])

    @app.post("/api/tasks")
    def create_task(task: NewTask) -> Task:
        if task.title == "duplicate":
            raise Conflict("a task with this title exists", taskId="01HZTASK")
        return Task(id="01HZTASK", title=task.title, created_at=CREATED_AT)

    @app.get("/api/tasks/<task_id>")
    def get_task(task_id: str) -> dict[str, Any]:
        match task_id:
            case "throttled":
                raise TooManyRequests(retry_after=30)
            case "missing":
                raise NotFound("task not found")
            case "invalid":
                raise ValidationFailed([{"field": "dueAt", "message": "must be in the future"}])
            case "boom":
                raise RuntimeError("KeyError in /var/task/tasks/dal/repository.py line 42")
            case "unavailable":
                raise ServiceUnavailable("the store is down")
            case "short":  # a problem member as boto3 reads a DynamoDB number
                raise Conflict("not enough coins", balance=Decimal("12.5"))
        return {"id": task_id, "createdAt": CREATED_AT}

    return api_handler(app)


def call(event: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    response = _service()(event, FakeLambdaContext())
    headers = {k: v[-1] for k, v in response["multiValueHeaders"].items()}
    return response["statusCode"], headers, json.loads(response["body"])


@pytest.fixture
def log_lines() -> Iterator[io.StringIO]:
    buffer = io.StringIO()
    log_handler = cast(Any, logger.registered_handler)
    previous = log_handler.setStream(buffer)
    yield buffer
    log_handler.setStream(previous)


def test_given_a_valid_body_when_posted_then_the_model_is_returned_with_an_iso_datetime() -> None:
    status, headers, body = call(rest_event("POST", "/api/tasks", body={"title": "Write tests"}))

    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert body == {"id": "01HZTASK", "title": "Write tests", "created_at": "2026-01-02T03:04:05Z"}


def test_given_a_dict_with_a_datetime_when_returned_then_it_is_serialized() -> None:
    status, _, body = call(rest_event("GET", "/api/tasks/01HZTASK", path_params={"task_id": "01HZTASK"}))

    assert status == 200
    assert body["createdAt"].startswith("2026-01-02T03:04:05")


def test_given_a_problem_carrying_a_decimal_then_powertools_encoder_writes_it_as_a_string() -> None:
    status, _, body = call(rest_event("GET", "/api/tasks/short", path_params={"task_id": "short"}))

    assert status == 409
    assert body["detail"] == "not enough coins"
    assert body["balance"] == "12.5"


def test_given_bad_fields_when_posted_then_422_names_each_field() -> None:
    event = rest_event("POST", "/api/tasks", body={"title": "", "points": -1, "owner": "someone"})

    status, headers, body = call(event)

    assert status == 422
    assert headers["Content-Type"] == "application/problem+json"
    assert body["type"] == "https://deepiri.dev/problems/validation"
    assert body["status"] == 422
    assert body["instance"] == "/api/tasks"
    assert {e["field"] for e in body["errors"]} == {"body.title", "body.points", "body.owner"}
    assert all(e["message"] for e in body["errors"])


def test_given_a_missing_body_when_posted_then_422_names_the_body() -> None:
    status, _, body = call(rest_event("POST", "/api/tasks", headers={"Content-Type": "application/json"}))

    assert status == 422
    assert [e["field"] for e in body["errors"]] == ["body"]


def test_given_invalid_json_when_posted_then_400_names_the_parse_error() -> None:
    event = rest_event(
        "POST", "/api/tasks", body='{"title": "x",', headers={"Content-Type": "application/json"}
    )

    status, headers, body = call(event)

    assert status == 400
    assert headers["Content-Type"] == "application/problem+json"
    assert body["type"] == "https://deepiri.dev/problems/bad-request"
    assert "not valid JSON" in body["detail"]
    assert "Expecting property name" in body["detail"]


def test_given_a_body_over_the_limit_when_posted_then_413_before_validation() -> None:
    # The body is also invalid JSON: the size check must answer first.
    event = rest_event(
        "POST", "/api/tasks", body="{" + "x" * 2000, headers={"Content-Type": "application/json"}
    )

    status, headers, body = call(event)

    assert status == 413
    assert headers["Content-Type"] == "application/problem+json"
    assert body["type"] == "https://deepiri.dev/problems/payload-too-large"
    assert "1024" in body["detail"]


def test_given_a_browser_posting_too_much_then_the_413_carries_its_origin_so_it_can_read_it() -> None:
    event = rest_event("POST", "/api/tasks", body="x" * 2000,
                       headers={"Content-Type": "application/json", "Origin": "https://app.deepiri.dev"})

    status, headers, _ = call(event)

    assert status == 413
    assert headers["Access-Control-Allow-Origin"] == "https://app.deepiri.dev"


@pytest.mark.parametrize(("size", "expected"), [(1024, 200), (1025, 413)])
def test_given_a_body_at_or_just_over_the_limit_when_posted_then_only_the_larger_is_refused(
    size: int, expected: int
) -> None:
    text = '{"title": "x"' + " " * (size - len('{"title": "x"}')) + "}"
    assert len(text.encode()) == size

    status, _, _ = call(
        rest_event("POST", "/api/tasks", body=text, headers={"Content-Type": "application/json"})
    )

    assert status == expected


def test_given_a_base64_body_over_the_limit_when_posted_then_its_decoded_size_is_refused() -> None:
    event = rest_event("POST", "/api/tasks", headers={"Content-Type": "application/json"})
    event["body"] = base64.b64encode(json.dumps({"title": "x" * 1100}).encode()).decode()
    event["isBase64Encoded"] = True

    status, _, _ = call(event)

    assert status == 413


def test_given_an_unknown_route_when_called_then_404_problem_json() -> None:
    status, headers, body = call(rest_event("GET", "/api/nothing-here"))

    assert status == 404
    assert headers["Content-Type"] == "application/problem+json"
    assert body["type"] == "https://deepiri.dev/problems/not-found"
    assert body["instance"] == "/api/nothing-here"


def test_given_a_raised_conflict_when_posted_then_409_with_its_extensions() -> None:
    status, _, body = call(rest_event("POST", "/api/tasks", body={"title": "duplicate"}))

    assert status == 409
    assert body == {
        "type": "https://deepiri.dev/problems/conflict",
        "title": "Conflict",
        "status": 409,
        "detail": "a task with this title exists",
        "instance": "/api/tasks",
        "taskId": "01HZTASK",
    }


def test_given_a_raised_not_found_when_called_then_404_with_its_detail() -> None:
    status, _, body = call(rest_event("GET", "/api/tasks/missing"))

    assert (status, body["detail"]) == (404, "task not found")


def test_given_a_raised_validation_failure_when_called_then_422_carries_its_errors() -> None:
    status, _, body = call(rest_event("GET", "/api/tasks/invalid"))

    assert status == 422
    assert body["errors"] == [{"field": "dueAt", "message": "must be in the future"}]


def test_given_a_rate_limit_when_called_then_429_with_retry_after() -> None:
    status, headers, body = call(rest_event("GET", "/api/tasks/throttled"))

    assert status == 429
    assert headers["Retry-After"] == "30"
    assert body["type"] == "https://deepiri.dev/problems/rate-limited"


def test_given_an_unexpected_exception_when_called_then_500_with_a_reference_and_no_internals(
    log_lines: io.StringIO,
) -> None:
    event = rest_event("GET", "/api/tasks/boom")

    status, headers, body = call(event)

    request_id = event["requestContext"]["requestId"]
    assert status == 500
    assert headers["Content-Type"] == "application/problem+json"
    assert body["detail"] == f"internal error; reference {request_id}"
    assert "Traceback" not in json.dumps(body)
    assert "repository.py" not in json.dumps(body)
    # Then the exception is in the log, under the same correlation id.
    logged = [json.loads(line) for line in log_lines.getvalue().splitlines()]
    failure = next(r for r in logged if r.get("message") == "unhandled error")
    assert failure["correlation_id"] == request_id
    assert "repository.py" in failure["exception"]


def test_given_a_browser_origin_when_an_error_is_answered_then_cors_headers_are_present() -> None:
    event = rest_event("GET", "/api/tasks/missing", headers={"Origin": "https://app.deepiri.dev"})

    _, headers, _ = call(event)

    assert headers["Access-Control-Allow-Origin"] == "https://app.deepiri.dev"


# ---------------------------------------------------------------- third-party scopes


def _scoped_app():
    app = create_resolver()
    routes = Routes(app)

    @routes.get("/api/things/<thing_id>", scope="things:read")
    def get_thing(thing_id: str) -> dict[str, str]:
        return {"id": thing_id}

    @routes.delete("/api/things/<thing_id>")
    def delete_thing(thing_id: str) -> dict[str, str]:
        return {"deleted": thing_id}

    return app


def _call_scoped(app, method: str, scopes: str | None) -> dict:
    authorizer = {"userId": "u1", "roles": "user"} | ({"scopes": scopes} if scopes is not None else {})
    event = rest_event(method, "/api/things/t1", authorizer=authorizer, resource="/api/things/{thing_id}",
                       path_params={"thing_id": "t1"})
    return app.resolve(event, FakeLambdaContext())


def test_given_scoped_tokens_when_calling_routes_then_only_the_granted_scope_and_listed_routes_pass() -> None:
    app = _scoped_app()
    assert _call_scoped(app, "GET", "things:read")["statusCode"] == 200
    missing = _call_scoped(app, "GET", "profile:read")
    assert missing["statusCode"] == 403 and "things:read" in json.loads(missing["body"])["detail"]
    # A route the policy does not list is closed to third-party tokens whatever their scopes.
    assert _call_scoped(app, "DELETE", "things:read things:write")["statusCode"] == 403


def test_given_a_first_party_token_when_calling_any_route_then_scopes_do_not_limit_it() -> None:
    app = _scoped_app()
    assert _call_scoped(app, "GET", None)["statusCode"] == 200
    assert _call_scoped(app, "DELETE", None)["statusCode"] == 200



# ---------------------------------------------------------------- the remaining answers


def _odd_service() -> Any:
    app = create_resolver()

    @app.delete("/api/tasks/<task_id>")
    def delete_task(task_id: str) -> Response[None]:
        return Response(status_code=204)

    @app.get("/api/teapot")
    def teapot() -> dict[str, Any]:
        raise ServiceError(418, {"not": "text"})

    @app.get("/api/bad")
    def bad() -> dict[str, Any]:
        raise BadRequestError("the page size is odd")

    @app.get("/api/days")
    def days() -> dict[str, Any]:
        return {"day": date(2026, 3, 1), "local": datetime(2026, 3, 1, 9, 30)}

    @app.post("/api/tasks")
    def create(task: NewTask) -> dict[str, Any]:
        return {"title": task.title}

    return api_handler(app)


def _odd(event: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
    response = _odd_service()(event, FakeLambdaContext())
    headers = {k: v[-1] for k, v in response["multiValueHeaders"].items()}
    body = json.loads(response["body"]) if response["body"] else response["body"]
    return response["statusCode"], headers, body


def test_given_a_no_content_answer_then_its_body_is_an_empty_string_not_null() -> None:
    response = _odd_service()(rest_event("DELETE", "/api/tasks/T1"), FakeLambdaContext())

    assert response["statusCode"] == 204 and response["body"] == ""


def test_given_powertools_errors_then_they_become_problems_with_their_status_and_phrase() -> None:
    status, headers, body = _odd(rest_event("GET", "/api/bad"))
    assert (status, body["title"], body["detail"]) == (400, "Bad Request", "the page size is odd")
    assert body["type"].endswith("/bad-request") and headers["Content-Type"] == "application/problem+json"

    status, _, body = _odd(rest_event("GET", "/api/teapot"))
    assert (status, body["title"], body["detail"]) == (418, "I'm a Teapot", "I'm a Teapot")
    assert body["type"].endswith("/i'm-a-teapot")


def test_given_a_body_of_an_unsupported_type_then_415_problem_json() -> None:
    event = rest_event("POST", "/api/tasks", body="title=x", headers={"Content-Type": "text/csv"})

    status, _, body = _odd(event)

    assert (status, body["title"], body["status"]) == (415, "Unsupported Media Type", 415)
    assert body["type"].endswith("/unsupported-media-type")
    assert body["instance"] == "/api/tasks"


def test_given_dates_and_naive_times_in_an_answer_then_they_are_iso_text() -> None:
    status, _, body = _odd(rest_event("GET", "/api/days"))

    assert status == 200 and body == {"day": "2026-03-01", "local": "2026-03-01T09:30:00"}


def test_given_an_open_route_then_the_scope_check_lets_it_through_to_the_route() -> None:
    app = _scoped_app()

    response = app.resolve(rest_event("GET", "/api/things/t1", resource="/api/things/{thing_id}",
                                      path_params={"thing_id": "t1"}), FakeLambdaContext())

    assert response["statusCode"] == 200


def test_given_scoped_tokens_then_refusals_say_why_and_name_the_scope_needed() -> None:
    app = _scoped_app()

    missing = json.loads(_call_scoped(app, "GET", "profile:read")["body"])
    closed = json.loads(_call_scoped(app, "DELETE", "things:read")["body"])

    assert (missing["detail"], missing["requiredScope"]) == ("requires the things:read scope", "things:read")
    assert closed["detail"] == "this route is not available to third-party applications"


def _records(log_lines: io.StringIO, message: str) -> list[dict[str, Any]]:
    return [r for line in log_lines.getvalue().splitlines() if (r := json.loads(line)).get("message") == message]


def test_given_refusals_then_each_is_one_log_line_with_status_problem_and_detail_at_the_right_level(
    log_lines: io.StringIO,
) -> None:
    call(rest_event("GET", "/api/tasks/missing"))
    call(rest_event("GET", "/api/tasks/unavailable"))

    refused = _records(log_lines, "request refused")
    assert [(r["level"], r["status"], r["problem"], r["detail"]) for r in refused] == [
        ("INFO", 404, "not-found", "task not found"),
        ("WARNING", 503, "unavailable", "the store is down"),
    ]


def test_given_an_unexpected_error_outside_the_lambda_entry_then_the_reference_is_the_request_id(
    log_lines: io.StringIO,
) -> None:
    app = create_resolver()

    @app.get("/api/boom")
    def boom() -> dict[str, Any]:
        raise RuntimeError("internal detail")

    logger.set_correlation_id(None)  # no Lambda entry point has set one for this request
    event = rest_event("GET", "/api/boom")
    request_id = event["requestContext"]["requestId"]
    with_id = json.loads(app.resolve(event, FakeLambdaContext())["body"])
    event.pop("requestContext")
    without = json.loads(app.resolve(event, FakeLambdaContext())["body"])

    assert with_id["detail"] == f"internal error; reference {request_id}"
    reference = without["detail"].removeprefix("internal error; reference ")
    assert is_ulid(reference)
    assert [r["reference"] for r in _records(log_lines, "unhandled error")] == [request_id, reference]


@pytest.mark.parametrize(("size", "expected"), [(1024, 200), (1025, 413), (1023, 200)])
def test_given_base64_bodies_around_the_limit_then_their_decoded_size_decides(size: int, expected: int) -> None:
    # Sizes 1024, 1025 and 1023 leave two, zero and one padding characters
    text = '{"title": "x"' + " " * (size - len('{"title": "x"}')) + "}"
    event = rest_event("POST", "/api/tasks", headers={"Content-Type": "application/json"})
    event["body"], event["isBase64Encoded"] = base64.b64encode(text.encode()).decode(), True

    status, _, _ = call(event)

    assert status == expected


def test_given_malformed_json_then_the_reason_and_position_are_named() -> None:
    status, _, body = call(rest_event("POST", "/api/tasks", body='{"title": "x",}',
                                      headers={"Content-Type": "application/json"}))

    assert status == 400
    assert body["detail"].startswith("request body is not valid JSON: ")
    assert body["detail"].endswith("(at character 14)")


def test_given_an_unknown_route_then_the_detail_names_method_and_path() -> None:
    _, _, body = call(rest_event("DELETE", "/api/nothing-here"))

    assert body["detail"] == "no route for DELETE /api/nothing-here"


def test_given_an_unsupported_content_type_then_415_and_the_detail_says_so() -> None:
    status, _, body = _odd(rest_event("POST", "/api/tasks", body="a,b", headers={"Content-Type": "text/csv"}))

    assert status == 415
    assert body["detail"].endswith("not text/csv")


@pytest.mark.parametrize("content_type", ["multipart/form-data", "multipart/form-data; boundary=x", "text/plain",
                                          "application/xml"])
def test_given_a_body_neither_json_nor_a_form_then_415_before_any_parser_sees_it(content_type: str) -> None:
    # multipart/form-data without a boundary used to reach the resolver's parser and answer 500.
    event = rest_event("DELETE", "/api/tasks/t1", body='{"password": "x"}', headers={"Content-Type": content_type})

    assert refusal(event, 1024) is not None
    assert refusal(event, 1024).status == 415  # type: ignore[union-attr]


@pytest.mark.parametrize("content_type", ["application/json", "application/json; charset=utf-8",
                                          "application/merge-patch+json", "application/x-www-form-urlencoded", None])
def test_given_a_json_or_form_body_then_its_media_type_is_not_refused(content_type: str | None) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    assert refusal(rest_event("POST", "/api/tasks", body='{"a": 1}', headers=headers), 1024) is None


def _preflight(app: Any, origin: str) -> dict[str, str]:
    event = rest_event("OPTIONS", "/api/boom", headers={"Origin": origin,
                                                      "Access-Control-Request-Method": "POST"})
    response = app.resolve(event, FakeLambdaContext())
    return {k: v[-1] for k, v in response.get("multiValueHeaders", {}).items()}


def test_given_browser_origins_then_a_preflight_allows_each_with_the_headers_the_api_reads_and_sends() -> None:
    app = create_resolver(cors_origins=["https://app.deepiri.dev", "https://admin.deepiri.dev"])

    @app.post("/api/boom")
    def boom() -> dict[str, Any]:
        return {}

    headers = _preflight(app, "https://admin.deepiri.dev")

    assert headers["Access-Control-Allow-Origin"] == "https://admin.deepiri.dev"
    # ours, and those Powertools always adds: exactly these, spelled so
    assert headers["Access-Control-Allow-Headers"].split(",") == [
        "Authorization", "Content-Type", "Idempotency-Key", "If-Match", "X-Amz-Date", "X-Amz-Security-Token",
        "X-Api-Key"]
    assert set(headers["Access-Control-Expose-Headers"].split(",")) == {"ETag", "Location", "Retry-After"}
    assert headers["Access-Control-Max-Age"] == "600"
    assert "Access-Control-Allow-Origin" not in _preflight(app, "https://evil.example")


def test_given_no_origins_configured_then_any_origin_may_call_and_an_empty_list_turns_cors_off() -> None:
    open_app, closed_app = create_resolver(), create_resolver(cors_origins=[])
    for app in (open_app, closed_app):
        @app.post("/api/boom")
        def boom() -> dict[str, Any]:
            return {}

    assert _preflight(open_app, "https://anywhere.example")["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Origin" not in _preflight(closed_app, "https://anywhere.example")


@pytest.mark.parametrize("content_type", ["application/merge-patch+json", "Application/JSON",
                                          "APPLICATION/JSON; charset=UTF-8", "application/vnd.deepiri+json",
                                          "application/merge-patch+json; charset=utf-8"])
def test_given_a_json_media_type_in_any_case_or_a_json_suffix_then_the_body_is_read_as_json(content_type: str) -> None:
    # Powertools reads only a lower-case application/json body: the layer spells the header so first.
    status, _, body = _odd(rest_event("POST", "/api/tasks", body='{"title": "x"}',
                                      headers={"Content-Type": content_type}))

    assert (status, body) == (200, {"title": "x"})


def test_given_a_media_type_already_as_the_resolver_reads_it_then_the_event_is_the_same_object() -> None:
    event = rest_event("POST", "/api/tasks", body='{"title": "x"}', headers={"Content-Type": "application/json"})
    assert readable_media_type(event) is event
    respelled = readable_media_type({**event, "headers": {"content-type": "Application/JSON; charset=utf-8"},
                                     "multiValueHeaders": {"Content-Type": ["Application/JSON"], "X-A": ["1"]}})
    assert respelled["headers"] == {"content-type": "application/json; charset=utf-8"}
    assert respelled["multiValueHeaders"] == {"Content-Type": ["application/json; charset=utf-8"], "X-A": ["1"]}
    assert readable_media_type({**event, "body": None, "headers": {"Content-Type": "A/B"}})["headers"] == {
        "Content-Type": "A/B"}
    form = readable_media_type({**event, "headers": {"Content-Type": "Application/X-WWW-Form-Urlencoded; q=1"}})
    assert form["headers"] == {"Content-Type": "application/x-www-form-urlencoded; q=1"}  # lower-cased, not JSON


def test_given_a_media_type_the_resolver_cannot_read_when_it_is_called_directly_then_415_problem_json() -> None:
    # The handler refuses such a body before the resolver; a resolver called on its own maps Powertools' 415.
    app = create_resolver()

    @app.post("/api/tasks")
    def create(task: NewTask) -> dict[str, Any]:
        return {"title": task.title}

    response = app.resolve(rest_event("POST", "/api/tasks", body='{"title": "x"}',
                                      headers={"Content-Type": "text/plain"}), FakeLambdaContext())

    assert response["statusCode"] == 415
    assert response["multiValueHeaders"]["Content-Type"] == ["application/problem+json"]
    assert json.loads(response["body"]) == {
        "type": "https://deepiri.dev/problems/unsupported-media-type", "title": "Unsupported Media Type",
        "status": 415, "detail": "Unsupported content type", "instance": "/api/tasks"}


def test_given_a_long_media_type_then_the_415_names_its_first_100_characters() -> None:
    media_type = "text/" + "x" * 200

    status, _, body = _odd(rest_event("POST", "/api/tasks", body="a", headers={"Content-Type": media_type + "; q=1"}))

    assert status == 415
    assert body["detail"] == ("a request body must be application/json (or a form where documented), "
                              f"not {media_type[:100]}")


def test_given_a_body_without_a_content_type_then_it_is_read_as_json() -> None:
    event = rest_event("POST", "/api/tasks", body='{"title": "x"}')
    event["headers"].pop("Content-Type", None)
    event["multiValueHeaders"].pop("Content-Type", None)

    status, _, body = _odd(event)

    assert (status, body) == (200, {"title": "x"})


def test_given_a_problem_of_exactly_500_then_it_is_logged_as_a_warning(log_lines: io.StringIO) -> None:
    app = create_resolver()

    @app.get("/api/broken")
    def broken() -> dict[str, Any]:
        raise Problem("the ledger is inconsistent")

    app.resolve(rest_event("GET", "/api/broken"), FakeLambdaContext())

    assert [(r["level"], r["status"]) for r in _records(log_lines, "request refused")] == [("WARNING", 500)]


def test_given_a_json_type_with_several_parameters_then_it_is_not_refused() -> None:
    event = rest_event("POST", "/api/tasks", body='{"title": "x"}',
                       headers={"Content-Type": "application/json; charset=utf-8; profile=tasks"})

    assert refusal(event, 1024) is None


def test_given_a_path_parameter_that_is_null_or_empty_then_it_is_refused_like_any_other_bad_id() -> None:
    # A hand-made event (make invoke) can hold a null; the gateway itself never routes an empty segment.
    for value in (None, ""):
        refused = refusal({"httpMethod": "GET", "path": "/api/tasks/x", "pathParameters": {"taskId": value}}, 1024)

        assert isinstance(refused, ValidationFailed)
        assert [e["field"] for e in refused.extensions["errors"]] == ["path.taskId"]


def test_given_a_refusal_without_an_origin_header_then_it_carries_no_cors_headers() -> None:
    refused = api_handler(create_resolver(max_body_bytes=4))(
        rest_event("POST", "/api/tasks", body='{"title": "long"}'), FakeLambdaContext())

    assert refused["statusCode"] == 413
    assert set(refused["multiValueHeaders"]) == {"Content-Type"}


def test_given_a_problem_carrying_dates_then_they_are_written_as_utc_iso_text() -> None:
    problem = Conflict("the task changed", at=datetime(2026, 1, 2, 4, 4, 5, 6000, tzinfo=timezone(timedelta(hours=1))),
                       on=date(2026, 1, 2), naive=datetime(2026, 1, 2, 3, 4))

    answered = problem_response(problem, {"path": "/api/tasks/t1"})

    assert json.loads(answered["body"])["at"] == "2026-01-02T03:04:05.006Z"
    assert json.loads(answered["body"])["on"] == "2026-01-02"
    assert json.loads(answered["body"])["naive"] == "2026-01-02T03:04:00"

"""One service reading another through its routes: the proxy event reaches a real resolver as the gateway's
would, the caller's identity, roles, scopes, query, body and correlation id intact; the answer comes back
as status and parsed body, and a failed or garbled answer is a 502 that names the service only."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from aws_lambda_powertools.event_handler import Response
from pydantic import BaseModel

from deepiri_common.api import api_handler, create_resolver
from deepiri_common.identity import Caller, current_caller
from deepiri_common.internal import UpstreamFailed, call_route, proxy_event
from deepiri_common.routes import Routes
from tests.support.lambda_context import FakeLambdaContext


class Note(BaseModel):
    text: str


def _owner_function(invoked: list[dict[str, Any]]) -> Any:
    """A service's API function, run in-process: it echoes who called and what it was sent."""
    app = create_resolver()
    routes = Routes(app)

    @routes.get("/api/echo", scope="notes:read")
    def echo() -> dict[str, Any]:
        caller = current_caller(app)
        event = app.current_event
        return {"userId": caller.user_id, "roles": sorted(caller.roles),
                "scopes": None if caller.scopes is None else sorted(caller.scopes),
                "query": dict(event.query_string_parameters or {}),
                "correlation": event.headers.get("x-correlation-id")}

    @routes.post("/api/notes", status=201)
    def add(body: Note) -> dict[str, Any]:
        return {"text": body.text, "by": current_caller(app).user_id}

    @routes.delete("/api/notes/<noteId>")
    def drop(noteId: str) -> Response[None]:
        return Response(204)

    handler = api_handler(app)

    def invoke(*, FunctionName: str, InvocationType: str, Payload: bytes) -> dict[str, Any]:
        invoked.append({"function": FunctionName, "type": InvocationType, "event": json.loads(Payload)})
        answer = handler(json.loads(Payload), FakeLambdaContext())
        return {"StatusCode": 200, "Payload": io.BytesIO(json.dumps(answer).encode())}

    return invoke


def test_given_a_caller_then_the_owner_sees_the_same_identity_roles_and_query() -> None:
    invoked: list[dict[str, Any]] = []
    status, body = call_route("deepiri-dev-notes-api", "get", "/api/echo",
                              caller=Caller(user_id="alice", roles=frozenset({"admin", "beta"})),
                              query={"limit": "2", "q": "plan"}, correlation_id="corr-7",
                              invoke=_owner_function(invoked))

    assert status == 200
    assert body == {"userId": "alice", "roles": ["admin", "beta"], "scopes": None,
                    "query": {"limit": "2", "q": "plan"}, "correlation": "corr-7"}
    [call] = invoked
    assert (call["function"], call["type"]) == ("deepiri-dev-notes-api", "RequestResponse")


def test_given_a_third_party_caller_then_its_scopes_decide_at_the_owner() -> None:
    allowed = call_route("deepiri-dev-notes-api", "GET", "/api/echo",
                         caller=Caller(user_id="bob", scopes=frozenset({"notes:read", "profile:read"})),
                         invoke=_owner_function([]))
    refused = call_route("deepiri-dev-notes-api", "GET", "/api/echo",
                         caller=Caller(user_id="bob", scopes=frozenset({"profile:read"})),
                         invoke=_owner_function([]))

    assert allowed[0] == 200 and allowed[1]["scopes"] == ["notes:read", "profile:read"]
    assert refused[0] == 403 and refused[1]["detail"] == "requires the notes:read scope"


def test_given_a_body_then_the_owner_validates_and_answers_it() -> None:
    created = call_route("deepiri-dev-notes-api", "POST", "/api/notes", caller=Caller(user_id="carol"),
                         body={"text": "hello"}, invoke=_owner_function([]))
    invalid = call_route("deepiri-dev-notes-api", "POST", "/api/notes", caller=Caller(user_id="carol"),
                         body={"words": "hello"}, invoke=_owner_function([]))
    missing = call_route("deepiri-dev-notes-api", "GET", "/api/nowhere", caller=Caller(user_id="carol"),
                         invoke=_owner_function([]))

    assert created == (201, {"text": "hello", "by": "carol"})
    assert invalid[0] == 422 and invalid[1]["errors"][0]["field"] == "body.text"
    assert missing[0] == 404 and missing[1]["status"] == 404


def test_given_an_answer_without_a_body_then_none() -> None:
    assert call_route("deepiri-dev-notes-api", "DELETE", "/api/notes/n1", caller=Caller(user_id="carol"),
                      invoke=_owner_function([])) == (204, None)


def test_given_a_payload_as_bytes_then_it_is_read_like_a_stream() -> None:
    def invoke(**_: Any) -> dict[str, Any]:
        return {"StatusCode": 200, "Payload": json.dumps({"statusCode": "200", "body": '{"ok": true}'}).encode()}

    assert call_route("deepiri-dev-notes-api", "GET", "/api/x", caller=Caller(user_id="a"), invoke=invoke) == (
        200, {"ok": True})


def test_the_proxy_event_is_the_gateways_for_that_caller() -> None:
    event = proxy_event("patch", "/api/tasks/t1", caller=Caller(user_id="dan", roles=frozenset({"b", "a"}),
                                                                 scopes=frozenset({"z:w", "t:r"})),
                        body={"title": "x"}, query={"expand": "all"})

    assert json.loads(event.pop("body")) == {"title": "x"}
    assert event == {  # every member of a REST proxy event, as the gateway fills it for a signed-in call
        "resource": "/api/tasks/t1",
        "path": "/api/tasks/t1",
        "httpMethod": "PATCH",
        "headers": {"content-type": "application/json", "accept": "application/json"},
        "multiValueHeaders": {"content-type": ["application/json"], "accept": ["application/json"]},
        "queryStringParameters": {"expand": "all"},
        "multiValueQueryStringParameters": {"expand": ["all"]},
        "pathParameters": None,
        "isBase64Encoded": False,
        "requestContext": {
            "authorizer": {"userId": "dan", "roles": "a,b", "scopes": "t:r z:w"},
            "httpMethod": "PATCH",
            "path": "/api/tasks/t1",
            "resourcePath": "/api/tasks/t1",
            "stage": "internal",
            "requestId": "internal",
            "identity": {"sourceIp": "127.0.0.1"},
        },
        "stageVariables": None,
    }


def test_the_proxy_event_without_query_body_or_scopes() -> None:
    event = proxy_event("GET", "/api/tasks", caller=Caller(user_id="dan"), correlation_id="c-1")

    assert "scopes" not in event["requestContext"]["authorizer"]  # a first-party caller: no scope limits
    assert event["queryStringParameters"] is None and event["multiValueQueryStringParameters"] is None
    assert event["body"] is None
    assert event["headers"]["x-correlation-id"] == "c-1" and event["requestContext"]["requestId"] == "c-1"


@pytest.mark.parametrize(("function_name", "named"), [
    ("deepiri-dev-tasks-api", "tasks"),
    ("deepiri-dev-tasks", "tasks"),
    ("deepiri-prod-users-api", "users"),
    ("tasks-api", "a service"),
    ("deepiri-dev", "a service"),
])
def test_given_a_failed_function_then_a_502_naming_only_the_service(function_name: str, named: str) -> None:
    def failing(**_: Any) -> dict[str, Any]:
        return {"StatusCode": 200, "FunctionError": "Unhandled", "Payload": io.BytesIO(b"{}")}

    with pytest.raises(UpstreamFailed) as raised:
        call_route(function_name, "GET", "/api/x", caller=Caller(user_id="a"), invoke=failing)

    assert (raised.value.status, raised.value.title, raised.value.slug) == (502, "Bad Gateway", "upstream-failed")
    assert raised.value.detail == f"{named} failed"


@pytest.mark.parametrize("payload", [
    b"<html>", b'{"body": "{}"}', b'{"statusCode": "two hundred"}', b'{"statusCode": null}',
    b'{"statusCode": 200, "body": "<html>"}',
])
def test_given_an_answer_that_is_not_json_then_a_502(payload: bytes) -> None:
    def garbled(**_: Any) -> dict[str, Any]:
        return {"StatusCode": 200, "Payload": io.BytesIO(payload)}

    with pytest.raises(UpstreamFailed) as raised:
        call_route("deepiri-dev-tasks-api", "GET", "/api/x", caller=Caller(user_id="a"), invoke=garbled)

    assert raised.value.detail == "tasks answered something that is not JSON"

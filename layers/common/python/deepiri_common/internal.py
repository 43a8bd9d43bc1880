"""One service reading another through that service's own REST routes, without going round the gateway.

A service never reads another's table. When it needs another service's answer on a request path (the
challenges service reading the task a challenge is made from, the AI service reading the caller's open
tasks) it invokes the owning service's API function with the API Gateway proxy event the gateway would
have sent for the same caller, so the owner's own routes, validation and authorization decide what the
caller may see: another user's task is a 404 here exactly as it is over HTTP.

::

    status, body = call_route(
        settings.tasks_api_function, "GET", f"/api/tasks/{task_id}", caller=caller
    )

The function names are deterministic (``deepiri-<stage>-<service>-<function>``), so the template
gives the caller's function the name in an environment variable and a ``LambdaInvokePolicy`` on it;
nothing else is trusted: the invoked function sees an authorizer context that only a principal allowed
to invoke it could have written.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

from deepiri_common.aws import client
from deepiri_common.identity import Caller
from deepiri_common.problems import Problem


class UpstreamFailed(Problem):
    """The service this one depends on failed or answered something that is not JSON (a 502)."""

    status, title, slug = 502, "Bad Gateway", "upstream-failed"


@cache
def _lambda() -> Any:
    return client("lambda")


def proxy_event(
    method: str,
    path: str,
    *,
    caller: Caller,
    body: Any = None,
    query: Mapping[str, str] | None = None,
    correlation_id: str | None = None,
) -> dict[str, Any]:
    """The REST proxy event API Gateway would send for ``caller`` calling ``method path``.

    ``resource`` is the concrete path: the services' resolvers route on ``path``.
    """
    authorizer: dict[str, Any] = {"userId": caller.user_id, "roles": ",".join(sorted(caller.roles))}
    if caller.scopes is not None:
        authorizer["scopes"] = " ".join(sorted(caller.scopes))
    headers = {"content-type": "application/json", "accept": "application/json"}
    if correlation_id:
        headers["x-correlation-id"] = correlation_id
    query_parameters = dict(query) if query else None
    return {
        "resource": path,
        "path": path,
        "httpMethod": method.upper(),
        "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": query_parameters,
        "multiValueQueryStringParameters": (
            {name: [value] for name, value in query_parameters.items()} if query_parameters else None
        ),
        "pathParameters": None,
        "body": None if body is None else json.dumps(body),
        "isBase64Encoded": False,
        "requestContext": {
            "authorizer": authorizer,
            "httpMethod": method.upper(),
            "path": path,
            "resourcePath": path,
            "stage": "internal",
            "requestId": correlation_id or "internal",
            "identity": {"sourceIp": "127.0.0.1"},
        },
        "stageVariables": None,
    }


def call_route(
    function_name: str,
    method: str,
    path: str,
    *,
    caller: Caller,
    body: Any = None,
    query: Mapping[str, str] | None = None,
    correlation_id: str | None = None,
    invoke: Callable[..., Mapping[str, Any]] | None = None,
) -> tuple[int, Any]:
    """Invoke ``function_name``'s route ``method path`` as ``caller``: its status and parsed JSON body.

    A 4xx answer is returned, not raised: the caller decides what another service's 404 means to its
    own client. A function error, or a body that is not JSON, raises ``UpstreamFailed`` (logged by the
    caller's problem handler, never shown beyond its title). ``invoke`` replaces the Lambda client's
    ``invoke`` in tests.
    """
    event = proxy_event(method, path, caller=caller, body=body, query=query, correlation_id=correlation_id)
    invoker = invoke or _lambda().invoke
    answer = invoker(FunctionName=function_name, InvocationType="RequestResponse", Payload=json.dumps(event).encode())
    if answer.get("FunctionError"):
        raise UpstreamFailed(f"{_service(function_name)} failed")
    payload = answer["Payload"]
    raw = payload.read() if hasattr(payload, "read") else payload
    try:
        response = json.loads(raw)
        status = int(response["statusCode"])
        text = response.get("body") or ""
        return status, (json.loads(text) if text else None)
    except (ValueError, KeyError, TypeError) as exc:
        raise UpstreamFailed(f"{_service(function_name)} answered something that is not JSON") from exc


def _service(function_name: str) -> str:
    """``deepiri-dev-tasks-api`` → ``tasks``: what a problem may name without leaking the deployment."""
    parts = function_name.split("-")
    return parts[2] if len(parts) > 2 else "a service"

"""API Gateway REST (v1) proxy events, shaped as the gateway delivers them to a Lambda."""

from __future__ import annotations

import json
from typing import Any

from deepiri_common.ids import new_ulid

STAGE = "test"


def rest_event(
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
    authorizer: dict[str, Any] | None = None,
    path_params: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    resource: str | None = None,
) -> dict[str, Any]:
    """A REST proxy event. A ``body`` that is not a str is sent as JSON; a str is sent verbatim."""
    all_headers = {"Host": "api.deepiri.local", "User-Agent": "pytest", **(headers or {})}
    if body is not None and not isinstance(body, str):
        body = json.dumps(body)
        all_headers.setdefault("Content-Type", "application/json")
    request_id = new_ulid()
    context: dict[str, Any] = {
        "accountId": "123456789012",
        "apiId": "abc123",
        "httpMethod": method,
        "path": f"/{STAGE}{path}",
        "protocol": "HTTP/1.1",
        "requestId": request_id,
        "requestTimeEpoch": 1_700_000_000_000,
        "resourceId": "res123",
        "resourcePath": resource or path,
        "stage": STAGE,
        "identity": {"sourceIp": "203.0.113.9", "userAgent": "pytest"},
    }
    if authorizer is not None:
        principal = authorizer.get("userId", "")
        context["authorizer"] = {"principalId": principal, "integrationLatency": 3, **authorizer}
    return {
        "resource": resource or path,
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {k: [v] for k, v in all_headers.items()},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": path_params,
        "stageVariables": None,
        "requestContext": context,
        "body": body,
        "isBase64Encoded": False,
    }

"""What every route's published contract shares: the problem+json model and which errors a route answers.

The OpenAPI document (``infra.openapi``) takes each operation's success answer from its handler and
adds, from the route's declaration (:class:`deepiri_common.routes.Route`), the errors below, so a route
declared later is documented without a word more:

- every route: 400 (malformed or unsafe JSON), 413 (body too large), 415 (a body neither JSON nor a
  form) and 422 (invalid fields), which :func:`deepiri_common.api.refusal` and the resolver answer
  for any route, and 429 (the gateway's throttle, a route's own rate limit);
- a signed-in route: 401 (no valid token) and 403 (not allowed, or a third-party token without the scope);
- a route with a path parameter, or a query or body field naming another resource (``projectId``,
  ``assigneeIds``): 404 (nothing there, or another user's: existence never leaks);
- a write (POST, PUT, PATCH, DELETE): 409 (it contradicts the current state, or lost a race);
- a route taking ``If-Match`` or a body with a ``version``: 412 (the version moved on);
- whatever else the route declares (``problems=``).

401, 403 and 429 may also come from API Gateway itself (its authorizer and throttle), whose body is
``{"message": ...}`` as ``application/json``: the document lists that answer beside the problem.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from deepiri_common.routes import Route

PROBLEM_JSON = "application/problem+json"
EVERY_ROUTE = (400, 413, 415, 422, 429)
SIGNED_IN = (401, 403)
FROM_THE_GATEWAY = (401, 403, 429)
WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class FieldError(BaseModel):
    """One invalid field of a 422: where it is (``body.title``, ``query.limit``, ``path.id``) and why."""

    field: str
    message: str


class ProblemDetails(BaseModel):
    """An RFC 9457 problem: every error a route answers (``application/problem+json``)."""

    model_config = ConfigDict(extra="allow", title="Problem", json_schema_extra={"examples": [{
        "type": "https://deepiri.dev/problems/validation", "title": "Unprocessable Content", "status": 422,
        "detail": "invalid fields: body.title", "instance": "/api/tasks",
        "errors": [{"field": "body.title", "message": "String should have at least 1 character"}]}]})

    type: str = Field(description="a URI naming the kind of problem")
    title: str = Field(description="the kind of problem, in words")
    status: int = Field(ge=400, le=599, description="the HTTP status")
    detail: str = Field(description="what went wrong with this request")
    instance: str | None = Field(default=None, description="the request's path")
    errors: list[FieldError] | None = Field(default=None, description="422 only: each invalid field")


class GatewayMessage(BaseModel):
    """API Gateway's own answer (its authorizer, its throttle): ``{"message": "Unauthorized"}``."""

    model_config = ConfigDict(extra="allow")

    message: str | None = None
    Message: str | None = None


def error_statuses(route: Route, header_names: frozenset[str] = frozenset(),
                   field_names: frozenset[str] = frozenset()) -> tuple[int, ...]:
    """Every error status ``route`` may answer, ascending (see the module's docstring).

    ``header_names``: the request headers the route reads; ``field_names``: its query parameters and
    the top-level fields of its JSON body.
    """
    statuses = set(EVERY_ROUTE) | set(route.problems)
    if not route.open:
        statuses |= set(SIGNED_IN)
    if "{" in route.path or any(name.endswith(("Id", "Ids")) for name in field_names):
        statuses.add(404)
    if route.method in WRITES:
        statuses.add(409)
    if "if-match" in header_names or "version" in field_names:
        statuses.add(412)
    return tuple(sorted(statuses))


def example_problem(status: int, path: str) -> dict[str, Any]:
    """An example problem body for ``status`` at ``path``."""
    phrase = HTTPStatus(status).phrase
    example: dict[str, Any] = {"type": f"https://deepiri.dev/problems/{phrase.lower().replace(' ', '-')}",
                               "title": phrase, "status": status, "detail": _DETAILS.get(status, phrase),
                               "instance": path}
    if status == 422:
        example.update(type="https://deepiri.dev/problems/validation", title="Unprocessable Content",
                       errors=[{"field": "body.title", "message": "Field required"}])
    return example


_DETAILS = {
    400: "request body is not valid JSON: Expecting value (at character 0)",
    401: "a valid bearer token is required",
    403: "requires the tasks:write scope",
    404: "not found",
    409: "the change conflicts with the current state",
    412: "the resource has changed: its version is now 4",
    413: "request body has 300000 bytes; the limit is 262144",
    415: "a request body must be application/json (or a form where documented), not text/plain",
    422: "invalid fields: body.title",
    429: "rate limit exceeded; retry in 2 s",
}

"""The REST resolver every service uses, and the one place exceptions become HTTP responses.

Errors leave as RFC 9457 ``application/problem+json``::

    app = create_resolver()

    @app.post("/api/tasks")
    def create_task(body: NewTask) -> Task: ...

    handler = api_handler(app)
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from functools import partial
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, cast

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError, ServiceError
from aws_lambda_powertools.event_handler.openapi.exceptions import (
    RequestUnsupportedContentType,
    RequestValidationError,
)
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.shared.json_encoder import Encoder

from deepiri_common import safejson
from deepiri_common.clock import to_iso
from deepiri_common.ids import ID_PATTERN, new_ulid
from deepiri_common.observability import logger, metrics, tracer
from deepiri_common.problems import (
    BadRequest,
    NotFound,
    PayloadTooLarge,
    Problem,
    TooManyRequests,
    UnsupportedMediaType,
    ValidationFailed,
    field_errors,
)

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.typing import LambdaContext

PROBLEM_JSON = "application/problem+json"
PATH_PARAMETER_PATTERN = ID_PATTERN
_PATH_PARAMETER = re.compile(PATH_PARAMETER_PATTERN)
PATH_PARAMETER_RULE = "must be 1 to 128 letters, digits or . _ ~ : -"
PROBLEM_TYPE_BASE = "https://deepiri.dev/problems/"
LambdaHandler = Callable[[dict[str, Any], "LambdaContext"], dict[str, Any]]


def create_resolver(
    *, max_body_bytes: int = 256 * 1024, cors_origins: list[str] | None = None
) -> Resolver:
    """A REST resolver with pydantic validation, a body size limit and problem+json errors.

    ``cors_origins``: the origins browsers may call from; the first is the primary one. The default
    admits any origin: the API authenticates with bearer tokens, never cookies, so a foreign page
    gains nothing it could not get by calling the API directly. ``[]`` turns CORS headers off.
    """
    if cors_origins is None:
        cors_origins = ["*"]
    cors = None
    if cors_origins:
        cors = CORSConfig(
            allow_origin=cors_origins[0],
            extra_origins=cors_origins[1:],
            allow_headers=["Authorization", "Content-Type", "If-Match", "Idempotency-Key"],
            expose_headers=["ETag", "Location", "Retry-After"],
            max_age=600,
        )
    # With validation on, Powertools turns every answer into plain JSON types before serializing it, so its own
    # default serializer would write the same text (dropping ``serializer`` is equivalent); problems use _to_json.
    app = Resolver(max_body_bytes=max_body_bytes, cors_origins=cors_origins, cors=cors, enable_validation=True,
                   serializer=_to_json)
    _register_problem_handlers(app)
    return app


class Resolver(APIGatewayRestResolver):
    """Powertools' REST resolver that also knows the largest request body its routes accept and the
    origins browsers may call from (so answers given before the resolver carry CORS headers too)."""

    def __init__(self, *, max_body_bytes: int, cors_origins: list[str], **options: Any) -> None:
        super().__init__(**options)
        self.max_body_bytes = max_body_bytes
        self.cors_origins = tuple(cors_origins)


def api_handler(app: Resolver) -> LambdaHandler:
    """The Lambda entry point for ``app``: correlation-id logging, tracing and metrics around resolve."""

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST, clear_state=True)
    @tracer.capture_lambda_handler(capture_response=False)  # responses may carry tokens
    @metrics.log_metrics(capture_cold_start_metric=True)
    def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
        # The size check answers before anything parses the body: Powertools validates the request
        # before any middleware runs and offers no public hook in front of that.
        refused = refusal(event, app.max_body_bytes)
        response = (problem_response(refused, event, app.cors_origins) if refused
                    else app.resolve(readable_media_type(event), context))
        if response.get("body") is None:
            response["body"] = ""  # a 204 has no body; the local emulator fails on a null one
        # One structured line per request: method, route and status (never headers or bodies).
        logger.info("request", extra={"method": event.get("httpMethod"), "resource": event.get("resource"),
                                      "status": response.get("statusCode")})
        return response

    return cast("LambdaHandler", handler)  # cast ignores its first argument at run time (equivalent mutants)


def refusal(event: Mapping[str, Any], max_body_bytes: int | None) -> Problem | None:
    """What makes a request unfit for any route, checked before anything parses it, or None.

    A body over the size limit (413), a body that is neither JSON nor a form (415), a JSON body
    nested too deeply or with an oversized number (400), a JSON body that is not an object (422: no
    route reads another, and Powertools would read a list's first item as the body), a path parameter
    that is no id (422): every route of every service refuses these alike.
    """
    return (_oversized_body(event, max_body_bytes) or _unsupported_body(event) or _unsafe_json_body(event)
            or _bad_path_parameters(event))


def _unsupported_body(event: Mapping[str, Any]) -> UnsupportedMediaType | None:
    """A 415 for a body of any media type but JSON (``application/json``, ``*/*+json``) or an
    ``application/x-www-form-urlencoded`` form: no route reads another, and a parser handed, say,
    ``multipart/form-data`` without a boundary must never see it."""
    if not event.get("body"):
        return None
    # Equivalent: the default is lower-cased next, and any split keeps the same first part.
    media_type = str(_header(event, "content-type") or "application/json").split(";", 1)[0].strip().lower()
    if media_type in _BODY_MEDIA_TYPES or media_type.endswith("+json"):
        return None
    return UnsupportedMediaType(f"a request body must be application/json (or a form where documented), "
                                f"not {media_type[:100]}")


_BODY_MEDIA_TYPES = frozenset({"application/json", "application/x-www-form-urlencoded"})


def readable_media_type(event: dict[str, Any]) -> dict[str, Any]:
    """``event`` with its body's media type spelled as the resolver reads it.

    Media types are case-insensitive and a ``*/*+json`` body is JSON (RFC 6839), but Powertools parses a
    body only when its header starts with a lower-case ``application/json`` (or form type): so
    ``Application/JSON`` or ``application/merge-patch+json`` become ``application/json``, parameters kept.
    """
    headers: dict[str, Any] = event.get("headers") or {}
    key = next((name for name in headers if str(name).lower() == "content-type"), None)
    if key is None or not event.get("body"):
        return event
    declared, separator, parameters = str(headers[key]).partition(";")
    media_type = declared.strip().lower()
    spelled = "application/json" if media_type.endswith("+json") else media_type
    if spelled == declared:
        return event
    value = spelled + separator + parameters
    multi = {name: ([value] if str(name).lower() == "content-type" else values)
             for name, values in (event.get("multiValueHeaders") or {}).items()}
    return {**event, "headers": {**headers, key: value}, "multiValueHeaders": multi}


def _header(event: Mapping[str, Any], name: str) -> Any:
    return next((value for key, value in (event.get("headers") or {}).items() if str(key).lower() == name), None)


def _bad_path_parameters(event: Mapping[str, Any]) -> ValidationFailed | None:
    """422 naming each path parameter that is not 1 to 128 id characters.

    Routes may narrow this (``Path(pattern=...)``); nothing longer or stranger reaches a handler, a
    key condition or a log line. ``proxy`` is the gateway's catch-all, answered 404 whatever it holds.
    """
    bad = [{"field": f"path.{name}", "message": PATH_PARAMETER_RULE}
           for name, value in (event.get("pathParameters") or {}).items()
           if name != "proxy" and not _PATH_PARAMETER.match(str(value or ""))]
    return ValidationFailed(bad) if bad else None


def _oversized_body(event: Mapping[str, Any], limit: int | None) -> PayloadTooLarge | None:
    """A 413 for a request body over ``limit`` bytes (decoded when base64), else None."""
    body = event.get("body") or ""  # any short default is far under every limit (equivalent)
    # Valid base64 is a multiple of 4 characters with "=" only in its last two, so ``/`` for ``//`` and any
    # tail holding those two count the same (equivalent); an invalid body is refused by the resolver anyway.
    size = len(body) * 3 // 4 - body[-2:].count("=") if event.get("isBase64Encoded") else len(body.encode())
    if limit is None or size <= limit:
        return None
    return PayloadTooLarge(f"request body has {size} bytes; the limit is {limit}")


def _unsafe_json_body(event: Mapping[str, Any]) -> Problem | None:
    """A 400 for a JSON body nested too deeply or holding an oversized number (see ``safejson``), a 422
    for one that is not an object.

    Malformed JSON is left to the resolver, which names where it breaks.
    """
    body = event.get("body")
    headers = {str(name).lower(): value for name, value in (event.get("headers") or {}).items()}
    # any default holding "json" in any case reads alike (equivalent)
    if not body or "json" not in str(headers.get("content-type") or "application/json").lower():
        return None
    if event.get("isBase64Encoded"):
        try:
            body = base64.b64decode(body)
        except (binascii.Error, ValueError):
            return None  # the resolver refuses an undecodable body itself
    try:
        parsed = safejson.loads(body)
    except safejson.UnsafeJson as error:
        return BadRequest(f"request body is not acceptable JSON: {error}")
    except ValueError:
        return None  # malformed: the resolver answers 400 naming the position
    if isinstance(parsed, dict):
        return None
    return ValidationFailed([{"field": "body", "message": f"must be a JSON object, not {_json_type(parsed)}"}])


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    return {bool: "a boolean", list: "an array", str: "a string"}.get(type(value), "a number")


def problem_response(problem: Problem, event: Mapping[str, Any], cors_origins: Sequence[str] = ()) -> dict[str, Any]:
    """A problem+json Lambda proxy response for ``problem``, answered without the resolver.

    It carries the CORS headers the resolver would add for ``cors_origins``, so a browser reads the
    4xx instead of a network error.
    """
    logger.info("request refused", extra={"status": problem.status, "problem": problem.slug, "detail": problem.detail})
    body = {**problem.extensions, "type": PROBLEM_TYPE_BASE + problem.slug, "title": problem.title,
            "status": problem.status, "detail": problem.detail, "instance": event.get("path")}
    headers = {"Content-Type": [PROBLEM_JSON], **_cors_headers(event, cors_origins)}
    return {"statusCode": problem.status, "multiValueHeaders": headers, "body": _to_json(body),
            "isBase64Encoded": False}


def _cors_headers(event: Mapping[str, Any], cors_origins: Sequence[str]) -> dict[str, list[str]]:
    origin = next((str(value) for name, value in (event.get("headers") or {}).items()
                   if str(name).lower() == "origin"), None)
    if origin is None or not cors_origins:
        return {}
    if "*" in cors_origins:
        return {"Access-Control-Allow-Origin": ["*"]}
    if origin in cors_origins:
        return {"Access-Control-Allow-Origin": [origin], "Vary": ["Origin"]}
    return {}


def _register_problem_handlers(app: APIGatewayRestResolver) -> None:
    """The one mapping from exception to problem response; each kind of error has one entry."""

    def respond(problem: Problem, status: int | None = None, title: str | None = None) -> Response[Any]:
        headers = {"Retry-After": str(problem.retry_after)} if isinstance(problem, TooManyRequests) else None
        status = status or problem.status
        body = {
            **problem.extensions,
            "type": PROBLEM_TYPE_BASE + (problem.slug if title is None else _slug(title)),
            "title": title or problem.title,
            "status": status,
            "detail": problem.detail,
            "instance": app.current_event.path,
        }
        # Powertools serializes only application/json bodies itself.
        return Response(status_code=status, content_type=PROBLEM_JSON, body=_to_json(body), headers=headers)

    def on_problem(exc: Problem) -> Response[Any]:
        log = logger.warning if exc.status >= 500 else logger.info
        log("request refused", extra={"status": exc.status, "problem": exc.slug, "detail": exc.detail})
        return respond(exc)

    def on_invalid_request(exc: RequestValidationError) -> Response[Any]:
        errors = list(exc.errors())
        broken = next((e for e in errors if e.get("type") == "json_invalid"), None)
        if broken is not None:
            # pydantic's json_invalid error always carries ctx.error, so the default is never read (equivalent)
            reason = (broken.get("ctx") or {}).get("error", "malformed JSON")
            position = broken["loc"][-1]  # its loc is ("body", position): [1] is the same item (equivalent)
            return on_problem(
                BadRequest(f"request body is not valid JSON: {reason} (at character {position})")
            )
        return on_problem(ValidationFailed(field_errors([{**e, "loc": _location(e)} for e in errors])))

    def on_unsupported_media_type(exc: RequestUnsupportedContentType) -> Response[Any]:
        return respond(Problem(str(exc)), 415, "Unsupported Media Type")

    def on_not_found(exc: NotFoundError) -> Response[Any]:
        return respond(NotFound(f"no route for {app.current_event.http_method} {app.current_event.path}"))

    def on_powertools_error(exc: ServiceError) -> Response[Any]:
        # Powertools' own BadRequestError, UnauthorizedError, ... raised by a handler.
        status = HTTPStatus(exc.status_code)
        detail = exc.msg if isinstance(exc.msg, str) else status.phrase
        return respond(Problem(detail), status.value, status.phrase)

    def on_unexpected(exc: Exception) -> Response[Any]:
        context = app.current_event.raw_event.get("requestContext") or {}
        reference = logger.get_correlation_id() or context.get("requestId") or new_ulid()
        logger.exception("unhandled error", extra={"reference": reference})
        return respond(Problem(f"internal error; reference {reference}"))

    app.exception_handler_manager.update_exception_handlers(
        {
            Problem: on_problem,
            RequestValidationError: on_invalid_request,
            RequestUnsupportedContentType: on_unsupported_media_type,
            NotFoundError: on_not_found,
            ServiceError: on_powertools_error,
            Exception: on_unexpected,
        }
    )


def _location(error: Mapping[str, Any]) -> tuple[Any, ...]:
    """Where a validation error is, as clients name it: ``body.title``, ``query.dueFrom``, ``header.if-match``.

    Powertools places a field of a query or header *model* parameter under the parameter's name
    (``("query", "query", "dueFrom")``); clients know only the field, so that name is dropped.
    """
    loc = tuple(error["loc"])
    if len(loc) >= 3 and loc[0] in ("query", "header") and not isinstance(loc[2], int):
        return (loc[0], *loc[2:])
    return loc


def _slug(title: str) -> str:
    return title.lower().replace(" ", "-")


class _Encoder(Encoder):
    """Powertools' encoder (pydantic, dataclasses, Decimal) plus datetimes as UTC ISO-8601."""

    def default(self, o: Any) -> Any:
        if isinstance(o, datetime):
            return to_iso(o) if o.tzinfo else o.isoformat()
        if isinstance(o, date):
            return o.isoformat()
        return super().default(o)  # type: ignore[no-untyped-call]


_to_json = partial(json.dumps, separators=(",", ":"), cls=_Encoder)

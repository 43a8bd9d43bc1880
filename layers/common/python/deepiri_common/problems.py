"""Domain exceptions that map one-to-one onto RFC 9457 problem responses.

Code anywhere raises one of these; the REST resolver (``deepiri_common.api``) turns each into an
``application/problem+json`` response in one place. Nothing matches on message text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


class Problem(Exception):
    """Base of every error a client may see. ``status`` and ``title`` are fixed per subclass."""

    status: int = 500
    title: str = "Internal Server Error"
    slug: str = "internal"

    def __init__(self, detail: str | None = None, **extensions: Any) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.extensions = extensions


class BadRequest(Problem):
    status, title, slug = 400, "Bad Request", "bad-request"


class Unauthorized(Problem):
    status, title, slug = 401, "Unauthorized", "unauthorized"


class Forbidden(Problem):
    status, title, slug = 403, "Forbidden", "forbidden"


class NotFound(Problem):
    status, title, slug = 404, "Not Found", "not-found"


class Conflict(Problem):
    status, title, slug = 409, "Conflict", "conflict"


class PreconditionFailed(Problem):
    status, title, slug = 412, "Precondition Failed", "precondition-failed"


class PayloadTooLarge(Problem):
    status, title, slug = 413, "Payload Too Large", "payload-too-large"


class UnsupportedMediaType(Problem):
    status, title, slug = 415, "Unsupported Media Type", "unsupported-media-type"


class ValidationFailed(Problem):
    """422 with an ``errors`` list naming each bad field: ``[{"field": ..., "message": ...}]``."""

    status, title, slug = 422, "Unprocessable Content", "validation"

    def __init__(self, errors: list[dict[str, str]], detail: str | None = None) -> None:
        fields = ", ".join(e["field"] for e in errors)
        super().__init__(detail or f"invalid fields: {fields}", errors=errors)
        self.errors = errors


def field_errors(errors: Iterable[Mapping[str, Any]], prefix: str | None = None) -> list[dict[str, str]]:
    """pydantic's errors as ``[{"field": "body.title", "message": ...}]``: each location dotted, under ``prefix``.

    The one translation from pydantic's error list to the ``errors`` of a 422, for request bodies,
    query strings, headers and WebSocket frames alike.
    """
    return [{"field": ".".join([*([prefix] if prefix else []), *map(str, e["loc"])]) or "(root)",
             "message": str(e["msg"])} for e in errors]


class TooManyRequests(Problem):
    """429; ``retry_after`` seconds travel as the Retry-After header."""

    status, title, slug = 429, "Too Many Requests", "rate-limited"

    def __init__(self, retry_after: int, detail: str | None = None) -> None:
        super().__init__(detail or f"rate limit exceeded; retry in {retry_after} s")
        self.retry_after = max(1, int(retry_after))


class ServiceUnavailable(Problem):
    status, title, slug = 503, "Service Unavailable", "unavailable"

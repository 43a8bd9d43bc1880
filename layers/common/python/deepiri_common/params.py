"""Request parameter types every service's routes share: list paging and answers without a body."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from deepiri_common.pagination import CURSOR_PATTERN, MAX_CURSOR_LENGTH
from deepiri_common.text import SingleLine

Limit = Annotated[int, Query(ge=1, le=100, description="at most this many items (1 to 100)")]
Cursor = Annotated[str | None, Query(max_length=MAX_CURSOR_LENGTH, pattern=CURSOR_PATTERN,
                                     description="the nextCursor of the previous page")]
# Free text in a query string (a search, a prefix): one line without control or hidden characters.
QueryText = SingleLine


def no_content() -> Response[None]:
    """A 204 answer."""
    return Response(status_code=204)

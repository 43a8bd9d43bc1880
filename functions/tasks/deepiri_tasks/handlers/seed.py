"""``deepiri-<stage>-tasks-seed``: an internal function (no route) that makes one tasks API request as a
user at a past instant, for seeding a demo workspace's history (``make demo``).

It builds the proxy event the gateway would send for that user and hands it to the route's own handler
inside :func:`~deepiri_common.clock.clock_at`, so the same validation, authorization, domain logic and
outbox run, with the given clock. A payload that does not validate, or an instant in the future, is
answered ``{"statusCode": 422, "body": {...}}`` naming the reason, never raised.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from deepiri_common.clock import clock_at, utc_now
from deepiri_common.identity import Caller
from deepiri_common.internal import proxy_event
from deepiri_common.observability import logger
from deepiri_tasks.handlers import projects, tasks, timers
from deepiri_tasks.logic.seed import as_of_refusal, route_family
from deepiri_tasks.models.seed import SeedAnswer, SeedStep

_HANDLERS = {"tasks": tasks.handler, "timers": timers.handler, "projects": projects.handler}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        step = SeedStep.model_validate(event)
    except ValidationError as exc:
        fields = ", ".join(".".join(map(str, error["loc"])) for error in exc.errors(include_input=False))
        return _refused(f"invalid seed step: {fields}")
    refusal = as_of_refusal(step.at, utc_now())
    if refusal:
        return _refused(refusal)
    request = proxy_event(step.method, step.path, caller=Caller(user_id=step.userId, roles=frozenset({"user"})),
                          body=step.body, correlation_id=f"seed-{step.userId}")
    with clock_at(step.at):
        response = _HANDLERS[route_family(step.path)](request, context)
    text = response.get("body") or ""
    answer = SeedAnswer(statusCode=int(response["statusCode"]), body=json.loads(text) if text else None)
    logger.info("seeded", extra={"method": step.method, "path": step.path, "status": answer.statusCode})
    return answer.model_dump(mode="json")


def _refused(reason: str) -> dict[str, Any]:
    return SeedAnswer(statusCode=422, body={"title": "Unprocessable Entity", "detail": reason}).model_dump(mode="json")

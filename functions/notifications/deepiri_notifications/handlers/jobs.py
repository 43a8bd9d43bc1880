"""The scheduled jobs: releasing deliveries held by quiet hours (every 5 minutes) and the daily digest
(hourly: each user's digest goes out once the digest hour has come in their timezone).

Either may be invoked by hand (``make invoke``, tests) with ``{"now": "<ISO-8601 instant>"}`` to run as of
that instant; without it they run as of now."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict

from deepiri_common.clock import Instant, utc_now
from deepiri_common.observability import logger
from deepiri_notifications import wiring
from deepiri_notifications.logic.jobs import release_held, send_digests


class JobRequest(BaseModel):
    """A scheduled event (whose fields are ignored) or a hand-made ``{"now": ...}``."""

    model_config = ConfigDict(extra="ignore")

    now: Instant | None = None


def _now(event: dict[str, Any]) -> Any:
    return JobRequest.model_validate(event or {}).now or utc_now()


@logger.inject_lambda_context(clear_state=True)
def release_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Queue again the deliveries whose quiet hours have ended."""
    run = release_held(wiring.notification_repository(), wiring.delivery_queue(), _now(event))
    logger.info("held deliveries released", extra=run.model_dump())
    return run.model_dump()


@logger.inject_lambda_context(clear_state=True)
def digest_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Send the daily digests that are due."""
    run = send_digests(wiring.notification_repository(), wiring.digest_tools(), _now(event))
    logger.info("digests sent", extra=run.model_dump())
    return run.model_dump()

"""The hourly streak job (an EventBridge schedule): judges the day before for users whose rollover hour it
is, and warns those whose evening it is. ``make streak-job AT=<ISO instant>`` invokes it with ``{"at": ...}``."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import AwareDatetime, BaseModel, ConfigDict

from deepiri_common.observability import logger
from deepiri_engagement import wiring
from deepiri_engagement.logic import streak_job


class StreakJobEvent(BaseModel):
    """A scheduled event's ``time``, or an on-demand run's ``at`` (which wins)."""

    model_config = ConfigDict(extra="ignore")

    at: AwareDatetime | None = None
    time: AwareDatetime | None = None


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Run the job for the event's instant; answers what it visited, judged, broke, froze and warned."""
    parsed = StreakJobEvent.model_validate(event)
    at = parsed.at or parsed.time
    if at is None:
        raise ValueError("the event names no instant (at or time)")
    report = asdict(streak_job.run(wiring.streak_repository(), at))
    logger.info("streak job", extra=report)
    return report

"""The scheduled jobs: challenge expiry (every five minutes) and the daily challenge (hourly).

``make challenge-job JOB=expiry AT=<ISO instant>`` (or ``JOB=daily``) invokes one with ``{"at": ...}``.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from deepiri_challenges import wiring
from deepiri_challenges.logic import daily, expiry
from deepiri_common.clock import utc_now
from deepiri_common.ids import ID_PATTERN
from deepiri_common.observability import logger


class JobEvent(BaseModel):
    """A scheduled event's ``time``, or an on-demand run's ``at`` (which wins); a challenge's own one-off
    schedule names the challenge instead (its instant is now)."""

    model_config = ConfigDict(extra="ignore")

    at: AwareDatetime | None = None
    time: AwareDatetime | None = None
    userId: str | None = Field(default=None, pattern=ID_PATTERN)
    challengeId: str | None = Field(default=None, pattern=ID_PATTERN)


def _instant(event: dict[str, Any]) -> datetime:
    parsed = JobEvent.model_validate(event)
    at = parsed.at or parsed.time
    if at is None:
        raise ValueError("the event names no instant (at or time)")
    return at


@logger.inject_lambda_context(clear_state=True)
def expiry_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Expire what is due at the event's instant (or the one challenge it names); what it visited and ended."""
    named = JobEvent.model_validate(event)
    if named.userId and named.challengeId:
        one = expiry.run_one(wiring.challenge_repository(), named.userId, named.challengeId, named.at or utc_now())
        logger.info("expiry schedule", extra={"challengeId": named.challengeId, **asdict(one)})
        return asdict(one)
    report = asdict(expiry.run(wiring.challenge_repository(), _instant(event)))
    logger.info("expiry job", extra=report)
    return report


@logger.inject_lambda_context(clear_state=True)
def daily_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Offer the daily challenge to the users whose morning it is at the event's instant."""
    report = asdict(daily.run(wiring.challenge_repository(), _instant(event)))
    logger.info("daily job", extra=report)
    return report

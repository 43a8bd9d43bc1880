"""Scheduled realtime jobs: the presence sweep (at most once a minute)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from deepiri_common.observability import logger
from deepiri_realtime import wiring
from deepiri_realtime.logic.presence import sweep


@logger.inject_lambda_context
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    timeout = timedelta(seconds=wiring.settings().heartbeat_timeout_seconds)
    offline = sweep(wiring.realtime(), timeout)
    logger.info("presence swept", extra={"offline": offline})
    return {"offline": offline}

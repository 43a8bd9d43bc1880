"""The scheduled sync: every connection of every provider, each on its own (``make integrations-sync``)."""

from __future__ import annotations

from typing import Any, get_args

from aws_lambda_powertools.utilities.typing import LambdaContext

from deepiri_common.clock import utc_now
from deepiri_common.observability import logger
from deepiri_integrations import wiring
from deepiri_integrations.logic import sync
from deepiri_integrations.models.connections import Provider


@logger.inject_lambda_context(clear_state=True)
def sync_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Sync every connection of every provider (GitHub, Trello, Notion, Google Calendar) that is not waiting;
    answers how many ended each way."""
    integrations = wiring.integrations()
    report = {provider: sync.sync_everyone(integrations, provider, utc_now()) for provider in get_args(Provider)}
    logger.info("sync job", extra=report)
    return report

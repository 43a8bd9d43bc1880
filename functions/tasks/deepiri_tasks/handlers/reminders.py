"""The due-reminder job (every 15 minutes): TaskDueSoon and TaskOverdue, each once per task and due date."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from deepiri_common.clock import utc_now
from deepiri_common.observability import logger
from deepiri_tasks import wiring
from deepiri_tasks.logic.reminders import send_reminders


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Send the reminders due now; answers how many pointers were checked and events recorded."""
    run = send_reminders(wiring.reminder_repository(), utc_now(), wiring.settings().default_reminder_lead_minutes)
    logger.info("reminders sent", extra=run.model_dump())
    return run.model_dump()

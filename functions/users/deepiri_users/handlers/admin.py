"""Operator entry points invoked directly (not through the API): ``promote`` makes an account admin.

    make invoke FN=UsersAdminFunction EVENT=<file with {"email": "ops@example.com"}>
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from deepiri_common.observability import logger
from deepiri_common.problems import Problem
from deepiri_users import wiring
from deepiri_users.logic.admin import promote_admin


@logger.inject_lambda_context(clear_state=True)
def promote(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """``{"email": ...}`` → ``{"userId", "email", "roles"}``, or ``{"status", "detail"}`` when refused."""
    try:
        account = promote_admin(wiring.account_repository(), str(event.get("email") or ""))
    except Problem as refusal:
        logger.info("promotion refused", extra={"status": refusal.status, "detail": refusal.detail})
        return {"status": refusal.status, "detail": refusal.detail}
    logger.info("account promoted to admin", extra={"userId": account.userId})
    return {"userId": account.userId, "email": account.email, "roles": list(account.roles)}

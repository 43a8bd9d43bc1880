"""Lambda REQUEST authorizer for the REST API and the WebSocket ``$connect`` route.

Environment: ``JWT_KEYS_SECRET`` (the key set secret), ``JWT_ISSUER``, ``JWT_AUDIENCE``, ``USERS_TABLE``
(optional: when set, each token's user must exist, be enabled and not have revoked it),
``AUTHORIZER_CACHE_SECONDS`` (how long API Gateway reuses this authorizer's answer for a token; the
per-user session cache gets the rest of the 5-second revocation bound), plus the variables every
function gets (:class:`deepiri_common.settings.CommonSettings`). They are read, and the
Secrets Manager client is created, on the first invocation; the key store and its cache then live as
long as the warm container.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from deepiri_common.observability import logger
from deepiri_gateway import wiring


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Entry point: ``deepiri_gateway.handlers.authorizer.handler``."""
    return wiring.authorizer()(event)

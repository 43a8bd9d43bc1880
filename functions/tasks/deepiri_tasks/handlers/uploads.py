"""The attachments bucket's ObjectCreated notifications: each uploaded object confirms its attachment."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote_plus

from aws_lambda_powertools.utilities.typing import LambdaContext

from deepiri_common.observability import logger
from deepiri_tasks import wiring
from deepiri_tasks.logic.attachments import confirm_upload


@logger.inject_lambda_context(clear_state=True)
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, int]:
    """Confirm each notified object's attachment; answers how many records were read and confirmed."""
    records = event.get("Records") or []
    store, confirmed = wiring.attachment_repository(), 0
    for record in records:
        stored = (record.get("s3") or {}).get("object") or {}
        key = unquote_plus(str(stored.get("key", "")))  # S3 notifications URL-encode the key
        if confirm_upload(store, key, int(stored.get("size", -1))):
            confirmed += 1
        else:
            logger.info("object not confirmed: no pending attachment of that key and size",
                        extra={"objectKey": key[:300]})
    logger.info("uploads confirmed", extra={"records": len(records), "confirmed": confirmed})
    return {"records": len(records), "confirmed": confirmed}

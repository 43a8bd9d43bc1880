"""Scheduled jobs of the users service.

``rotate_signing_keys`` runs monthly (and on demand: ``make rotate-keys``): it adds a new ES256 key and
retires the previous one, which keeps verifying for the overlap window (one hour), so tokens issued
just before the rotation stay valid until they expire.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from deepiri_common.observability import logger
from deepiri_users import wiring


@logger.inject_lambda_context(clear_state=True)
def rotate_signing_keys(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    """Rotate the access-token signing key; answers the new key id and the keys that now verify."""
    store = wiring.key_store()
    store.signing_key()  # a first deployment has no key set yet: initialise before rotating
    kid = store.rotate()
    verifying = [key["kid"] for key in store.jwks()["keys"]]
    logger.info("signing key rotated", extra={"kid": kid, "verifying": verifying})
    return {"kid": kid, "verifying": verifying}

"""Email addresses as the users service stores and compares them: NFKC, trimmed, lower case."""

from __future__ import annotations

import re
import unicodedata

from deepiri_common.problems import ValidationFailed

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def normalise_email(raw: str, field: str = "body.email") -> str:
    """The canonical form of an address (NFKC, trimmed, lower case); ``ValidationFailed`` if it is not one."""
    email = canonical_email(raw)
    if not _EMAIL.match(email) or len(email) > 254:
        raise ValidationFailed([{"field": field, "message": "must be an email address"}])
    return email


def canonical_email(raw: str) -> str:
    """The canonical form of whatever was typed, address or not (rate-limit keys of sign-in attempts)."""
    return unicodedata.normalize("NFKC", raw).strip().lower()

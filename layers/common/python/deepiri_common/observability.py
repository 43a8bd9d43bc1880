"""The one logger, tracer and metrics object every Deepiri function imports.

The service name comes from ``POWERTOOLS_SERVICE_NAME``, as Powertools reads it. Log records pass
through :class:`RedactingFormatter`, so a value kept under a key that names a secret (password,
token, authorization header, cookie, ...) never reaches the log, however deeply it is nested.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

if TYPE_CHECKING:
    from aws_lambda_powertools.logging.types import LogRecord

REDACTED = "***"

# Whole words of a key (camelCase, snake_case, kebab-case split apart): "userPassword", "X-Auth-Token".
_SECRET_WORDS = frozenset({"password", "passwd", "token", "secret", "authorization", "cookie", "cookies"})
# The same names written with no separator: "refreshtoken", "clientsecret".
_SECRET_SQUASHED = ("password", "token", "secret", "authorization", "cookie")
_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_WORD = re.compile(r"[a-z0-9]+")


def is_secret_key(key: str) -> bool:
    """Whether a value stored under ``key`` must be hidden from logs (case-insensitive).

    Matches whole words so that ``refresh_token`` or ``Authorization`` is hidden while a count such
    as ``max_tokens`` is not.
    """
    words = _WORD.findall(_CAMEL_BOUNDARY.sub("_", key).lower())
    if any(word in _SECRET_WORDS for word in words):
        return True
    return any(word.endswith(_SECRET_SQUASHED) for word in words)


def redact(value: Any) -> Any:
    """A copy of ``value`` in which every entry under a secret-looking key is replaced by ``***``."""
    if isinstance(value, Mapping):
        return {k: REDACTED if _is_secret(k) else redact(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [redact(item) for item in value]
    return value


def _is_secret(key: object) -> bool:
    return isinstance(key, str) and is_secret_key(key)


class RedactingFormatter(LambdaPowertoolsFormatter):
    """Powertools' JSON formatter that redacts secrets from the whole structured record."""

    def serialize(self, log: LogRecord) -> str:
        """Serialize the record after redacting extras, appended keys and dict messages."""
        return super().serialize(cast("LogRecord", redact(log)))


logger = Logger(logger_formatter=RedactingFormatter())
tracer = Tracer()
metrics = Metrics(namespace="Deepiri")
# Most requests record no business metric; Powertools would warn about that on every invocation.
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)

"""The one logger, tracer and metrics object every Deepiri function imports.

The service name comes from ``POWERTOOLS_SERVICE_NAME``, as Powertools reads it. Log records pass
through :class:`RedactingFormatter`, so a value kept under a key that names a secret (password,
token, authorization header, cookie, ...) never reaches the log, however deeply it is nested.

Tracing is a stage setting (template parameter ``Tracing``, which sets ``POWERTOOLS_TRACE_DISABLED``).
Powertools' ``Tracer`` imports the X-Ray SDK, which builds a botocore session: about 40 % of a
function's cold import. :data:`tracer` builds it only where tracing is on, so a function that is not
traced never imports the SDK, and a traced one pays for it where it is wanted.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, TypeVar, cast, overload

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter

if TYPE_CHECKING:
    from aws_lambda_powertools import Tracer
    from aws_lambda_powertools.logging.types import LogRecord

F = TypeVar("F", bound=Callable[..., Any])

REDACTED = "***"

# Whole words of a key (camelCase, snake_case, kebab-case split apart): "userPassword", "X-Auth-Token".
# A key equal to password, token, secret, authorization or cookie also ends with it, so the squashed-suffix
# rule below hides it all the same: dropping one of those five is equivalent (passwd and cookies are needed).
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
        redacted: LogRecord = redact(log)  # the same keys, secret values replaced
        return super().serialize(redacted)


def tracing_enabled() -> bool:
    """Whether this process traces: inside Lambda (``LAMBDA_TASK_ROOT``) and not switched off by the stage.

    The same rule Powertools applies, read without importing the X-Ray SDK.
    """
    # any default that is not one of the four words reads as "not disabled" (equivalent mutants)
    disabled = os.environ.get("POWERTOOLS_TRACE_DISABLED", "false").strip().lower() in {"1", "true", "yes", "on"}
    return bool(os.environ.get("LAMBDA_TASK_ROOT")) and not disabled


def _powertools_tracer() -> Tracer:
    from aws_lambda_powertools import Tracer  # noqa: PLC0415 - the X-Ray SDK loads only when tracing

    return Tracer()


class LazyTracer:
    """Powertools' ``Tracer`` decorators, with the tracer (and the X-Ray SDK) built only where tracing is on.

    Where it is off, a decorated function is returned unchanged: no wrapper, no import, no cost.
    """

    def __init__(self, build: Callable[[], Tracer] = _powertools_tracer) -> None:
        """``build`` makes the tracer on first use: Powertools' ``Tracer()`` unless told otherwise."""
        self._build = build
        self._tracer: Tracer | None = None

    def provider(self) -> Tracer:
        """The Powertools tracer, built on first use (this imports the X-Ray SDK)."""
        if self._tracer is None:
            self._tracer = self._build()
        return self._tracer

    @overload
    def capture_lambda_handler(self, lambda_handler: F) -> F: ...

    @overload
    def capture_lambda_handler(
        self, lambda_handler: None = None, *, capture_response: bool | None = None, capture_error: bool | None = None
    ) -> Callable[[F], F]: ...

    def capture_lambda_handler(
        self,
        lambda_handler: F | None = None,
        *,
        capture_response: bool | None = None,
        capture_error: bool | None = None,
    ) -> F | Callable[[F], F]:
        """Trace a Lambda handler (``@tracer.capture_lambda_handler`` or with arguments), where tracing is on."""

        def decorate(function: F) -> F:
            if not tracing_enabled():
                return function
            traced = self.provider().capture_lambda_handler(
                function, capture_response=capture_response, capture_error=capture_error
            )
            return cast("F", traced)  # cast ignores its first argument at run time (equivalent mutants)

        return decorate(lambda_handler) if lambda_handler is not None else decorate

    def capture_method(self, method: F) -> F:
        """Trace a function as a subsegment, where tracing is on."""
        if not tracing_enabled():
            return method
        return self.provider().capture_method(method)


logger = Logger(logger_formatter=RedactingFormatter())
tracer = LazyTracer()
metrics = Metrics(namespace="Deepiri")
# Most requests record no business metric; Powertools would warn about that on every invocation.
warnings.filterwarnings("ignore", message="No application metrics to publish", category=UserWarning)

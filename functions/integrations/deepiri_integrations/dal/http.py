"""A small JSON-over-HTTP client for the providers (urllib: nothing beyond the runtime), and the failures
the sync and write-back tell apart: rate limited, unavailable (the breaker counts these), refused."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

MAX_RESPONSE_BYTES = 5 * 1024 * 1024


class ProviderError(Exception):
    """A provider call failed."""


class RateLimited(ProviderError):
    """429, or GitHub's 403 secondary limit (``Retry-After``, or ``x-ratelimit-remaining: 0`` with
    ``x-ratelimit-reset``): wait ``retry_after`` seconds."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"rate limited for {retry_after} s")
        self.retry_after = retry_after


class Unavailable(ProviderError):
    """5xx, a timeout or a refused connection: transient; the circuit breaker counts it."""


class Refused(ProviderError):
    """4xx other than a rate limit: the request (or its token) is not acceptable; retrying cannot help."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    raw: bytes = b""  # the body as sent (Trello's OAuth 1.0a endpoints answer form-encoded, not JSON)


def retry_after_seconds(headers: dict[str, str], default: int = 60, now: float | None = None) -> int:
    """Seconds to wait from ``Retry-After`` (or GitHub's ``x-ratelimit-reset`` epoch), bounded to 1 h."""
    value = headers.get("retry-after", "")
    if value.isdigit():
        return max(1, min(int(value), 3600))
    reset = headers.get("x-ratelimit-reset", "")
    if reset.isdigit():
        return max(1, min(int(reset) - int(time.time() if now is None else now), 3600))
    return default


def is_rate_limit(status: int, headers: dict[str, str]) -> bool:
    """429, or a 403 that is GitHub's primary or secondary rate limit rather than a refusal of access."""
    return status == 429 or (status == 403 and (headers.get("x-ratelimit-remaining") == "0"
                                                 or headers.get("retry-after", "").isdigit()))


def call(method: str, url: str, *, headers: dict[str, str] | None = None, json_body: Any = None,
         form: dict[str, str] | None = None, timeout: float = 5.0) -> Reply:
    """One request; JSON in and out. 304 is a reply; 429, 5xx and network failures raise."""
    data: bytes | None = None
    sent = {"Accept": "application/json", "User-Agent": "deepiri-integrations", **(headers or {})}
    if json_body is not None:
        data = json.dumps(json_body).encode()
        sent["Content-Type"] = "application/json"
    elif form is not None:
        data = urllib.parse.urlencode(form).encode()
        sent["Content-Type"] = "application/x-www-form-urlencoded"
    if not url.startswith(("https://", "http://")):
        raise Refused(0, "provider URL must be http(s)")
    request = urllib.request.Request(url, data=data, headers=sent, method=method)  # noqa: S310 - checked above
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - checked above
            return _reply(response.status, response.read(MAX_RESPONSE_BYTES), response.headers)
    except urllib.error.HTTPError as error:
        reply = _reply(error.code, error.read(MAX_RESPONSE_BYTES), error.headers)
        if error.code == 304:
            return reply
        raise _failure(reply) from None
    except (urllib.error.URLError, TimeoutError, OSError) as error:
        raise Unavailable(f"{method} {url.split('?', 1)[0]}: {type(error).__name__}") from None


def _reply(status: int, raw: bytes, headers: Any) -> Reply:
    lowered = {str(name).lower(): str(value) for name, value in (headers or {}).items()}
    try:
        body = json.loads(raw) if raw else None
    except ValueError:
        body = None
    return Reply(status=status, body=body, headers=lowered, raw=raw)


def _failure(reply: Reply) -> ProviderError:
    if is_rate_limit(reply.status, reply.headers):
        return RateLimited(retry_after_seconds(reply.headers))
    if reply.status >= 500:
        return Unavailable(f"provider answered {reply.status}")
    message = reply.body.get("message") if isinstance(reply.body, dict) else None
    return Refused(reply.status, f"provider answered {reply.status}" + (f": {message}"[:200] if message else ""))

"""The running local stack as the benchmarks reach it: its REST URL, timed GETs, and one user per run."""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from infra import emulator
from infra.bench.core import COLD_REQUEST_TIMEOUT_SECONDS, REQUEST_TIMEOUT_SECONDS, BenchError, Result
from infra.config import Target
from infra.urls import discover


def local_rest(target: Target, result: Result) -> str | None:
    """The REST API base URL of the running local stack, or None with a skip note on ``result``."""
    if not emulator.is_healthy(target):
        result.notes.append(f"skipped: no stack answers on {target.endpoint}; run `make up`, then `make bench`")
        return None
    try:
        rest = discover(target).rest
    except (ClientError, BotoCoreError, KeyError) as error:
        result.notes.append(f"skipped: stack {target.stack_name} is not deployed ({error}); run `make up`")
        return None
    if not rest.startswith("http://127.0.0.1:"):
        result.notes.append(f"skipped: {rest} is not on 127.0.0.1; this benchmark loads only the local stack")
        return None
    return rest


def gateway_timings(url: str, warmup: int, count: int, budget: float,
                    headers: Mapping[str, str] | None = None, *, expected_status: int = 200,
                    body: Mapping[str, Any] | None = None) -> list[float]:
    """Sequential GETs of ``url`` (POSTs of ``body`` as JSON when given): ``warmup`` unmeasured, then up to
    ``count`` timed (ms), within ``budget``.

    Each answer must have ``expected_status`` (an error status when the route measured is one that refuses).
    """
    timings: list[float] = []
    deadline = time.monotonic() + budget
    for index in range(warmup + count):
        if time.monotonic() > deadline:
            break
        started = time.perf_counter()
        _get(url, headers, REQUEST_TIMEOUT_SECONDS, expected_status, body)
        elapsed = (time.perf_counter() - started) * 1000
        if index >= warmup:
            timings.append(elapsed)
    return timings


def _get(url: str, headers: Mapping[str, str] | None, timeout: float, expected_status: int,
         json_body: Mapping[str, Any] | None = None) -> bytes:
    """The body of a GET of ``url`` (a POST of ``json_body`` when given) answered with ``expected_status``;
    anything else raises BenchError."""
    data = None if json_body is None else json.dumps(json_body).encode()
    sent = {**(headers or {}), **({"Content-Type": "application/json"} if data else {})}
    request = urllib.request.Request(url, data=data, headers=sent)  # noqa: S310 - 127.0.0.1
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            body: bytes = response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        if error.code != expected_status:
            raise BenchError(f"GET {url} answered {problem(error)}") from error
        return error.read()
    except (urllib.error.URLError, OSError) as error:
        raise BenchError(f"GET {url} failed: {error}") from error
    if status != expected_status:
        raise BenchError(f"GET {url} answered {status}, not {expected_status}")
    return body


def timed_get(url: str, headers: Mapping[str, str] | None = None,
              timeout: float = COLD_REQUEST_TIMEOUT_SECONDS) -> float:
    """One GET of ``url``, its time in ms; an error answer raises BenchError naming its problem."""
    started = time.perf_counter()
    _get(url, headers, timeout, 200)
    return (time.perf_counter() - started) * 1000


def get_body(url: str, headers: Mapping[str, str] | None, expected_status: int,
             timeout: float = COLD_REQUEST_TIMEOUT_SECONDS) -> bytes:
    """The body of one GET of ``url`` answered with ``expected_status``; anything else raises BenchError."""
    return _get(url, headers, timeout, expected_status)


@dataclass(frozen=True)
class BenchUser:
    """A throwaway account registered through the REST API, one per run, shared by the benchmarks."""

    email: str
    password: str
    access_token: str


_USERS: dict[str, BenchUser] = {}  # REST base URL -> this run's user


def problem(error: urllib.error.HTTPError) -> str:
    """The status and the problem+json title/detail of an error answer, kept short."""
    try:
        body = json.loads(error.read() or b"{}")
    except (ValueError, OSError):
        body = {}
    detail = " - ".join(str(body[key]) for key in ("title", "detail") if isinstance(body, dict) and body.get(key))
    return f"{error.code} {detail}".strip()[:200]


def post_json(url: str, body: Mapping[str, Any], timeout: float) -> dict[str, Any]:
    """POST ``body`` as JSON and return the JSON answer; HTTP errors propagate as ``HTTPError``."""
    request = urllib.request.Request(  # noqa: S310 - 127.0.0.1
        url, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
        answer = json.loads(response.read() or b"{}")
    return answer if isinstance(answer, dict) else {}


def bench_user(rest: str) -> BenchUser:
    """This run's user on the stack at ``rest``, registered on first use with a unique email.

    Registering is rate-limited per IP (20 per hour), so a run registers once and every benchmark
    that needs a user shares it.
    """
    if rest in _USERS:
        return _USERS[rest]
    email = f"bench-{uuid.uuid4().hex[:16]}@example.com"
    password = f"bench-{secrets.token_urlsafe(18)}"  # 30 characters; the policy wants at least 12
    try:
        answer = post_json(f"{rest}/api/auth/register",
                           {"email": email, "password": password, "displayName": "Bench"},
                           COLD_REQUEST_TIMEOUT_SECONDS)
        token = answer["tokens"]["accessToken"]
    except urllib.error.HTTPError as error:
        raise BenchError(f"POST /api/auth/register answered {problem(error)}") from error
    except (urllib.error.URLError, OSError) as error:
        raise BenchError(f"POST /api/auth/register failed: {error}") from error
    except (KeyError, TypeError) as error:
        raise BenchError("POST /api/auth/register answered no access token") from error
    _USERS[rest] = BenchUser(email=email, password=password, access_token=str(token))
    return _USERS[rest]

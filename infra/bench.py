"""Benchmarks of the local stack, printed as ratios measured side by side in one run (never asserted).

    python -m infra.bench     run every benchmark, print a table, write .local/bench.json (make bench)

Absolute timings depend on the machine; a ratio of two figures taken in the same run mostly does not.
A benchmark is a function ``(Target) -> Result``; add one by appending it to ``BENCHMARKS``.
"""

from __future__ import annotations

import json
import math
import os
import re
import secrets
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from infra import emulator
from infra.config import LOCAL, REGION, ROOT, Target, activate, default_target
from infra.template import load_template
from infra.urls import discover
from infra.watch import function_specs

RESULTS = LOCAL / "bench.json"
# The common layer and every service's deploy unit, as a Lambda sees them (one package per folder).
SERVICE_PATH = [ROOT / "layers" / "common" / "python", *sorted(p for p in (ROOT / "functions").iterdir() if p.is_dir())]
USERS_PATH = [ROOT / "layers" / "common" / "python", ROOT / "functions" / "users"]
HEALTH_EVENT = ROOT / "events" / "gateway-health.json"
HEALTH_FUNCTION = "GatewayFunction"
HEALTH_MODULE = "deepiri_gateway.handlers.api"
WARMUP = 20
REQUESTS = 200
LOOP_SECONDS = 120.0  # a load loop stops here even if it has not sent every request
REQUEST_TIMEOUT_SECONDS = 10.0
COLD_REQUEST_TIMEOUT_SECONDS = 30.0  # a first request may start a Lambda container on the emulator
IMPORT_RUNS = 5
IMPORT_TIMEOUT_SECONDS = 60.0
AUTHORIZER_EVENT = ROOT / "events" / "authorizer-rest.json"
AUTHORIZER_FUNCTION = "AuthorizerFunction"
AUTHORIZER_CALLS = 300  # per phase: warm (session cache fresh), then uncached (session cache expired)
AUTHORIZED_PATH = "/api/realtime/me"
USERS_FUNCTION = "UsersAuthFunction"
# Login is rate-limited per IP (50 per 5 min) and per email (20 per 15 min): a run sends at most this many.
LOGIN_WARMUP = 1
LOGIN_REQUESTS = 14
VERIFY_RUNS = 15


class BenchError(RuntimeError):
    """A benchmark could not be measured; the others still run."""


@dataclass(frozen=True)
class Row:
    """One line of a benchmark's table: a label and one figure per column (None when not measured)."""

    label: str
    values: list[float | None]
    ratio: bool = False


@dataclass
class Result:
    """What one benchmark measured: a small table, notes for the reader, and the figures for JSON.

    ``verdicts`` are PASS/FAIL lines of a criterion computed from the figures; ``parts`` are further
    tables of the same benchmark (printed after it, their figures saved under their titles).
    """

    title: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    verdicts: list[str] = field(default_factory=list)
    parts: list[Result] = field(default_factory=list)


Benchmark = Callable[[Target], Result]


# ---------------------------------------------------------------- measuring helpers


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of ``values`` (``fraction`` 0.5 is the median sample, 0.95 the p95)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """``numerator / denominator``, or None when either is missing or the denominator is zero."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def service_env(logical_id: str | None, stage: str, path: list[Path] = SERVICE_PATH) -> dict[str, str]:
    """The environment a function of template.yaml gets (Globals + its own), for running it off the cloud.

    ``!Ref``/``!Sub`` of parameters and resource names resolve for ``stage``; values that name other
    deployed resources' attributes (``!GetAtt``, ``!Join``, ``!If``) become empty strings. ``path``
    becomes the child's PYTHONPATH.
    """
    template = load_template()
    variables: dict[str, Any] = dict(template.get("Globals", {}).get("Function", {})
                                     .get("Environment", {}).get("Variables", {}))
    if logical_id is not None:
        props = template["Resources"][logical_id].get("Properties", {})
        variables.update(props.get("Environment", {}).get("Variables", {}))
    env = {key: _template_value(value, template, stage) for key, value in variables.items()}
    return {
        **{key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "AWS_"))},
        **env,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "PYTHONPATH": os.pathsep.join(str(folder) for folder in path),
    }


def _template_value(value: Any, template: dict[str, Any], stage: str) -> str:
    if isinstance(value, str | int | float | bool):
        return str(value)
    if isinstance(value, dict) and len(value) == 1:
        ((key, argument),) = value.items()
        if key == "Ref":
            return _template_ref(str(argument), template, stage)
        if key == "Fn::Sub" and isinstance(argument, str):
            return re.sub(r"\$\{([^}]+)\}", lambda m: _template_ref(m.group(1), template, stage), argument)
    return ""


def _template_ref(name: str, template: dict[str, Any], stage: str) -> str:
    pseudo = {"Stage": stage, "AWS::Region": REGION, "AWS::AccountId": "000000000000"}
    if name in pseudo:
        return pseudo[name]
    if name in template.get("Parameters", {}):
        return str(template["Parameters"][name].get("Default", ""))
    props = template.get("Resources", {}).get(name, {}).get("Properties", {})
    for key in ("Name", "TableName", "QueueName", "FunctionName", "LayerName", "LogGroupName"):
        if key in props:
            return _template_value(props[key], template, stage)
    return name


def _run_child(code: str, args: list[str], env: dict[str, str], timeout: float) -> str:
    """Run a Python snippet in a fresh interpreter of this environment; its last stdout line is the result."""
    try:
        done = subprocess.run([sys.executable, "-c", code, *args], env=env, cwd=ROOT, capture_output=True,
                              text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as error:
        raise BenchError(f"timed out after {timeout:.0f}s") from error
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise BenchError(last)
    return lines[-1]


# ---------------------------------------------------------------- (a) GET /health latency

# Calls the handler module's ``handler(event, context)`` as the Lambda runtime would, in its own
# interpreter so the function's log lines and metrics stay out of the table; prints the timings (ms).
_IN_PROCESS = r"""
import copy, importlib, json, sys, time, types
module, event_path = sys.argv[1], sys.argv[2]
warmup, count, budget = int(sys.argv[3]), int(sys.argv[4]), float(sys.argv[5])
handler = importlib.import_module(module).handler
event = json.loads(open(event_path).read())
context = types.SimpleNamespace(
    function_name="bench", function_version="$LATEST", memory_limit_in_mb=512, aws_request_id="bench",
    invoked_function_arn="arn:aws:lambda:us-east-1:000000000000:function:bench",
    log_group_name="/aws/lambda/bench", log_stream_name="bench", get_remaining_time_in_millis=lambda: 10_000)
first = handler(copy.deepcopy(event), context)
if first.get("statusCode") != 200:
    sys.exit(f"handler answered {first.get('statusCode')}: {first.get('body')}")
timings, deadline = [], time.monotonic() + budget
for index in range(warmup + count):
    if time.monotonic() > deadline:
        break
    call = copy.deepcopy(event)
    started = time.perf_counter()
    handler(call, context)
    elapsed = (time.perf_counter() - started) * 1000
    if index >= warmup:
        timings.append(elapsed)
print(json.dumps(timings))
"""


def _gateway_timings(url: str, warmup: int, count: int, budget: float,
                     headers: Mapping[str, str] | None = None) -> list[float]:
    """Sequential GETs of ``url``: ``warmup`` unmeasured, then up to ``count`` timed (ms), within ``budget``."""
    timings: list[float] = []
    deadline = time.monotonic() + budget
    for index in range(warmup + count):
        if time.monotonic() > deadline:
            break
        request = urllib.request.Request(url, headers=dict(headers or {}))  # noqa: S310 - 127.0.0.1
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:  # noqa: S310
                response.read()
        except (urllib.error.URLError, OSError) as error:
            raise BenchError(f"GET {url} failed: {error}") from error
        elapsed = (time.perf_counter() - started) * 1000
        if index >= warmup:
            timings.append(elapsed)
    return timings


def _local_rest(target: Target, result: Result) -> str | None:
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


def health_latency(target: Target) -> Result:
    """p50/p95 of ``GET /health`` through the emulated API Gateway next to the handler called in-process."""
    result = Result(title=f"GET /health: {REQUESTS} sequential requests after {WARMUP} warm-up",
                    columns=["p50 ms", "p95 ms"])
    rest = _local_rest(target, result)
    if rest is None:
        return result
    gateway = _gateway_timings(f"{rest}/health", WARMUP, REQUESTS, LOOP_SECONDS)
    output = _run_child(_IN_PROCESS, [HEALTH_MODULE, str(HEALTH_EVENT), str(WARMUP), str(REQUESTS), str(LOOP_SECONDS)],
                        service_env(HEALTH_FUNCTION, target.stage), timeout=LOOP_SECONDS + 60)
    local: list[float] = json.loads(output)
    if len(gateway) < REQUESTS or len(local) < REQUESTS:
        result.notes.append(f"time budget of {LOOP_SECONDS:.0f}s reached: {len(gateway)} gateway and "
                            f"{len(local)} in-process samples")
    figures = {
        "gateway_ms": {"p50": percentile(gateway, 0.5), "p95": percentile(gateway, 0.95), "samples": len(gateway)},
        "in_process_ms": {"p50": percentile(local, 0.5), "p95": percentile(local, 0.95), "samples": len(local)},
    }
    ratios = {key: ratio(figures["gateway_ms"][key], figures["in_process_ms"][key]) for key in ("p50", "p95")}
    result.rows = [
        Row("API Gateway → Lambda on the emulator", [figures["gateway_ms"]["p50"], figures["gateway_ms"]["p95"]]),
        Row(f"{HEALTH_MODULE}.handler in-process", [figures["in_process_ms"]["p50"], figures["in_process_ms"]["p95"]]),
        Row("ratio gateway / in-process", [ratios["p50"], ratios["p95"]], ratio=True),
    ]
    result.data = {"url": f"{rest}/health", "warmup": WARMUP, **figures, "ratio_gateway_to_in_process": ratios}
    return result


# ---------------------------------------------------------------- (b) cold imports

# Times one import in a fresh interpreter, leaving out the interpreter's own start-up; prints ms.
_IMPORT_TIME = r"""
import importlib, sys, time
started = time.perf_counter()
importlib.import_module(sys.argv[1])
print((time.perf_counter() - started) * 1000)
"""


def cold_imports(target: Target) -> Result:
    """Each handler module's import time in a fresh interpreter next to ``import boto3`` measured the same way."""
    result = Result(title=f"cold import in a fresh interpreter (median of {IMPORT_RUNS})",
                    columns=["median ms", "x boto3"])
    modules: dict[str, str | None] = {"boto3": None}
    for spec in function_specs():
        modules.setdefault(spec.module, spec.logical_id)
    samples: dict[str, list[float]] = {module: [] for module in modules}
    failures: dict[str, str] = {}
    for _ in range(IMPORT_RUNS):  # round-robin, so a slow moment of the machine spreads over every module
        for module, logical_id in modules.items():
            if module in failures:
                continue
            try:
                output = _run_child(_IMPORT_TIME, [module], service_env(logical_id, target.stage),
                                    timeout=IMPORT_TIMEOUT_SECONDS)
                samples[module].append(float(output))
            except (BenchError, ValueError) as error:
                failures[module] = str(error)
    medians = {module: statistics.median(values) if values else None for module, values in samples.items()}
    baseline = medians["boto3"]
    for module in modules:
        result.rows.append(Row(module if module != "boto3" else "import boto3 (baseline)",
                               [medians[module], ratio(medians[module], baseline)]))
    result.notes.extend(f"{module} did not import: {reason}" for module, reason in failures.items())
    result.data = {
        "runs": IMPORT_RUNS,
        "pythonpath": [str(path.relative_to(ROOT)) for path in SERVICE_PATH],
        "modules": {module: {"median_ms": medians[module], "samples_ms": samples[module],
                             "ratio_to_boto3": ratio(medians[module], baseline), "error": failures.get(module)}
                    for module in modules},
    }
    return result


# ---------------------------------------------------------------- a registered user for this run


@dataclass(frozen=True)
class BenchUser:
    """A throwaway account registered through the REST API, one per run, shared by the benchmarks."""

    email: str
    password: str
    access_token: str


_USERS: dict[str, BenchUser] = {}  # REST base URL -> this run's user


def _problem(error: urllib.error.HTTPError) -> str:
    """The status and the problem+json title/detail of an error answer, kept short."""
    try:
        body = json.loads(error.read() or b"{}")
    except (ValueError, OSError):
        body = {}
    detail = " - ".join(str(body[key]) for key in ("title", "detail") if isinstance(body, dict) and body.get(key))
    return f"{error.code} {detail}".strip()[:200]


def _post_json(url: str, body: Mapping[str, Any], timeout: float) -> dict[str, Any]:
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
        answer = _post_json(f"{rest}/api/auth/register",
                            {"email": email, "password": password, "displayName": "Bench"},
                            COLD_REQUEST_TIMEOUT_SECONDS)
        token = answer["tokens"]["accessToken"]
    except urllib.error.HTTPError as error:
        raise BenchError(f"POST /api/auth/register answered {_problem(error)}") from error
    except (urllib.error.URLError, OSError) as error:
        raise BenchError(f"POST /api/auth/register failed: {error}") from error
    except (KeyError, TypeError) as error:
        raise BenchError("POST /api/auth/register answered no access token") from error
    _USERS[rest] = BenchUser(email=email, password=password, access_token=str(token))
    return _USERS[rest]


def _timed_figures(timings: list[float]) -> dict[str, float | int | None]:
    if not timings:
        return {"p50": None, "p95": None, "samples": 0}
    return {"p50": percentile(timings, 0.5), "p95": percentile(timings, 0.95), "samples": len(timings)}


# ---------------------------------------------------------------- (c) authorizer per-request cost

# Builds the real Authorizer (KeyStore on a secretsmanager client, UserSessionCheck on a dynamodb
# client, both on the emulator through infra.config) and times its calls on one REST authorizer event
# carrying the bench user's token (read from BENCH_ACCESS_TOKEN, so it stays out of the process list).
# UserSessionCheck reads its clock through the injected ``monotonic``: holding that clock still keeps
# the cached session answer fresh; stepping it by MAX_CACHE_SECONDS before a call makes the cached
# answer exactly as old as the window, so that call reads the users table again - the same code path a
# warm container takes once 5 real seconds have passed. Calls alternate uncached/warm so drift of the
# machine spreads over both. Every GetItem is counted, to show the cache did what the label says.
_AUTHORIZER = r"""
import copy, json, os, sys, time
import boto3
from infra.config import REGION, activate, default_target
from deepiri_common.settings import load_settings
from deepiri_common.tokens import KeyStore
from deepiri_gateway.dal.sessions import MAX_CACHE_SECONDS, UserSessionCheck
from deepiri_gateway.handlers.authorizer import Authorizer, AuthorizerSettings

event_path, count, budget = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
target = activate(default_target())
settings = load_settings(AuthorizerSettings)
if not settings.users_table:
    sys.exit("the authorizer's USERS_TABLE is empty: no session check to measure")


class Clock:
    now = 0.0

    def __call__(self):
        return self.now


clock, reads = Clock(), []
secretsmanager = boto3.client("secretsmanager", endpoint_url=target.endpoint, region_name=REGION)
dynamodb = boto3.client("dynamodb", endpoint_url=target.endpoint, region_name=REGION)
dynamodb.meta.events.register("after-call.dynamodb.GetItem", lambda **_: reads.append(1))
authorizer = Authorizer(
    key_store=KeyStore(settings.jwt_keys_secret, secretsmanager),
    issuer=settings.jwt_issuer,
    audience=settings.jwt_audience,
    session_check=UserSessionCheck(settings.users_table, dynamodb, monotonic=clock),
)
event = json.loads(open(event_path).read())
bearer = "Bearer " + os.environ["BENCH_ACCESS_TOKEN"]
event["headers"]["Authorization"] = bearer
event["multiValueHeaders"]["Authorization"] = [bearer]


def timed():
    call = copy.deepcopy(event)
    before = len(reads)
    started = time.perf_counter()
    try:
        policy = authorizer(call)
    except Exception as error:
        sys.exit(f"the authorizer refused the bench user's token: {error}")
    elapsed = (time.perf_counter() - started) * 1000
    if policy["policyDocument"]["Statement"][0]["Effect"] != "Allow":
        sys.exit("the authorizer did not allow the bench user's token")
    return elapsed, len(reads) - before


cold, cold_reads = timed()
warm, uncached, warm_reads, uncached_reads = [], [], 0, 0
deadline = time.monotonic() + budget
for _ in range(count):
    if time.monotonic() > deadline:
        break
    clock.now += MAX_CACHE_SECONDS
    elapsed, read = timed()
    uncached.append(elapsed)
    uncached_reads += read
    elapsed, read = timed()
    warm.append(elapsed)
    warm_reads += read
print(json.dumps({"cold": cold, "warm": warm, "uncached": uncached, "cache_seconds": MAX_CACHE_SECONDS,
                  "reads": {"cold": cold_reads, "warm": warm_reads, "uncached": uncached_reads}}))
"""


def authorizer_cost(target: Target) -> Result:
    """The authorizer in-process (cold, session cache fresh, session cache expired), then what an
    authorized route costs through the emulated API Gateway next to an open one."""
    result = Result(title=f"authorizer: {AUTHORIZER_CALLS} in-process calls per case, {REQUESTS} requests per route",
                    columns=["p50 ms", "p95 ms"])
    rest = _local_rest(target, result)
    if rest is None:
        return result
    user = bench_user(rest)
    env = {**service_env(AUTHORIZER_FUNCTION, target.stage), "AWS_ENDPOINT_URL": target.endpoint,
           "BENCH_ACCESS_TOKEN": user.access_token}
    output = _run_child(_AUTHORIZER, [str(AUTHORIZER_EVENT), str(AUTHORIZER_CALLS), str(LOOP_SECONDS)], env,
                        timeout=LOOP_SECONDS + 60)
    measured: dict[str, Any] = json.loads(output)
    warm, uncached = _timed_figures(measured["warm"]), _timed_figures(measured["uncached"])
    warm_ratio = {key: ratio(warm[key], uncached[key]) for key in ("p50", "p95")}
    reads = measured["reads"]
    if len(measured["warm"]) < AUTHORIZER_CALLS:
        result.notes.append(f"time budget of {LOOP_SECONDS:.0f}s reached: {len(measured['warm'])} calls per case")
    if reads["warm"] or reads["uncached"] != len(measured["uncached"]):
        result.notes.append(f"session reads were {reads['warm']} warm and {reads['uncached']} uncached "
                            f"for {len(measured['uncached'])} calls each: the cases are not what they say")
    result.rows = [
        Row("in-process, first call (key set fetch + session read)", [measured["cold"], None]),
        Row("in-process, session cache fresh (warm)", [warm["p50"], warm["p95"]]),
        Row(f"in-process, session cache expired (+{measured['cache_seconds']:.0f} s clock)",
            [uncached["p50"], uncached["p95"]]),
        Row("ratio warm / uncached", [warm_ratio["p50"], warm_ratio["p95"]], ratio=True),
    ]
    result.data = {
        "event": str(AUTHORIZER_EVENT.relative_to(ROOT)),
        "session_cache_expiry": "UserSessionCheck's injected monotonic clock stepped by MAX_CACHE_SECONDS "
                                "before each uncached call; held still for warm calls",
        "in_process_ms": {"cold": measured["cold"], "warm": warm, "uncached": uncached},
        "session_reads": reads,
        "ratio_warm_to_uncached": warm_ratio,
    }
    try:
        _through_gateway(rest, user, result)
    except BenchError as error:
        result.notes.append(f"gateway part failed: {error}")
    return result


def _through_gateway(rest: str, user: BenchUser, result: Result) -> None:
    """p50/p95 of the authorized GET /api/realtime/me next to the open GET /health; adds rows to ``result``."""
    headers = {"Authorization": f"Bearer {user.access_token}"}
    url = f"{rest}{AUTHORIZED_PATH}"
    try:  # the authorizer and realtime Lambdas may start cold: one unmeasured request with a long timeout
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers),  # noqa: S310 - 127.0.0.1
                                    timeout=COLD_REQUEST_TIMEOUT_SECONDS) as response:
            response.read()
    except urllib.error.HTTPError as error:
        raise BenchError(f"GET {AUTHORIZED_PATH} answered {_problem(error)}") from error
    except (urllib.error.URLError, OSError) as error:
        raise BenchError(f"GET {AUTHORIZED_PATH} failed: {error}") from error
    authorized = _gateway_timings(url, WARMUP, REQUESTS, LOOP_SECONDS, headers)
    open_route = _gateway_timings(f"{rest}/health", WARMUP, REQUESTS, LOOP_SECONDS)
    if len(authorized) < REQUESTS or len(open_route) < REQUESTS:
        result.notes.append(f"time budget of {LOOP_SECONDS:.0f}s reached: {len(authorized)} authorized and "
                            f"{len(open_route)} open requests")
    figures = {"authorized": _timed_figures(authorized), "open": _timed_figures(open_route)}
    ratios = {key: ratio(figures["authorized"][key], figures["open"][key]) for key in ("p50", "p95")}
    p50_overhead = (figures["authorized"]["p50"] or 0.0) - (figures["open"]["p50"] or 0.0)
    result.rows += [
        Row(f"GET {AUTHORIZED_PATH} with token (gateway)",
            [figures["authorized"]["p50"], figures["authorized"]["p95"]]),
        Row("GET /health, open (gateway)", [figures["open"]["p50"], figures["open"]["p95"]]),
        Row("ratio authorized / open", [ratios["p50"], ratios["p95"]], ratio=True),
    ]
    result.data.update({
        "urls": {"authorized": url, "open": f"{rest}/health"},
        "warmup": WARMUP,
        "gateway_ms": figures,
        "gateway_p50_overhead_ms": p50_overhead,
        "ratio_authorized_to_open": ratios,
    })


# ---------------------------------------------------------------- (d) login and argon2 verify

# Hashes a fresh password with deepiri_users.logic.passwords, then times verify_password alone; prints ms.
_VERIFY = r"""
import json, secrets, sys, time
from deepiri_users.logic.passwords import hash_password, verify_password
count, budget = int(sys.argv[1]), float(sys.argv[2])
password = "bench-" + secrets.token_urlsafe(18)
stored = hash_password(password)
if not verify_password(stored, password):
    sys.exit("verify_password refused its own hash")
timings, deadline = [], time.monotonic() + budget
for _ in range(count):
    if time.monotonic() > deadline:
        break
    started = time.perf_counter()
    matched = verify_password(stored, password)
    timings.append((time.perf_counter() - started) * 1000)
    if not matched:
        sys.exit("verify_password refused its own hash")
print(json.dumps(timings))
"""


def _login_timings(rest: str, user: BenchUser, warmup: int, count: int, *, budget: float,
                   notes: list[str]) -> list[float]:
    """Sequential logins of ``user``: ``warmup`` unmeasured, then up to ``count`` timed (ms), within ``budget``.

    A 429 (the login rate limits) ends the loop early with a note instead of failing the benchmark.
    """
    url, body = f"{rest}/api/auth/login", {"email": user.email, "password": user.password}
    timings: list[float] = []
    deadline = time.monotonic() + budget
    for index in range(warmup + count):
        if time.monotonic() > deadline:
            notes.append(f"time budget of {budget:.0f}s reached after {index} logins")
            break
        timeout = COLD_REQUEST_TIMEOUT_SECONDS if index == 0 else REQUEST_TIMEOUT_SECONDS
        started = time.perf_counter()
        try:
            answer = _post_json(url, body, timeout)
        except urllib.error.HTTPError as error:
            if error.code == 429:
                notes.append(f"login rate limit reached after {index} logins (429); wait 5 minutes between runs")
                break
            raise BenchError(f"POST /api/auth/login answered {_problem(error)}") from error
        except (urllib.error.URLError, OSError) as error:
            raise BenchError(f"POST /api/auth/login failed: {error}") from error
        elapsed = (time.perf_counter() - started) * 1000
        if "accessToken" not in answer:
            raise BenchError("POST /api/auth/login answered no access token")
        if index >= warmup:
            timings.append(elapsed)
    return timings


def login_cost(target: Target) -> Result:
    """p50/p95 of ``POST /api/auth/login`` through the emulated API Gateway next to argon2id verify in-process."""
    result = Result(title=f"login: {LOGIN_REQUESTS} POST /api/auth/login after {LOGIN_WARMUP} warm-up, "
                          f"{VERIFY_RUNS} verifies",
                    columns=["p50 ms", "p95 ms"])
    output = _run_child(_VERIFY, [str(VERIFY_RUNS), str(LOOP_SECONDS)],
                        service_env(USERS_FUNCTION, target.stage, USERS_PATH), timeout=LOOP_SECONDS + 60)
    verify = _timed_figures(json.loads(output))
    verify_row = Row("passwords.verify_password in-process (argon2id)", [verify["p50"], verify["p95"]])
    result.data = {"in_process_verify_ms": verify,
                   "pythonpath": [str(path.relative_to(ROOT)) for path in USERS_PATH]}
    rest = _local_rest(target, result)
    if rest is None:
        result.rows = [verify_row]
        return result
    user = bench_user(rest)
    login = _timed_figures(_login_timings(rest, user, LOGIN_WARMUP, LOGIN_REQUESTS, budget=LOOP_SECONDS,
                                         notes=result.notes))
    ratios = {key: ratio(login[key], verify[key]) for key in ("p50", "p95")}
    result.rows = [
        Row("POST /api/auth/login (gateway)", [login["p50"], login["p95"]]),
        verify_row,
        Row("ratio login / verify", [ratios["p50"], ratios["p95"]], ratio=True),
    ]
    result.data.update({"url": f"{rest}/api/auth/login", "warmup": LOGIN_WARMUP, "gateway_login_ms": login,
                        "ratio_login_to_verify": ratios})
    return result


# ---------------------------------------------------------------- (e) tasks listing: read capacity and latency

TASKS_FUNCTION = "TasksApiFunction"
TASKS_PATH = [ROOT / "layers" / "common" / "python", ROOT / "functions" / "tasks"]
TASKS_LIST_EVENT = ROOT / "events" / "tasks-list.json"
TASKS_CREATE_EVENT = ROOT / "events" / "tasks-create.json"
OWN_TASKS = 50  # the listing user's own tasks, created through POST /api/tasks
OTHER_TASKS = (1_000, 100_000)  # other users' tasks in the table when the listing is measured
OTHER_TASKS_PER_USER = 50
SEED_SECONDS = 480.0  # seeding the other users' tasks stops with a message past 8 minutes
BATCH_WRITE_LIMIT = 25
CAPACITY_RATIO_LIMIT = 1.05
READ_UNIT_BYTES = 4096
# GET /api/tasks query strings measured, by sort: the default (created), then sort=due and sort=priority.
LISTINGS: dict[str, dict[str, str] | None] = {"created": None, "due": {"sort": "due"},
                                              "priority": {"sort": "priority"}}

# Runs one part of the tasks benchmark (infra.bench.tasks_child) in a fresh interpreter with the tasks
# function's environment, so the handler's log lines stay out of the table; prints the figures as JSON.
_TASKS_CHILD = r"""
import sys
from infra.bench import tasks_child
tasks_child(sys.argv[1])
"""


def item_size(item: Mapping[str, Any]) -> int:
    """The size DynamoDB bills for an item in attribute-value form: each name's UTF-8 bytes plus its value."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: Mapping[str, Any]) -> int:
    ((kind, content),) = value.items()
    if kind == "L":  # 3 bytes for the list, 1 per element
        return 3 + sum(1 + _value_size(element) for element in content)
    if kind == "M":
        return 3 + sum(1 + len(str(name).encode()) + _value_size(element) for name, element in content.items())
    if kind in _SCALAR_SIZES:
        return _SCALAR_SIZES[kind](content)
    raise ValueError(f"unknown attribute type {kind}")


def _number_size(text: str) -> int:
    """About one byte per two significant digits, plus one (plus one more when negative)."""
    mantissa = text.lower().split("e", 1)[0]
    digits = mantissa.lstrip("+-").replace(".", "").strip("0")
    return math.ceil(len(digits) / 2) + 1 + (1 if mantissa.startswith("-") else 0)


_SCALAR_SIZES: dict[str, Callable[[Any], int]] = {
    "S": lambda text: len(str(text).encode()),
    "N": lambda text: _number_size(str(text)),
    "B": len,
    "BOOL": lambda _: 1,
    "NULL": lambda _: 1,
    "SS": lambda texts: sum(len(str(text).encode()) for text in texts),
    "NS": lambda numbers: sum(_number_size(str(number)) for number in numbers),
    "BS": lambda blobs: sum(len(blob) for blob in blobs),
}


def read_units(size: int, *, consistent: bool) -> float:
    """The read capacity of one Query page: the items read summed, rounded up to 4 KB; half for eventual."""
    return max(1, math.ceil(size / READ_UNIT_BYTES)) * (1.0 if consistent else 0.5)


@dataclass
class QueryMeter:
    """Counts the Query calls of a boto3 DynamoDB client, through its event hooks (no service code changes).

    Every Query is sent with ``ReturnConsumedCapacity=TOTAL``; ``reported`` sums what the backend answers.
    ``computed`` applies DynamoDB's read rule to the items the Query evaluated. When a filter discarded
    some (ScannedCount > Count), the same page is read again unfiltered through ``raw`` to see their sizes.
    """

    raw: Any
    queries: int = 0
    reported: float = 0.0
    unreported: int = 0
    computed: float = 0.0
    evaluated: int = 0
    returned: int = 0
    bytes_read: int = 0
    _params: dict[str, Any] = field(default_factory=dict)

    def attach(self, client: Any) -> None:
        client.meta.events.register("before-parameter-build.dynamodb.Query", self._before)
        client.meta.events.register("after-call.dynamodb.Query", self._after)

    def reset(self) -> None:
        self.queries = self.unreported = self.evaluated = self.returned = self.bytes_read = 0
        self.reported = self.computed = 0.0

    def figures(self) -> dict[str, Any]:
        return {"queries": self.queries, "reported_units": self.reported if not self.unreported else None,
                "computed_units": self.computed, "items_evaluated": self.evaluated,
                "items_returned": self.returned, "bytes_read": self.bytes_read}

    def _before(self, params: dict[str, Any], **_: Any) -> None:
        params.setdefault("ReturnConsumedCapacity", "TOTAL")
        self._params = dict(params)

    def _after(self, parsed: Mapping[str, Any], **_: Any) -> None:
        if "Error" in parsed:
            return
        self.queries += 1
        capacity = parsed.get("ConsumedCapacity")
        if isinstance(capacity, Mapping) and "CapacityUnits" in capacity:
            self.reported += float(capacity["CapacityUnits"])
        else:
            self.unreported += 1
        items: list[Mapping[str, Any]] = list(parsed.get("Items", []))
        scanned = int(parsed.get("ScannedCount", len(items)))
        self.returned += len(items)
        if scanned > len(items):
            items = self._evaluated_items(scanned)
        size = sum(item_size(item) for item in items)
        self.evaluated += scanned
        self.bytes_read += size
        self.computed += read_units(size, consistent=bool(self._params.get("ConsistentRead")))

    def _evaluated_items(self, scanned: int) -> list[Mapping[str, Any]]:
        """The page of the last Query without its filter: the same key condition, start and Limit=ScannedCount."""
        params = self._params
        condition = str(params["KeyConditionExpression"])
        args: dict[str, Any] = {key: params[key] for key in ("TableName", "IndexName", "ScanIndexForward",
                                                              "ExclusiveStartKey", "ConsistentRead") if key in params}
        used = set(re.findall(r"[#:][A-Za-z0-9_]+", condition))
        args.update(KeyConditionExpression=condition, Limit=scanned,
                    ExpressionAttributeValues={key: value for key, value in
                                               params.get("ExpressionAttributeValues", {}).items() if key in used})
        names = {key: value for key, value in params.get("ExpressionAttributeNames", {}).items() if key in used}
        if names:
            args["ExpressionAttributeNames"] = names
        return list(self.raw.query(**args).get("Items", []))


def batch_write(client: Any, table: str, items: Iterable[dict[str, Any]], *, deadline: float,
                clock: Callable[[], float] = time.monotonic) -> int:
    """Put ``items`` with BatchWriteItem, 25 a call, retrying unprocessed ones; stops at ``deadline``.

    Returns how many were written; past the deadline raises BenchError saying how far it got.
    """
    written, batch = 0, []
    for item in items:
        batch.append({"PutRequest": {"Item": item}})
        if len(batch) == BATCH_WRITE_LIMIT:
            written += _write_batch(client, table, batch, deadline=deadline, clock=clock, written=written)
            batch = []
    if batch:
        written += _write_batch(client, table, batch, deadline=deadline, clock=clock, written=written)
    return written


def _write_batch(client: Any, table: str, batch: list[dict[str, Any]], *, deadline: float,
                 clock: Callable[[], float], written: int) -> int:
    pending, attempt = batch, 0
    while pending:
        if clock() > deadline:
            raise BenchError(f"seeding stopped after {written} items: it exceeded the "
                             f"{SEED_SECONDS / 60:.0f}-minute limit")
        response = client.batch_write_item(RequestItems={table: pending})
        pending = response.get("UnprocessedItems", {}).get(table, [])
        if pending:
            attempt += 1
            time.sleep(min(0.05 * 2 ** attempt, 1.0))
    return len(batch)


def capacity_verdict(ratios: Mapping[str, float | None], limit: float = CAPACITY_RATIO_LIMIT) -> str:
    """PASS when every listing's read-capacity ratio is measured and at most ``limit``, else FAIL naming why."""
    missing = [name for name, value in ratios.items() if value is None]
    over = {name: value for name, value in ratios.items() if value is not None and value > limit}
    worst = max((value for value in ratios.values() if value is not None), default=None)
    if missing or not ratios:
        return f"FAIL: read capacity not measured for {', '.join(missing) or 'any listing'}"
    if over:
        named = ", ".join(f"{name} {value:.2f}x" for name, value in over.items())
        return f"FAIL: listing read capacity grows with other users' tasks ({named} > {limit:.2f}x)"
    return f"PASS: listing read capacity ratio at most {worst:.2f}x (limit {limit:.2f}x)"


def _tasks_table_args(name: str) -> dict[str, Any]:
    """CreateTable arguments for a copy of template.yaml's TasksTable named ``name`` (keys and indexes)."""
    props = load_template()["Resources"]["TasksTable"]["Properties"]
    args = {key: props[key] for key in ("AttributeDefinitions", "KeySchema", "BillingMode", "GlobalSecondaryIndexes")}
    return {**args, "TableName": name}


def tasks_child(config_json: str) -> None:
    """Entry point of the child interpreter: one part of the tasks benchmark, its figures printed as JSON."""
    config: dict[str, Any] = json.loads(config_json)
    endpoint = str(config.get("endpoint") or "")
    if endpoint:
        os.environ["AWS_ENDPOINT_URL"] = endpoint
        figures = _tasks_part(config)
    else:
        from moto import mock_aws  # noqa: PLC0415 - only the child needs moto

        with mock_aws():
            figures = _tasks_part(config)
    print(json.dumps(figures))


def _tasks_part(config: dict[str, Any]) -> dict[str, Any]:
    import boto3  # noqa: PLC0415 - the child's clients, inside moto's mock when there is one

    client = boto3.client("dynamodb", region_name=REGION)
    table = os.environ["TASKS_TABLE"]
    client.create_table(**_tasks_table_args(table))
    client.get_waiter("table_exists").wait(TableName=table, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    try:
        if config["part"] == "capacity":
            return _listing_capacity(client, table, config)
        return _tasks_latency(config)
    finally:
        client.delete_table(TableName=table)


class _TasksApi:
    """The tasks API handler called in-process with the sample REST events, as one user."""

    def __init__(self, user_id: str) -> None:
        from deepiri_tasks.handlers import tasks as handlers  # noqa: PLC0415 - the child's PYTHONPATH

        self._handler = handlers.handler
        self._list = json.loads(TASKS_LIST_EVENT.read_text())
        self._create = json.loads(TASKS_CREATE_EVENT.read_text())
        for event in (self._list, self._create):
            event["requestContext"]["authorizer"].update(userId=user_id, principalId=user_id)
        self._context = _LambdaContext()
        self._count = 0

    def list(self, query: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
        event = {**self._list, "queryStringParameters": dict(query) if query else None,
                 "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None}
        reply = self._handler(event, self._context)
        if reply.get("statusCode") != 200:
            raise BenchError(f"GET /api/tasks answered {reply.get('statusCode')}: {str(reply.get('body'))[:200]}")
        return list(json.loads(reply["body"])["items"])

    def create(self) -> None:
        self._count += 1
        n = self._count
        body = {"title": f"Bench task {n}", "description": "Measured by make bench " * 4,
                "priority": ("low", "medium", "high", "urgent")[n % 4], "tags": ["bench", f"t{n % 7}"],
                "dueAt": f"2030-{1 + n % 12:02d}-{1 + n % 28:02d}T09:00:00Z"}
        reply = self._handler({**self._create, "body": json.dumps(body)}, self._context)
        if reply.get("statusCode") != 201:
            raise BenchError(f"POST /api/tasks answered {reply.get('statusCode')}: {str(reply.get('body'))[:200]}")


@dataclass(frozen=True)
class _LambdaContext:
    function_name: str = "bench"
    function_version: str = "$LATEST"
    memory_limit_in_mb: int = 512
    aws_request_id: str = "bench"
    invoked_function_arn: str = "arn:aws:lambda:us-east-1:000000000000:function:bench"
    log_group_name: str = "/aws/lambda/bench"
    log_stream_name: str = "bench"

    def get_remaining_time_in_millis(self) -> int:
        return 10_000


def _other_task_items(count: int, start: int) -> Iterator[dict[str, Any]]:
    """Task items of other users (``OTHER_TASKS_PER_USER`` each, one in five in a project), built by dal.items."""
    from deepiri_common.ids import new_ulid  # noqa: PLC0415 - the child's PYTHONPATH
    from deepiri_tasks.dal.items import task_item  # noqa: PLC0415
    from deepiri_tasks.models.tasks import Task  # noqa: PLC0415

    created = datetime(2025, 1, 1, tzinfo=UTC)
    owner = project = ""
    for n in range(start, start + count):
        if n % OTHER_TASKS_PER_USER == 0 or not owner:
            owner, project = new_ulid(), new_ulid()
        at = created + timedelta(minutes=n)
        task = Task(id=new_ulid(), ownerId=owner, projectId=project if n % 5 == 0 else None,
                    title=f"Other user's task {n}", description="Seeded by make bench " * 4,
                    priority=("low", "medium", "high", "urgent")[n % 4], tags=["seeded", f"t{n % 7}"],
                    dueAt=at + timedelta(days=n % 60) if n % 3 else None, createdAt=at, updatedAt=at)
        yield task_item(task)


def _listing_capacity(client: Any, table: str, config: dict[str, Any]) -> dict[str, Any]:
    from deepiri_common.ids import new_ulid  # noqa: PLC0415 - the child's PYTHONPATH
    from deepiri_tasks import dependencies  # noqa: PLC0415

    meter = QueryMeter(raw=client)
    meter.attach(dependencies.dynamodb())
    api = _TasksApi(new_ulid())
    for _ in range(int(config["own"])):
        api.create()
    started = time.monotonic()
    deadline, seeded = started + SEED_SECONDS, 0
    phases: dict[str, dict[str, Any]] = {}
    for others in config["others"]:
        seeded += batch_write(client, table, _other_task_items(int(others) - seeded, seeded), deadline=deadline)
        listings: dict[str, Any] = {}
        for name, query in LISTINGS.items():
            meter.reset()
            listed = api.list(query)
            listings[name] = {**meter.figures(), "tasks_listed": len(listed)}
        phases[str(others)] = {"seeded": seeded, "seed_seconds": time.monotonic() - started, "listings": listings}
    return {"phases": phases}


def _tasks_latency(config: dict[str, Any]) -> dict[str, Any]:
    from deepiri_common.ids import new_ulid  # noqa: PLC0415 - the child's PYTHONPATH

    api = _TasksApi(new_ulid())
    for _ in range(int(config["own"])):
        api.create()
    for _ in range(int(config["warmup"])):
        api.list()
        api.create()
    timings: dict[str, list[float]] = {"list": [], "create": []}
    deadline = time.monotonic() + float(config["budget"])
    for _ in range(int(config["count"])):  # alternated, so a slow moment of the machine spreads over both
        if time.monotonic() > deadline:
            break
        for name, call in (("list", api.list), ("create", api.create)):
            started = time.perf_counter()
            call()
            timings[name].append((time.perf_counter() - started) * 1000)
    return timings


def _tasks_env(target: Target, table: str) -> dict[str, str]:
    return {**service_env(TASKS_FUNCTION, target.stage, TASKS_PATH), "TASKS_TABLE": table,
            "POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_TRACE_DISABLED": "true"}


def tasks_listing(target: Target) -> Result:
    """(e1) the read capacity of one user's task listing with 1,000 and 100,000 other users' tasks in the
    table; (e2) p50/p95 of GET and POST /api/tasks, the handler in-process against moto."""
    small, large = OTHER_TASKS
    result = Result(title=f"tasks listing: read units of GET /api/tasks ({OWN_TASKS} own tasks) by sort, "
                          f"{small:,} vs {large:,} other users' tasks",
                    columns=[*LISTINGS, "all three"])
    on_emulator = emulator.is_healthy(target)
    backend = f"MiniStack at {target.endpoint}" if on_emulator else "moto in-process"
    table = f"deepiri-bench-tasks-{os.getpid()}"
    config = {"part": "capacity", "endpoint": target.endpoint if on_emulator else "", "own": OWN_TASKS,
              "others": list(OTHER_TASKS)}
    if not on_emulator:
        result.notes.append(f"no emulator answers on {target.endpoint}: seeded moto in-process instead")
    try:
        output = _run_child(_TASKS_CHILD, [json.dumps(config)], _tasks_env(target, table),
                            timeout=SEED_SECONDS + 300)
        _capacity_rows(result, json.loads(output)["phases"], backend)
    except BenchError as error:
        result.notes.append(f"capacity part failed: {error}")
        result.verdicts.append(capacity_verdict({"capacity": None}))
    finally:
        if on_emulator:
            _drop_table(target, table)
    result.parts.append(_latency_part(target))
    return result


def _drop_table(target: Target, table: str) -> None:
    """Delete the bench table if a failed child left it behind (an absent table is fine)."""
    import boto3  # noqa: PLC0415 - boto3 is imported by the benchmarks that need it

    try:
        boto3.client("dynamodb", endpoint_url=target.endpoint, region_name=REGION).delete_table(TableName=table)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise


def _capacity_rows(result: Result, phases: dict[str, Any], backend: str) -> None:
    small, large = (phases[str(count)] for count in OTHER_TASKS)
    names = list(LISTINGS)

    def figures(phase: dict[str, Any], key: str) -> list[float | None]:
        values = [phase["listings"][name][key] for name in names]
        total = None if any(value is None for value in values) else sum(values)
        return [*values, total]

    labels = {count: f"{count:,} others" for count in OTHER_TASKS}
    computed = {count: figures(phase, "computed_units") for count, phase in zip(OTHER_TASKS, (small, large),
                                                                                 strict=True)}
    ratios = [ratio(b, a) for a, b in zip(computed[OTHER_TASKS[0]], computed[OTHER_TASKS[1]], strict=True)]
    reported = {count: figures(phase, "reported_units") for count, phase in zip(OTHER_TASKS, (small, large),
                                                                                 strict=True)}
    result.rows = [
        *(Row(f"{labels[count]}: read units from the items read", computed[count]) for count in OTHER_TASKS),
        Row(f"ratio {OTHER_TASKS[1]:,} / {OTHER_TASKS[0]:,} (the criterion)", ratios, ratio=True),
        *(Row(f"{labels[count]}: items read (ScannedCount)", figures(phase, "items_evaluated"))
          for count, phase in zip(OTHER_TASKS, (small, large), strict=True)),
        *(Row(f"{labels[count]}: CapacityUnits reported by the backend", reported[count]) for count in OTHER_TASKS),
    ]
    result.notes += [
        f"capacity measured on {backend}: every listing Query sent with ReturnConsumedCapacity=TOTAL "
        "(botocore hooks on the handler's client); neither MiniStack nor moto derives CapacityUnits from the "
        "bytes read (MiniStack answers 0.5 per eventually consistent read, moto 1.0), so the criterion uses "
        "DynamoDB's rule applied to the items each Query evaluated: sizes summed, rounded up to 4 KB, 0.5 per 4 KB",
        f"seeded {large['seeded']:,} other users' task items with BatchWriteItem in {large['seed_seconds']:.0f} s "
        f"(table deleted afterwards)",
    ]
    result.verdicts.append(capacity_verdict(dict(zip([*names, "all three"], ratios, strict=True))))
    result.data = {"backend": backend, "criterion_limit": CAPACITY_RATIO_LIMIT, "own_tasks": OWN_TASKS,
                   "phases": phases, "ratio_computed_units": dict(zip([*names, "all three"], ratios, strict=True)),
                   "verdict": result.verdicts[-1]}


def _latency_part(target: Target) -> Result:
    part = Result(title=f"tasks API in-process on moto: {REQUESTS} calls each after {WARMUP} warm-up",
                  columns=["p50 ms", "p95 ms"])
    config = {"part": "latency", "endpoint": "", "own": OWN_TASKS, "warmup": WARMUP, "count": REQUESTS,
              "budget": LOOP_SECONDS}
    try:
        output = _run_child(_TASKS_CHILD, [json.dumps(config)],
                            _tasks_env(target, _template_ref("TasksTable", load_template(), target.stage)),
                            timeout=LOOP_SECONDS + 120)
    except BenchError as error:
        part.notes.append(f"latency part failed: {error}")
        return part
    timings: dict[str, list[float]] = json.loads(output)
    listed, created = _timed_figures(timings["list"]), _timed_figures(timings["create"])
    ratios = {key: ratio(created[key], listed[key]) for key in ("p50", "p95")}
    if len(timings["list"]) < REQUESTS:
        part.notes.append(f"time budget of {LOOP_SECONDS:.0f}s reached: {len(timings['list'])} calls each")
    part.rows = [
        Row("GET /api/tasks (first page, 20 of the user's tasks)", [listed["p50"], listed["p95"]]),
        Row("POST /api/tasks (one TransactWriteItems)", [created["p50"], created["p95"]]),
        Row("ratio create / list", [ratios["p50"], ratios["p95"]], ratio=True),
    ]
    part.data = {"backend": "moto in-process, TasksTable from template.yaml", "warmup": WARMUP,
                 "list_ms": listed, "create_ms": created, "ratio_create_to_list": ratios}
    return part


BENCHMARKS: list[tuple[str, Benchmark]] = [
    ("health_latency", health_latency),
    ("cold_imports", cold_imports),
    ("authorizer_cost", authorizer_cost),
    ("login_cost", login_cost),
    ("tasks_listing", tasks_listing),
]


# ---------------------------------------------------------------- running and reporting


def run_all(target: Target, benchmarks: list[tuple[str, Benchmark]] = BENCHMARKS) -> dict[str, Result]:
    """Run every benchmark in order; one that cannot be measured is reported, and the rest still run."""
    results: dict[str, Result] = {}
    for name, benchmark in benchmarks:
        print(f"running {name} ...", flush=True)
        try:
            results[name] = benchmark(target)
        except (BenchError, OSError, ClientError, BotoCoreError, ValueError) as error:
            results[name] = Result(title=name, columns=[], notes=[f"failed: {error}"])
    return results


def render(results: dict[str, Result]) -> str:
    """The results as one compact table, a section per benchmark (and per part of one)."""
    sections = [section for result in results.values() for section in (result, *result.parts)]
    width = max([len(result.title) + 2 for result in sections]
                + [len(row.label) + 4 for result in sections for row in result.rows])
    lines: list[str] = []
    for result in sections:
        lines.append(f"{result.title:<{width}}" + "".join(f"{column:>12}" for column in result.columns))
        for row in result.rows:
            lines.append(f"  {row.label:<{width - 2}}" + "".join(_cell(value, row.ratio) for value in row.values))
        lines.extend(f"  ! {note}" for note in result.notes)
        lines.extend(f"  => {verdict}" for verdict in result.verdicts)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _cell(value: float | None, is_ratio: bool) -> str:
    if value is None:
        return f"{'-':>12}"
    if is_ratio:
        return f"{value:>11.2f}x" if value < 1 else f"{value:>11.1f}x"
    return f"{value:>12.2f}" if value < 100 else f"{value:>12.0f}"


def write_json(target: Target, results: dict[str, Result], path: Path = RESULTS) -> None:
    """Save the figures (and any notes) as JSON for later comparison."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "target": {"endpoint": target.endpoint, "stack": target.stack_name},
        "python": sys.version.split()[0],
        "benchmarks": {name: _document(result) for name, result in results.items()},
    }
    path.write_text(json.dumps(document, indent=2) + "\n")


def _document(result: Result) -> dict[str, Any]:
    document: dict[str, Any] = {"title": result.title, "notes": result.notes, **result.data}
    if result.verdicts:
        document["verdicts"] = result.verdicts
    if result.parts:
        document["parts"] = [_document(part) for part in result.parts]
    return document


def main() -> None:
    target = activate(default_target())
    results = run_all(target)
    print(f"\nbench of {target.stack_name} on {target.endpoint} (ratios compare figures of this one run)\n")
    print(render(results))
    write_json(target, results)
    print(f"figures saved to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

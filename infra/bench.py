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
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from infra import emulator
from infra.config import LOCAL, REGION, ROOT, Target, activate, default_target
from infra.template import load_template
from infra.urls import discover
from infra.watch import function_specs

RESULTS = LOCAL / "bench.json"
SERVICE_PATH = [ROOT / "layers" / "common" / "python", ROOT / "functions" / "gateway", ROOT / "functions" / "realtime"]
HEALTH_EVENT = ROOT / "events" / "gateway-health.json"
HEALTH_FUNCTION = "GatewayFunction"
HEALTH_MODULE = "deepiri_gateway.handlers.api"
WARMUP = 20
REQUESTS = 200
LOOP_SECONDS = 120.0  # a load loop stops here even if it has not sent every request
REQUEST_TIMEOUT_SECONDS = 10.0
IMPORT_RUNS = 5
IMPORT_TIMEOUT_SECONDS = 60.0


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
    """What one benchmark measured: a small table, notes for the reader, and the figures for JSON."""

    title: str
    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)


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


def service_env(logical_id: str | None, stage: str) -> dict[str, str]:
    """The environment a function of template.yaml gets (Globals + its own), for running it off the cloud.

    ``!Ref``/``!Sub`` of parameters and resource names resolve for ``stage``; values that name other
    deployed resources' attributes (``!GetAtt``, ``!Join``, ``!If``) become empty strings.
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
        "PYTHONPATH": os.pathsep.join(str(path) for path in SERVICE_PATH),
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


def _gateway_timings(url: str, warmup: int, count: int, budget: float) -> list[float]:
    """Sequential GETs of ``url``: ``warmup`` unmeasured, then up to ``count`` timed (ms), within ``budget``."""
    timings: list[float] = []
    deadline = time.monotonic() + budget
    for index in range(warmup + count):
        if time.monotonic() > deadline:
            break
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(url, timeout=REQUEST_TIMEOUT_SECONDS) as response:  # noqa: S310 - 127.0.0.1
                response.read()
        except (urllib.error.URLError, OSError) as error:
            raise BenchError(f"GET {url} failed: {error}") from error
        elapsed = (time.perf_counter() - started) * 1000
        if index >= warmup:
            timings.append(elapsed)
    return timings


def health_latency(target: Target) -> Result:
    """p50/p95 of ``GET /health`` through the emulated API Gateway next to the handler called in-process."""
    result = Result(title=f"GET /health: {REQUESTS} sequential requests after {WARMUP} warm-up",
                    columns=["p50 ms", "p95 ms"])
    if not emulator.is_healthy(target):
        result.notes.append(f"skipped: no stack answers on {target.endpoint}; run `make up`, then `make bench`")
        return result
    try:
        rest = discover(target).rest
    except (ClientError, BotoCoreError, KeyError) as error:
        result.notes.append(f"skipped: stack {target.stack_name} is not deployed ({error}); run `make up`")
        return result
    if not rest.startswith("http://127.0.0.1:"):
        result.notes.append(f"skipped: {rest} is not on 127.0.0.1; this benchmark loads only the local stack")
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


BENCHMARKS: list[tuple[str, Benchmark]] = [
    ("health_latency", health_latency),
    ("cold_imports", cold_imports),
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
    """The results as one compact table, a section per benchmark."""
    width = max([len(result.title) + 2 for result in results.values()]
                + [len(row.label) + 4 for result in results.values() for row in result.rows])
    lines: list[str] = []
    for result in results.values():
        lines.append(f"{result.title:<{width}}" + "".join(f"{column:>12}" for column in result.columns))
        for row in result.rows:
            lines.append(f"  {row.label:<{width - 2}}" + "".join(_cell(value, row.ratio) for value in row.values))
        lines.extend(f"  ! {note}" for note in result.notes)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _cell(value: float | None, is_ratio: bool) -> str:
    if value is None:
        return f"{'-':>12}"
    if is_ratio:
        return f"{value:>11.1f}x"
    return f"{value:>12.2f}" if value < 100 else f"{value:>12.0f}"


def write_json(target: Target, results: dict[str, Result], path: Path = RESULTS) -> None:
    """Save the figures (and any notes) as JSON for later comparison."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "target": {"endpoint": target.endpoint, "stack": target.stack_name},
        "python": sys.version.split()[0],
        "benchmarks": {name: {"title": result.title, "notes": result.notes, **result.data}
                       for name, result in results.items()},
    }
    path.write_text(json.dumps(document, indent=2) + "\n")


def main() -> None:
    target = activate(default_target())
    results = run_all(target)
    print(f"\nbench of {target.stack_name} on {target.endpoint} (ratios compare figures of this one run)\n")
    print(render(results))
    write_json(target, results)
    print(f"figures saved to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()

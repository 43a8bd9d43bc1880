"""What every benchmark shares: its result type, percentiles and ratios, the environment a function of
template.yaml gets off the cloud, and running a probe module in a fresh interpreter."""

from __future__ import annotations

import math
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infra.config import REGION, ROOT, Target
from infra.template import Intrinsics, load_template

LAYER_SOURCE = ROOT / "layers" / "common" / "python"
# The common layer and every service's deploy unit, as a Lambda sees them (one package per folder).
SERVICE_PATH = [LAYER_SOURCE, *sorted(p for p in (ROOT / "functions").iterdir() if p.is_dir())]
WARMUP = 20
REQUESTS = 200
LOOP_SECONDS = 120.0  # a load loop stops here even if it has not sent every request
REQUEST_TIMEOUT_SECONDS = 10.0
COLD_REQUEST_TIMEOUT_SECONDS = 30.0  # a first request may start a Lambda container on the emulator


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


def percentile(values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of ``values`` (``fraction`` 0.5 is the median sample, 0.95 the p95)."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def ratio(numerator: float | None, denominator: float | None) -> float | None:
    """``numerator / denominator``, or None when either is missing or the denominator is zero."""
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def timed_figures(timings: list[float]) -> dict[str, float | int | None]:
    """p50, p95 and the sample count of ``timings`` (None figures when there are none)."""
    if not timings:
        return {"p50": None, "p95": None, "samples": 0}
    return {"p50": percentile(timings, 0.5), "p95": percentile(timings, 0.95), "samples": len(timings)}


def verdict(label: str, value: float | None, limit: float) -> str:
    """PASS when ``value`` is measured and at most ``limit``, else FAIL saying which."""
    if value is None:
        return f"FAIL: {label} not measured"
    word = "PASS" if value <= limit else "FAIL"
    return f"{word}: {label} {value:.2f}x (limit {limit:.2f}x)"


def function_environment(logical_id: str | None, stage: str) -> dict[str, str]:
    """The variables a function of template.yaml gets (Globals + its own), resolved for ``stage``.

    Values that name what only a deployment knows (``!GetAtt`` of an attribute other than an ARN,
    ``!If``) become empty strings.
    """
    template = load_template()
    variables: dict[str, Any] = dict(template.get("Globals", {}).get("Function", {})
                                     .get("Environment", {}).get("Variables", {}))
    if logical_id is not None:
        props = template["Resources"][logical_id].get("Properties", {})
        variables.update(props.get("Environment", {}).get("Variables", {}))
    intrinsics = Intrinsics(stage=stage, region=REGION)
    return {key: intrinsics.text(value, default="") for key, value in variables.items()}


def service_env(logical_id: str | None, stage: str, path: list[Path] = SERVICE_PATH) -> dict[str, str]:
    """The environment of a child interpreter running a function of template.yaml off the cloud.

    Its template variables (:func:`function_environment`), dummy credentials, and ``path`` as PYTHONPATH.
    """
    return {
        **{key: value for key, value in os.environ.items() if not key.startswith(("PYTHON", "AWS_"))},
        **function_environment(logical_id, stage),
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "PYTHONPATH": os.pathsep.join(str(folder) for folder in path),
    }


def run_probe(module: str, args: list[str], env: dict[str, str], timeout: float,
              python: Path | str = sys.executable) -> str:
    """Run ``python -m module args`` (a module of :mod:`infra.bench.probes`) from the repository root.

    Returns the last line the probe printed; a failure or a timeout raises BenchError with its last words.
    """
    try:
        done = subprocess.run([str(python), "-m", module, *args], env=env, cwd=ROOT, capture_output=True,
                              text=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired as error:
        raise BenchError(f"timed out after {timeout:.0f}s") from error
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        last = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise BenchError(last)
    return lines[-1]

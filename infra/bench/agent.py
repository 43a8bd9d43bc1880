"""The AI service's local engine: POST /api/agent/classify and /parse, through the emulated API Gateway
next to the same handler called in-process (the classifier is pure Python: its cost is the in-process
figure; the gateway adds the emulator's hop and the authorizer); then the AI function's cold import next
to ``import boto3`` on the Lambda runtime interpreter (fresh processes, round-robin, median), and the
first load of the classifier's artefact. The stack runs whichever provider it was deployed with: run the
bench on a stack deployed with the local provider (``make up``'s default) to measure the local engine."""

from __future__ import annotations

import json
import statistics

from infra.bench.coldstart import IMPORT_RUNS, IMPORT_TIMEOUT_SECONDS, import_env
from infra.bench.core import (
    LOOP_SECONDS,
    REQUESTS,
    WARMUP,
    BenchError,
    Result,
    Row,
    percentile,
    ratio,
    run_probe,
    service_env,
)
from infra.bench.local import bench_user, gateway_timings, local_rest
from infra.config import BUILD_DIR, ROOT, RUNTIME_PYTHON, Target

FUNCTION = "AiApiFunction"
MODULE = "deepiri_ai.handlers.api"
ROUTES = {  # route → (sample event for the in-process call, body sent through the gateway)
    "classify": (ROOT / "events" / "ai-classify.json", {"title": "Write essay on capital",
                                                         "description": "2,000 words for the politics seminar"}),
    "parse": (ROOT / "events" / "ai-parse.json",
              {"text": "write the Q3 report by next Friday 5pm, high priority #work"}),
}


def run(target: Target) -> Result:
    """p50/p95 of classify and parse through the gateway and in-process."""
    result = Result(title=f"POST /api/agent/classify and /parse: {REQUESTS} sequential requests after "
                          f"{WARMUP} warm-up", columns=["p50 ms", "p95 ms"])
    rest = local_rest(target, result)
    if rest is None:
        return result
    headers = {"Authorization": f"Bearer {bench_user(rest).access_token}"}
    for name, (event, body) in ROUTES.items():
        gateway = gateway_timings(f"{rest}/api/agent/{name}", WARMUP, REQUESTS, LOOP_SECONDS, headers, body=body)
        output = run_probe("infra.bench.probes.handler_calls",
                           [MODULE, str(event), str(WARMUP), str(REQUESTS), str(LOOP_SECONDS)],
                           # parse reads the caller's timezone from the stack's table, as the function does
                           {**service_env(FUNCTION, target.stage), "AWS_ENDPOINT_URL": target.endpoint},
                           timeout=LOOP_SECONDS + 60)
        local: list[float] = json.loads(output)
        figures = {"gateway_ms": {"p50": percentile(gateway, 0.5), "p95": percentile(gateway, 0.95),
                                  "samples": len(gateway)},
                   "in_process_ms": {"p50": percentile(local, 0.5), "p95": percentile(local, 0.95),
                                     "samples": len(local)}}
        result.rows += [
            Row(f"{name}: API Gateway → Lambda", [figures["gateway_ms"]["p50"], figures["gateway_ms"]["p95"]]),
            Row(f"{name}: handler in-process", [figures["in_process_ms"]["p50"], figures["in_process_ms"]["p95"]]),
            Row(f"{name}: ratio gateway / in-process",
                [ratio(figures["gateway_ms"][key], figures["in_process_ms"][key]) for key in ("p50", "p95")],
                ratio=True),
        ]
        result.data[name] = figures
    result.parts.append(cold_import(target))
    return result


def cold_import(target: Target) -> Result:
    """Median import of ``import boto3``, the AI handler, and the handler plus its classifier's first load, on
    the runtime interpreter with the built function and layer folders, as Lambda imports them."""
    result = Result(title=f"AI function cold import on the Lambda runtime interpreter (median of {IMPORT_RUNS} "
                          "fresh processes)", columns=["median ms", "x boto3"])
    built, layer = BUILD_DIR / FUNCTION, BUILD_DIR / "CommonLayer" / "python"
    if not built.is_dir() or not layer.is_dir() or not RUNTIME_PYTHON.exists():
        result.notes.append("skipped: the sam build folders or .local/runtime are missing; run `make up` first")
        return result
    env = import_env(FUNCTION, [built, layer], target.stage)
    cases = {  # label → (probe, module, environment)
        "import boto3": ("infra.bench.probes.import_time", "boto3", import_env(None, [], target.stage)),
        f"import {MODULE}": ("infra.bench.probes.import_time", MODULE, env),
        "the same + first classification (artefact load)": ("infra.bench.probes.first_classify", MODULE, env),
    }
    samples: dict[str, list[float]] = {label: [] for label in cases}
    for _ in range(IMPORT_RUNS):  # round-robin, so a slow moment of the machine spreads over every case
        for label, (probe, module, case_env) in cases.items():
            try:
                samples[label].append(float(run_probe(probe, [module], case_env, IMPORT_TIMEOUT_SECONDS,
                                                      python=RUNTIME_PYTHON)))
            except (BenchError, ValueError) as error:
                result.notes.append(f"{label}: {error}")
    medians = {label: statistics.median(values) if values else None for label, values in samples.items()}
    for label, value in medians.items():
        result.rows.append(Row(label, [value, ratio(value, medians["import boto3"])]))
    result.data = {"cold_import_ms": medians}
    return result

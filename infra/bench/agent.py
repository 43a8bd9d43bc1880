"""The AI service's local engine: POST /api/agent/classify and /parse, through the emulated API Gateway
next to the same handler called in-process (the classifier is pure Python: its cost is the in-process
figure; the gateway adds the emulator's hop and the authorizer). The AI function's cold import next to
``import boto3`` is in the coldstart benchmark's table (AiApiFunction's row)."""

from __future__ import annotations

import json

from infra.bench.core import LOOP_SECONDS, REQUESTS, WARMUP, Result, Row, percentile, ratio, run_probe, service_env
from infra.bench.local import bench_user, gateway_timings, local_rest
from infra.config import ROOT, Target

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
    return result

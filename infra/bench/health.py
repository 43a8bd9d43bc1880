"""GET /health through the emulated API Gateway next to the same handler called in-process."""

from __future__ import annotations

import json

from infra.bench.core import LOOP_SECONDS, REQUESTS, WARMUP, Result, Row, percentile, ratio, run_probe, service_env
from infra.bench.local import gateway_timings, local_rest
from infra.config import ROOT, Target

HEALTH_EVENT = ROOT / "events" / "gateway-health.json"
HEALTH_FUNCTION = "GatewayFunction"
HEALTH_MODULE = "deepiri_gateway.handlers.api"


def run(target: Target) -> Result:
    """p50/p95 of ``GET /health`` through the emulated API Gateway next to the handler called in-process."""
    result = Result(title=f"GET /health: {REQUESTS} sequential requests after {WARMUP} warm-up",
                    columns=["p50 ms", "p95 ms"])
    rest = local_rest(target, result)
    if rest is None:
        return result
    gateway = gateway_timings(f"{rest}/health", WARMUP, REQUESTS, LOOP_SECONDS)
    output = run_probe("infra.bench.probes.handler_calls",
                       [HEALTH_MODULE, str(HEALTH_EVENT), str(WARMUP), str(REQUESTS), str(LOOP_SECONDS)],
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

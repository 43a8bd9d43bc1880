"""What the REST authorizer costs: in-process (cold, session cache fresh, expired) and through the gateway,
an authorized route next to an open one."""

from __future__ import annotations

import json
from typing import Any

from infra.bench.core import (
    COLD_REQUEST_TIMEOUT_SECONDS,
    LOOP_SECONDS,
    REQUESTS,
    WARMUP,
    BenchError,
    Result,
    Row,
    ratio,
    run_probe,
    service_env,
    timed_figures,
    verdict,
)
from infra.bench.local import BenchUser, bench_user, gateway_timings, local_rest, timed_get
from infra.config import ROOT, Target

AUTHORIZER_EVENT = ROOT / "events" / "authorizer-rest.json"
AUTHORIZER_FUNCTION = "AuthorizerFunction"
AUTHORIZER_CALLS = 300  # per phase: warm (session cache fresh), then uncached (session cache expired)
AUTHORIZED_PATH = "/api/realtime/me"
AUTHORIZED_LIMIT = 1.5  # an authorized route may cost at most this many times an open one


def run(target: Target) -> Result:
    """The authorizer in-process (cold, session cache fresh, session cache expired), then what an
    authorized route costs through the emulated API Gateway next to an open one."""
    result = Result(title=f"authorizer: {AUTHORIZER_CALLS} in-process calls per case, {REQUESTS} requests per route",
                    columns=["p50 ms", "p95 ms"])
    rest = local_rest(target, result)
    if rest is None:
        return result
    user = bench_user(rest)
    env = {**service_env(AUTHORIZER_FUNCTION, target.stage), "AWS_ENDPOINT_URL": target.endpoint,
           "BENCH_ACCESS_TOKEN": user.access_token}
    output = run_probe("infra.bench.probes.authorizer_calls",
                       [str(AUTHORIZER_EVENT), str(AUTHORIZER_CALLS), str(LOOP_SECONDS)], env,
                       timeout=LOOP_SECONDS + 60)
    measured: dict[str, Any] = json.loads(output)
    warm, uncached = timed_figures(measured["warm"]), timed_figures(measured["uncached"])
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
        through_gateway(rest, user, result)
    except BenchError as error:
        result.notes.append(f"gateway part failed: {error}")
        result.verdicts.append(verdict("authorized / open p50", None, AUTHORIZED_LIMIT))
    return result


def through_gateway(rest: str, user: BenchUser, result: Result) -> None:
    """p50/p95 of the authorized GET /api/realtime/me next to the open GET /health; adds rows to ``result``.

    The two routes alternate request by request, so a busy moment of the shared machine weighs on both.
    """
    headers = {"Authorization": f"Bearer {user.access_token}"}
    url, open_url = f"{rest}{AUTHORIZED_PATH}", f"{rest}/health"
    # The authorizer and realtime Lambdas may start cold: one unmeasured request with a long timeout.
    timed_get(url, headers, COLD_REQUEST_TIMEOUT_SECONDS)
    timed_get(open_url, None, COLD_REQUEST_TIMEOUT_SECONDS)
    authorized: list[float] = []
    open_route: list[float] = []
    for _ in range(WARMUP + REQUESTS):
        authorized += gateway_timings(url, 0, 1, LOOP_SECONDS, headers)
        open_route += gateway_timings(open_url, 0, 1, LOOP_SECONDS)
    authorized, open_route = authorized[WARMUP:], open_route[WARMUP:]
    figures = {"authorized": timed_figures(authorized), "open": timed_figures(open_route)}
    ratios = {key: ratio(figures["authorized"][key], figures["open"][key]) for key in ("p50", "p95")}
    p50_overhead = (figures["authorized"]["p50"] or 0.0) - (figures["open"]["p50"] or 0.0)
    result.rows += [
        Row(f"GET {AUTHORIZED_PATH} with token (gateway)",
            [figures["authorized"]["p50"], figures["authorized"]["p95"]]),
        Row("GET /health, open (gateway)", [figures["open"]["p50"], figures["open"]["p95"]]),
        Row("ratio authorized / open", [ratios["p50"], ratios["p95"]], ratio=True),
    ]
    result.verdicts.append(verdict("authorized / open p50", ratios["p50"], AUTHORIZED_LIMIT))
    result.data.update({
        "urls": {"authorized": url, "open": open_url},
        "warmup": WARMUP,
        "gateway_ms": figures,
        "gateway_p50_overhead_ms": p50_overhead,
        "ratio_authorized_to_open": ratios,
        "criterion_limit": AUTHORIZED_LIMIT,
    })

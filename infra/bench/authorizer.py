"""What the REST authorizer costs: in-process (cold, session cache fresh, expired) and through the gateway,
an authorized route next to an open one."""

from __future__ import annotations

import json
from typing import Any

from infra.bench import core
from infra.bench.local import BenchUser, bench_user, gateway_timings, local_rest, timed_get
from infra.config import ROOT, Target

AUTHORIZER_EVENT = ROOT / "events" / "authorizer-rest.json"
AUTHORIZER_FUNCTION = "AuthorizerFunction"
AUTHORIZER_CALLS = 300  # per phase: warm (session cache fresh), then uncached (session cache expired)
AUTHORIZED_PATH = "/api/realtime/me"
AUTHORIZED_LIMIT = 1.5  # an authorized route may cost at most this many times an open one


def run(target: Target) -> core.Result:
    """The authorizer in-process (cold, session cache fresh, session cache expired), then what an
    authorized route costs through the emulated API Gateway next to an open one."""
    result = core.Result(
        title=f"authorizer: {AUTHORIZER_CALLS} in-process calls per case, {core.REQUESTS} requests per route",
        columns=["p50 ms", "p95 ms"])
    rest = local_rest(target, result)
    if rest is None:
        return result
    user = bench_user(rest)
    env = {**core.service_env(AUTHORIZER_FUNCTION, target.stage), "AWS_ENDPOINT_URL": target.endpoint,
           "BENCH_ACCESS_TOKEN": user.access_token}
    output = core.run_probe("infra.bench.probes.authorizer_calls",
                            [str(AUTHORIZER_EVENT), str(AUTHORIZER_CALLS), str(core.LOOP_SECONDS)], env,
                            timeout=core.LOOP_SECONDS + 60)
    measured: dict[str, Any] = json.loads(output)
    warm, uncached = core.timed_figures(measured["warm"]), core.timed_figures(measured["uncached"])
    warm_ratio = {key: core.ratio(warm[key], uncached[key]) for key in ("p50", "p95")}
    reads = measured["reads"]
    if len(measured["warm"]) < AUTHORIZER_CALLS:
        result.notes.append(f"time budget of {core.LOOP_SECONDS:.0f}s reached: {len(measured['warm'])} calls per case")
    if reads["warm"] or reads["uncached"] != len(measured["uncached"]):
        result.notes.append(f"session reads were {reads['warm']} warm and {reads['uncached']} uncached "
                            f"for {len(measured['uncached'])} calls each: the cases are not what they say")
    result.rows = [
        core.Row("in-process, first call (key set fetch + session read)", [measured["cold"], None]),
        core.Row("in-process, session cache fresh (warm)", [warm["p50"], warm["p95"]]),
        core.Row(f"in-process, session cache expired (+{measured['cache_seconds']:.0f} s clock)",
                 [uncached["p50"], uncached["p95"]]),
        core.Row("ratio warm / uncached", [warm_ratio["p50"], warm_ratio["p95"]], ratio=True),
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
    except core.BenchError as error:
        result.notes.append(f"gateway part failed: {error}")
        result.verdicts.append(core.verdict("authorized / open p50", None, AUTHORIZED_LIMIT))
    return result


def through_gateway(rest: str, user: BenchUser, result: core.Result) -> None:
    """p50/p95 of the authorized GET /api/realtime/me next to the open GET /health; adds rows to ``result``.

    The two routes alternate request by request, so a busy moment of the shared machine weighs on both.
    """
    headers = {"Authorization": f"Bearer {user.access_token}"}
    url, open_url = f"{rest}{AUTHORIZED_PATH}", f"{rest}/health"
    # The authorizer and realtime Lambdas may start cold: one unmeasured request with a long timeout.
    timed_get(url, headers, core.COLD_REQUEST_TIMEOUT_SECONDS)
    timed_get(open_url, None, core.COLD_REQUEST_TIMEOUT_SECONDS)
    authorized: list[float] = []
    open_route: list[float] = []
    for _ in range(core.WARMUP + core.REQUESTS):
        authorized += gateway_timings(url, 0, 1, core.LOOP_SECONDS, headers)
        open_route += gateway_timings(open_url, 0, 1, core.LOOP_SECONDS)
    authorized, open_route = authorized[core.WARMUP:], open_route[core.WARMUP:]
    figures = {"authorized": core.timed_figures(authorized), "open": core.timed_figures(open_route)}
    ratios = {key: core.ratio(figures["authorized"][key], figures["open"][key]) for key in ("p50", "p95")}
    p50_overhead = (figures["authorized"]["p50"] or 0.0) - (figures["open"]["p50"] or 0.0)
    result.rows += [
        core.Row(f"GET {AUTHORIZED_PATH} with token (gateway)",
            [figures["authorized"]["p50"], figures["authorized"]["p95"]]),
        core.Row("GET /health, open (gateway)", [figures["open"]["p50"], figures["open"]["p95"]]),
        core.Row("ratio authorized / open", [ratios["p50"], ratios["p95"]], ratio=True),
    ]
    result.verdicts.append(core.verdict("authorized / open p50", ratios["p50"], AUTHORIZED_LIMIT))
    result.data.update({
        "urls": {"authorized": url, "open": open_url},
        "warmup": core.WARMUP,
        "gateway_ms": figures,
        "gateway_p50_overhead_ms": p50_overhead,
        "ratio_authorized_to_open": ratios,
        "criterion_limit": AUTHORIZED_LIMIT,
    })

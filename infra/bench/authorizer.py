"""What the REST authorizer costs: in-process (cold, session cache fresh, expired) and through the gateway,
an authorized route next to an open one.

Through the gateway the criterion's pair is two routes of the same function doing the same work, one
behind the authorizer and one open: ``GET /api/admin/readiness`` for a user who is not an admin (the
gateway function answers 403 from the authorizer's context, before any read) next to ``GET /health``
(the gateway function's liveness, no read). What separates them is the authorizer (its Lambda hop when
API Gateway's cache of its answer has expired, and the cache lookup). The earlier pair,
``GET /api/realtime/me`` (another function, which reads two tables) next to ``GET /health``, is still
measured beside it: it adds that route's own work to the authorizer's.
"""

from __future__ import annotations

import json
from typing import Any

from infra.bench import core
from infra.bench.local import BenchUser, bench_user, gateway_timings, get_body, local_rest, timed_get
from infra.config import ROOT, Target

AUTHORIZER_EVENT = ROOT / "events" / "authorizer-rest.json"
AUTHORIZER_FUNCTION = "AuthorizerFunction"
AUTHORIZER_CALLS = 300  # per phase: warm (session cache fresh), then uncached (session cache expired)
AUTHORIZED_PATH = "/api/realtime/me"  # the realtime function: reads the caller's presence and connections
# The gateway function, as /health: refuses a user without the admin role (403) from the authorizer's
# context, before reading anything. The bench user is a fresh account, never an admin.
SAME_WORK_PATH = "/api/admin/readiness"
SAME_WORK_STATUS = 403
SAME_WORK_REFUSAL = "requires the admin role"  # the handler's refusal, not the authorizer's deny
OPEN_PATH = "/health"
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
        result.verdicts.append(core.verdict("authorized / open p50, same function and work", None, AUTHORIZED_LIMIT))
    return result


def through_gateway(rest: str, user: BenchUser, result: core.Result) -> None:
    """p50/p95 of the authorized routes next to the open GET /health; adds rows to ``result``.

    The three routes alternate request by request, so a busy moment of the shared machine weighs on each.
    """
    headers = {"Authorization": f"Bearer {user.access_token}"}
    url, same_url, open_url = f"{rest}{AUTHORIZED_PATH}", f"{rest}{SAME_WORK_PATH}", f"{rest}{OPEN_PATH}"
    # The authorizer and the Lambdas may start cold: one unmeasured request each, with a long timeout.
    timed_get(url, headers, core.COLD_REQUEST_TIMEOUT_SECONDS)
    refusal = get_body(same_url, headers, SAME_WORK_STATUS)
    if SAME_WORK_REFUSAL not in refusal.decode(errors="replace"):
        raise core.BenchError(f"GET {SAME_WORK_PATH} was refused by something other than its handler: "
                              f"{refusal[:200]!r}")
    timed_get(open_url, None, core.COLD_REQUEST_TIMEOUT_SECONDS)
    authorized: list[float] = []
    same_work: list[float] = []
    open_route: list[float] = []
    for _ in range(core.WARMUP + core.REQUESTS):
        authorized += gateway_timings(url, 0, 1, core.LOOP_SECONDS, headers)
        same_work += gateway_timings(same_url, 0, 1, core.LOOP_SECONDS, headers, expected_status=SAME_WORK_STATUS)
        open_route += gateway_timings(open_url, 0, 1, core.LOOP_SECONDS)
    figures = {name: core.timed_figures(timings[core.WARMUP:]) for name, timings in
               (("authorized", authorized), ("same_work", same_work), ("open", open_route))}
    ratios = {pair: {key: core.ratio(figures[pair][key], figures["open"][key]) for key in ("p50", "p95")}
              for pair in ("authorized", "same_work")}
    overhead = {pair: (figures[pair]["p50"] or 0.0) - (figures["open"]["p50"] or 0.0)
                for pair in ("authorized", "same_work")}
    result.rows += [
        core.Row(f"GET {SAME_WORK_PATH} with token, non-admin: 403 from the gateway function (authorizer)",
                 [figures["same_work"]["p50"], figures["same_work"]["p95"]]),
        core.Row(f"GET {OPEN_PATH}, open: the gateway function (no authorizer)",
                 [figures["open"]["p50"], figures["open"]["p95"]]),
        core.Row("ratio authorized / open, same function and work", [ratios["same_work"]["p50"],
                                                                      ratios["same_work"]["p95"]], ratio=True),
        core.Row(f"GET {AUTHORIZED_PATH} with token (realtime function, two table reads)",
                 [figures["authorized"]["p50"], figures["authorized"]["p95"]]),
        core.Row(f"ratio {AUTHORIZED_PATH} / {OPEN_PATH} (includes the route's reads)",
                 [ratios["authorized"]["p50"], ratios["authorized"]["p95"]], ratio=True),
    ]
    result.verdicts.append(core.verdict("authorized / open p50, same function and work",
                                        ratios["same_work"]["p50"], AUTHORIZED_LIMIT))
    result.data.update({
        "urls": {"authorized": url, "authorized_same_work": same_url, "open": open_url},
        "warmup": core.WARMUP,
        "gateway_ms": figures,
        "gateway_p50_overhead_ms": overhead,
        "ratio_authorized_to_open": ratios["authorized"],
        "ratio_same_work_authorized_to_open": ratios["same_work"],
        "criterion": "ratio_same_work_authorized_to_open.p50",
        "criterion_limit": AUTHORIZED_LIMIT,
    })

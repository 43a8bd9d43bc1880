"""POST /api/auth/login through the emulated API Gateway next to argon2id verify in-process."""

from __future__ import annotations

import json
import time
import urllib.error

from infra.bench import core, local
from infra.config import ROOT, Target

USERS_FUNCTION = "UsersAuthFunction"
USERS_PATH = [ROOT / "layers" / "common" / "python", ROOT / "functions" / "users"]
# Login is rate-limited per IP (50 per 5 min) and per email (20 per 15 min): a run sends at most this many.
LOGIN_WARMUP = 1
LOGIN_REQUESTS = 14
VERIFY_RUNS = 15


def login_timings(rest: str, user: local.BenchUser, warmup: int, count: int, *, budget: float,
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
        timeout = core.COLD_REQUEST_TIMEOUT_SECONDS if index == 0 else core.REQUEST_TIMEOUT_SECONDS
        started = time.perf_counter()
        try:
            answer = local.post_json(url, body, timeout)
        except urllib.error.HTTPError as error:
            if error.code == 429:
                notes.append(f"login rate limit reached after {index} logins (429); wait 5 minutes between runs")
                break
            raise core.BenchError(f"POST /api/auth/login answered {local.problem(error)}") from error
        except (urllib.error.URLError, OSError) as error:
            raise core.BenchError(f"POST /api/auth/login failed: {error}") from error
        elapsed = (time.perf_counter() - started) * 1000
        if "accessToken" not in answer:
            raise core.BenchError("POST /api/auth/login answered no access token")
        if index >= warmup:
            timings.append(elapsed)
    return timings


def run(target: Target) -> core.Result:
    """p50/p95 of ``POST /api/auth/login`` through the emulated API Gateway next to argon2id verify in-process."""
    result = core.Result(title=f"login: {LOGIN_REQUESTS} POST /api/auth/login after {LOGIN_WARMUP} warm-up, "
                               f"{VERIFY_RUNS} verifies",
                         columns=["p50 ms", "p95 ms"])
    output = core.run_probe("infra.bench.probes.password_verify", [str(VERIFY_RUNS), str(core.LOOP_SECONDS)],
                            core.service_env(USERS_FUNCTION, target.stage, USERS_PATH),
                            timeout=core.LOOP_SECONDS + 60)
    verify = core.timed_figures(json.loads(output))
    verify_row = core.Row("passwords.verify_password in-process (argon2id)", [verify["p50"], verify["p95"]])
    result.data = {"in_process_verify_ms": verify,
                   "pythonpath": [str(path.relative_to(ROOT)) for path in USERS_PATH]}
    rest = local.local_rest(target, result)
    if rest is None:
        result.rows = [verify_row]
        return result
    user = local.bench_user(rest)
    login = core.timed_figures(login_timings(rest, user, LOGIN_WARMUP, LOGIN_REQUESTS, budget=core.LOOP_SECONDS,
                                        notes=result.notes))
    ratios = {key: core.ratio(login[key], verify[key]) for key in ("p50", "p95")}
    result.rows = [
        core.Row("POST /api/auth/login (gateway)", [login["p50"], login["p95"]]),
        verify_row,
        core.Row("ratio login / verify", [ratios["p50"], ratios["p95"]], ratio=True),
    ]
    result.data.update({"url": f"{rest}/api/auth/login", "warmup": LOGIN_WARMUP, "gateway_login_ms": login,
                        "ratio_login_to_verify": ratios})
    return result

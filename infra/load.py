"""A bounded mixed task workload against a stack of its own on 127.0.0.1: cold bursts and warm runs.

    python -m infra.load [--seconds 20] [--clients 1,8,16] [--keep]

Starts a fresh emulator on a free port with its own state folder (never the developer's stack), deploys
the template, registers one user per client, then for each client count runs the workload *cold* (right
after an emulator restart: no Lambda worker alive) and afterwards *warm*. Each client loops create →
list → get → complete on its own user's tasks until the phase's time or request budget is spent. Prints
requests per second, p50 / p95 / p99 per operation, and every non-2xx answer or timeout; writes the
figures to .local/load.json; stops the emulator and removes its state unless ``--keep``.
"""

from __future__ import annotations

import argparse
import json
import secrets
import shutil
import statistics
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import urlparse

from infra import deploy, emulator
from infra.cli import run
from infra.config import LOCAL, Target, activate
from infra.urls import discover

REQUEST_TIMEOUT_SECONDS = 30.0  # what the clients waited; a timeout is recorded, never retried
MAX_REQUESTS_PER_CLIENT = 400  # with the phase's seconds, bounds every phase
THROTTLED_PAUSE_SECONDS = 1.0
STAGE = "load"
OPERATIONS = ("create", "list", "get", "complete")


@dataclass
class Sample:
    operation: str
    status: int  # 0 for a timeout or a connection error
    seconds: float
    detail: str = ""


@dataclass
class Phase:
    name: str
    clients: int
    wall_seconds: float = 0.0
    samples: list[Sample] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        by_operation = {}
        for operation in OPERATIONS:
            timings = sorted(s.seconds for s in self.samples if s.operation == operation)
            by_operation[operation] = {"count": len(timings), **percentiles(timings)}
        failures = [s for s in self.samples if not 200 <= s.status < 300]
        return {
            "phase": self.name, "clients": self.clients, "requests": len(self.samples),
            "wall_seconds": round(self.wall_seconds, 2),
            "requests_per_second": round(len(self.samples) / self.wall_seconds, 1) if self.wall_seconds else 0.0,
            "timeouts": sum(1 for s in failures if s.status == 0),
            "5xx": sum(1 for s in failures if s.status >= 500),
            "4xx": sum(1 for s in failures if 400 <= s.status < 500),
            "operations": by_operation,
            "failures": [asdict(s) for s in failures],
        }


def percentiles(timings: list[float]) -> dict[str, float | None]:
    """p50 / p95 / p99 in milliseconds (nearest rank) of sorted ``timings`` in seconds."""
    if not timings:
        return {"p50_ms": None, "p95_ms": None, "p99_ms": None}

    def rank(fraction: float) -> float:
        return round(timings[min(len(timings) - 1, max(0, int(fraction * len(timings) + 0.5) - 1))] * 1000, 1)

    return {"p50_ms": rank(0.50), "p95_ms": rank(0.95), "p99_ms": rank(0.99)}


class Client:
    """One simulated person: their token, their open tasks, and the phase's samples."""

    def __init__(self, rest: str, token: str, phase: Phase, lock: threading.Lock) -> None:
        self.rest, self.token, self.phase, self.lock = rest, token, phase, lock
        self.open_tasks: list[str] = []

    def call(self, operation: str, method: str, path: str, body: Mapping[str, Any] | None = None) -> Any:
        request = urllib.request.Request(  # noqa: S310 - the rest URL is checked to be 127.0.0.1
            f"{self.rest}{path}", method=method, data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        started = time.perf_counter()
        status, detail, answer = 0, "", None
        try:
            with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:  # noqa: S310
                status, answer = response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            status, detail = error.code, error.read(300).decode(errors="replace")
        except (TimeoutError, urllib.error.URLError, OSError) as error:
            detail = f"{type(error).__name__}: {error}"
        sample = Sample(operation, status, time.perf_counter() - started, detail)
        with self.lock:
            self.phase.samples.append(sample)
        if status == 429:
            time.sleep(THROTTLED_PAUSE_SECONDS)  # as a client honouring Retry-After would
        return answer if 200 <= status < 300 else None

    def one_round(self, n: int) -> int:
        """create, list, get, complete: four requests (fewer when one fails)."""
        created = self.call("create", "POST", "/api/tasks", {"title": f"load task {n}", "difficulty": "easy"})
        self.call("list", "GET", "/api/tasks?limit=20")
        if not isinstance(created, dict) or "id" not in created:
            return 2
        task_id = str(created["id"])
        self.call("get", "GET", f"/api/tasks/{task_id}")
        self.call("complete", "POST", f"/api/tasks/{task_id}/complete", {})
        return 4

    def run(self, deadline: float) -> None:
        sent, n = 0, 0
        while time.monotonic() < deadline and sent < MAX_REQUESTS_PER_CLIENT:
            sent += self.one_round(n)
            n += 1


def run_phase(name: str, rest: str, tokens: list[str], clients: int, seconds: float) -> Phase:
    """``clients`` threads, each with its own user, for ``seconds`` (or their request budget)."""
    phase, lock = Phase(name, clients), threading.Lock()
    workers = [Client(rest, tokens[i % len(tokens)], phase, lock) for i in range(clients)]
    started = time.monotonic()
    threads = [threading.Thread(target=w.run, args=(started + seconds,), daemon=True) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + REQUEST_TIMEOUT_SECONDS * 4 + 5)
    phase.wall_seconds = time.monotonic() - started
    return phase


def _post(url: str, body: Mapping[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(  # noqa: S310 - 127.0.0.1
        url, data=json.dumps(body).encode(), method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        answer = json.loads(response.read())
    return answer if isinstance(answer, dict) else {}


def register_users(rest: str, count: int) -> list[tuple[str, str]]:
    """``count`` new users (email, password) on the stack."""
    users = []
    for _ in range(count):
        email, password = f"load-{uuid.uuid4().hex[:12]}@example.com", f"load-{secrets.token_urlsafe(18)}"
        _post(f"{rest}/api/auth/register", {"email": email, "password": password, "displayName": "Load"})
        users.append((email, password))
    return users


def log_in(rest: str, users: list[tuple[str, str]]) -> list[str]:
    """Fresh access tokens (they live 15 minutes; every phase logs in again)."""
    return [str(_post(f"{rest}/api/auth/login", {"email": e, "password": p})["accessToken"])
            for e, p in users]


def restart(target: Target) -> None:
    """Stop and start the emulator: its state (the deployed stack, the users) stays, every worker is gone."""
    emulator.stop(target)
    emulator.start(target)


def print_phase(summary: dict[str, Any]) -> None:
    print(f"\n{summary['phase']}: {summary['clients']} clients, {summary['requests']} requests in "
          f"{summary['wall_seconds']} s = {summary['requests_per_second']} req/s; "
          f"timeouts {summary['timeouts']}, 5xx {summary['5xx']}, 4xx {summary['4xx']}")
    print(f"  {'operation':<10} {'count':>6} {'p50 ms':>9} {'p95 ms':>9} {'p99 ms':>9}")
    for operation, figures in summary["operations"].items():
        print(f"  {operation:<10} {figures['count']:>6} {figures['p50_ms']!s:>9} {figures['p95_ms']!s:>9} "
              f"{figures['p99_ms']!s:>9}")
    for failure in summary["failures"]:
        what = "timeout/error" if failure["status"] == 0 else failure["status"]
        print(f"  ! {failure['operation']} {what} after {failure['seconds']:.2f} s {failure['detail'][:160]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each phase (at most 120)")
    parser.add_argument("--clients", default="1,8,16", help="client counts, comma-separated (at most 32)")
    parser.add_argument("--keep", action="store_true", help="leave the load emulator running with its state")
    args = parser.parse_args()
    seconds = min(args.seconds, 120.0)
    counts = [min(int(c), 32) for c in args.clients.split(",")]
    port = emulator.free_port()
    state_dir = LOCAL / "state" / f"load-{port}"
    target = activate(Target(endpoint=f"http://127.0.0.1:{port}", stage=STAGE, state_dir=state_dir))
    summaries: list[dict[str, Any]] = []
    try:
        emulator.start(target)
        deploy.build_and_deploy(target, {"RegistrationsPerIpPerHour": "500"})
        rest = discover(target).rest
        if urlparse(rest).hostname != "127.0.0.1":
            raise SystemExit(f"refusing to load {rest}: 127.0.0.1 only")
        users = register_users(rest, max(counts))
        for clients in counts:
            restart(target)
            tokens = log_in(rest, users[:clients])
            summaries.append(run_phase(f"cold {clients}", rest, tokens, clients, seconds).summary())
            print_phase(summaries[-1])
        tokens = log_in(rest, users)
        run_phase("warm-up", rest, tokens, max(counts), min(seconds, 10.0))
        for clients in counts:
            summaries.append(run_phase(f"warm {clients}", rest, tokens[:clients], clients, seconds).summary())
            print_phase(summaries[-1])
    finally:
        (LOCAL / "load.json").write_text(json.dumps(summaries, indent=2))
        if not args.keep:
            emulator.stop(target)
            shutil.rmtree(state_dir, ignore_errors=True)
    print("\nsummary (figures in .local/load.json):")
    for s in summaries:
        worst_p95 = max((f["p95_ms"] or 0.0) for f in s["operations"].values())
        print(f"  {s['phase']:<9} {s['requests_per_second']:>6} req/s  worst p95 {worst_p95:>8} ms  "
              f"timeouts {s['timeouts']}  5xx {s['5xx']}  4xx {s['4xx']}  "
              f"(median p50 {statistics.median([f['p50_ms'] or 0.0 for f in s['operations'].values()]):.1f} ms)")


if __name__ == "__main__":
    run(main)

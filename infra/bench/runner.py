"""Runs the benchmarks in order (all, or the ones named) and prints and saves what they measured.

    python -m infra.bench [NAME ...]     NAME: health, coldstart, authorizer, login, tasks, boards, streaks,
                                         realtime, agent, challenges, webapp, analytics
"""

from __future__ import annotations

import argparse

from botocore.exceptions import BotoCoreError, ClientError

from infra.bench import (
    agent,
    analytics,
    authorizer,
    boards,
    challenges,
    coldstart,
    health,
    login,
    realtime,
    streaks,
    tasks,
    webapp,
)
from infra.bench.core import BenchError, Benchmark, Result
from infra.bench.report import RESULTS, render, write_json
from infra.config import ROOT, Target, activate, default_target

BENCHMARKS: dict[str, Benchmark] = {
    "health": health.run,
    "coldstart": coldstart.run,
    "authorizer": authorizer.run,
    "login": login.run,
    "tasks": tasks.run,
    "boards": boards.run,
    "streaks": streaks.run,
    "realtime": realtime.run,
    "agent": agent.run,
    "challenges": challenges.run,
    "webapp": webapp.run,
    "analytics": analytics.run,
}


def run_all(target: Target, benchmarks: dict[str, Benchmark] = BENCHMARKS) -> dict[str, Result]:
    """Run every benchmark in order; one that cannot be measured is reported, and the rest still run."""
    results: dict[str, Result] = {}
    for name, benchmark in benchmarks.items():
        print(f"running {name} ...", flush=True)
        try:
            results[name] = benchmark(target)
        except (BenchError, OSError, ClientError, BotoCoreError, ValueError) as error:
            results[name] = Result(title=name, columns=[], notes=[f"failed: {error}"])
    return results


def selected(names: list[str]) -> dict[str, Benchmark]:
    """The benchmarks named (every one when ``names`` is empty), in their usual order."""
    unknown = [name for name in names if name not in BENCHMARKS]
    if unknown:
        raise SystemExit(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
    return {name: run for name, run in BENCHMARKS.items() if not names or name in names}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m infra.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("names", nargs="*", metavar="NAME", help=f"one of {', '.join(BENCHMARKS)}")
    args = parser.parse_args(argv)
    benchmarks = selected(args.names)
    target = activate(default_target())
    results = run_all(target, benchmarks)
    print(f"\nbench of {target.stack_name} on {target.endpoint} (ratios compare figures of this one run)\n")
    print(render(results))
    write_json(target, results)
    print(f"figures saved to {RESULTS.relative_to(ROOT)}")

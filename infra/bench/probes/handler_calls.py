"""Probe: call a handler module's ``handler(event, context)`` as the Lambda runtime would; print the timings.

    python -m infra.bench.probes.handler_calls MODULE EVENT_JSON WARMUP COUNT BUDGET_SECONDS

Runs in its own interpreter so the function's log lines and metrics stay out of the bench's table. The
first call must answer 200; the timings (ms) of the calls after ``WARMUP`` are printed as a JSON list.
"""

from __future__ import annotations

import copy
import importlib
import json
import sys
import time
from pathlib import Path

from infra.bench.probes.lambda_context import LambdaContext


def main(argv: list[str]) -> None:
    module, event_path = argv[0], Path(argv[1])
    warmup, count, budget = int(argv[2]), int(argv[3]), float(argv[4])
    handler = importlib.import_module(module).handler
    event = json.loads(event_path.read_text())
    context = LambdaContext()
    first = handler(copy.deepcopy(event), context)
    if first.get("statusCode") != 200:
        sys.exit(f"handler answered {first.get('statusCode')}: {first.get('body')}")
    timings: list[float] = []
    deadline = time.monotonic() + budget
    for index in range(warmup + count):
        if time.monotonic() > deadline:
            break
        call = copy.deepcopy(event)
        started = time.perf_counter()
        handler(call, context)
        elapsed = (time.perf_counter() - started) * 1000
        if index >= warmup:
            timings.append(elapsed)
    print(json.dumps(timings))


if __name__ == "__main__":
    main(sys.argv[1:])

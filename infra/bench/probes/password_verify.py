"""Probe: hash a fresh password with deepiri_users.logic.passwords, then time verify_password alone.

    python -m infra.bench.probes.password_verify COUNT BUDGET_SECONDS

Prints the timings (ms) as a JSON list.
"""

from __future__ import annotations

import json
import secrets
import sys
import time

from deepiri_users.logic.passwords import hash_password, verify_password


def main(argv: list[str]) -> None:
    count, budget = int(argv[0]), float(argv[1])
    password = "bench-" + secrets.token_urlsafe(18)
    stored = hash_password(password)
    if not verify_password(stored, password):
        sys.exit("verify_password refused its own hash")
    timings: list[float] = []
    deadline = time.monotonic() + budget
    for _ in range(count):
        if time.monotonic() > deadline:
            break
        started = time.perf_counter()
        matched = verify_password(stored, password)
        timings.append((time.perf_counter() - started) * 1000)
        if not matched:
            sys.exit("verify_password refused its own hash")
    print(json.dumps(timings))


if __name__ == "__main__":
    main(sys.argv[1:])

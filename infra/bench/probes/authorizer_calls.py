"""Probe: the real authorizer in-process on the emulator, cold, session cache fresh and expired; prints JSON.

    python -m infra.bench.probes.authorizer_calls EVENT_JSON COUNT BUDGET_SECONDS

Builds the real Authorizer (KeyStore on a secretsmanager client, UserSessionCheck on a dynamodb client,
both on the emulator through infra.config) and times its calls on one REST authorizer event carrying the
bench user's token (read from BENCH_ACCESS_TOKEN, so it stays out of the process list). UserSessionCheck
reads its clock through the injected ``monotonic``: holding that clock still keeps the cached session
answer fresh; stepping it by MAX_CACHE_SECONDS before a call makes the cached answer exactly as old as
the window, so that call reads the users table again - the path a warm container takes once 5 real
seconds have passed. Calls alternate uncached/warm so drift of the machine spreads over both. Every
GetItem is counted, to show the cache did what the label says.
"""

from __future__ import annotations

import copy
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import boto3

from deepiri_common.settings import load_settings
from deepiri_common.tokens import KeyStore
from deepiri_gateway.dal.sessions import MAX_CACHE_SECONDS, UserSessionCheck
from deepiri_gateway.handlers.authorizer import Authorizer, AuthorizerSettings
from infra.config import REGION, activate, default_target


class Clock:
    """A monotonic clock that moves only when told to."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def main(argv: list[str]) -> None:
    event_path, count, budget = Path(argv[0]), int(argv[1]), float(argv[2])
    target = activate(default_target())
    settings = load_settings(AuthorizerSettings)
    if not settings.users_table:
        sys.exit("the authorizer's USERS_TABLE is empty: no session check to measure")
    clock, reads = Clock(), [0]

    def count_read(**_: Any) -> None:
        reads[0] += 1

    secretsmanager = boto3.client("secretsmanager", endpoint_url=target.endpoint, region_name=REGION)
    dynamodb = boto3.client("dynamodb", endpoint_url=target.endpoint, region_name=REGION)
    dynamodb.meta.events.register("after-call.dynamodb.GetItem", count_read)
    authorizer = Authorizer(
        key_store=KeyStore(settings.jwt_keys_secret, secretsmanager),
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        session_check=UserSessionCheck(settings.users_table, dynamodb, monotonic=clock),
    )
    event = json.loads(event_path.read_text())
    bearer = "Bearer " + os.environ["BENCH_ACCESS_TOKEN"]
    event["headers"]["Authorization"] = bearer
    event["multiValueHeaders"]["Authorization"] = [bearer]

    def timed() -> tuple[float, int]:
        call = copy.deepcopy(event)
        before = reads[0]
        started = time.perf_counter()
        try:
            policy = authorizer(call)
        except Exception as error:  # noqa: BLE001 - any refusal ends the probe with its reason
            sys.exit(f"the authorizer refused the bench user's token: {error}")
        elapsed = (time.perf_counter() - started) * 1000
        if policy["policyDocument"]["Statement"][0]["Effect"] != "Allow":
            sys.exit("the authorizer did not allow the bench user's token")
        return elapsed, reads[0] - before

    cold, cold_reads = timed()
    warm: list[float] = []
    uncached: list[float] = []
    warm_reads = uncached_reads = 0
    deadline = time.monotonic() + budget
    for _ in range(count):
        if time.monotonic() > deadline:
            break
        clock.now += MAX_CACHE_SECONDS
        elapsed, read = timed()
        uncached.append(elapsed)
        uncached_reads += read
        elapsed, read = timed()
        warm.append(elapsed)
        warm_reads += read
    print(json.dumps({"cold": cold, "warm": warm, "uncached": uncached, "cache_seconds": MAX_CACHE_SECONDS,
                      "reads": {"cold": cold_reads, "warm": warm_reads, "uncached": uncached_reads}}))


if __name__ == "__main__":
    main(sys.argv[1:])

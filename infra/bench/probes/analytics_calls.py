"""Probe: the analytics benchmarks (``infra.bench.analytics``), each printing one JSON line.

    python -m infra.bench.probes.analytics_calls reads '{"days": [30, 730], "samples": 40}'
    python -m infra.bench.probes.analytics_calls consumer '{"events": 2000}'
    python -m infra.bench.probes.analytics_calls cohort '{"events": 1000000, "folder": ".local/bench/archive"}'

``reads`` (moto, in this interpreter): for each history length, one user with that many days of full day rows,
then ``reading.summary`` of the last 30 days ``samples`` times: the items DynamoDB scanned per summary and the
median seconds. ``consumer`` (moto): the analytics consumer's handler fed SQS batches of 10 of a mixed stream
(registrations, tasks created, updated and completed, timers, XP, presence), timed end to end: archive put,
per-user log, idempotency, projection. ``cohort`` (DuckDB, the engine of the emulator's Athena): writes (once,
then reuses) an archive of ``events`` JSON lines in the consumer's layout and runs the cohort query on it as
MiniStack's Athena does (``read_json_auto`` over the files, hive partitions).
"""

from __future__ import annotations

import json
import os
import random
import shutil
import statistics
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

BUS = "deepiri-bench"
REGION = "us-east-1"
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
ARCHIVE_COLUMNS = {name: "VARCHAR" for name in ("event_id", "detail_type", "source", "occurred_at", "user_id", "body")}
DAY_ROW = {"created": "3", "completed": "2", "onTime": "1", "late": "1", "focusMinutes": "95", "timers": "3",
           "estimated": "1", "estimateMinutes": "30", "actualMinutes": "40", "xp": "40", "completed@code": "2"}


def _analytics_table(client: Any, name: str) -> None:
    from infra.template import load_template  # noqa: PLC0415 - after the environment is set

    props = load_template()["Resources"]["AnalyticsTable"]["Properties"]
    client.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                        **{key: props[key] for key in ("AttributeDefinitions", "KeySchema")})


def reads(config: dict[str, Any]) -> dict[str, Any]:
    import boto3  # noqa: PLC0415
    from moto import mock_aws  # noqa: PLC0415

    from deepiri_analytics.dal.readmodels import ReadModels  # noqa: PLC0415
    from deepiri_analytics.logic import reading  # noqa: PLC0415

    figures: dict[str, Any] = {}
    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        _analytics_table(client, "bench-analytics")
        scanned: list[int] = []
        client.meta.events.register("after-call.dynamodb.Query",
                                    lambda parsed, **_: scanned.append(int(parsed.get("ScannedCount", 0))))
        store = ReadModels("bench-analytics", client)
        last = NOW.date()
        for days in config["days"]:
            user = f"user{days}"
            for n in range(days):
                item = {"pk": {"S": f"USER#{user}"}, "sk": {"S": f"DAY#{last - timedelta(days=n)}"},
                        **{k: {"N": v} for k, v in DAY_ROW.items()}}
                client.put_item(TableName="bench-analytics", Item=item)
            timings = []
            for _ in range(config["samples"]):
                scanned.clear()
                started = time.perf_counter()
                summary = reading.summary(store, user, None, None, NOW)
                timings.append(time.perf_counter() - started)
            assert summary.completed == 2 * min(days, 30)
            figures[str(days)] = {"itemsScanned": sum(scanned), "seconds": statistics.median(timings)}
    return figures


def _stream(events: int) -> list[dict[str, Any]]:
    """``events`` bus events of 50 users: each registers, then tasks are created, updated, timed and completed."""
    from deepiri_common.events import DomainEvent  # noqa: PLC0415
    from deepiri_common.ids import new_ulid  # noqa: PLC0415

    rng = random.Random(7)  # noqa: S311 (a reproducible stream, not a secret)
    users = [new_ulid() for _ in range(50)]
    out: list[DomainEvent] = [DomainEvent.new("users", "UserRegistered", {
        "userId": u, "email": f"{n}@bench.io", "displayName": "B", "timezone": "Europe/Paris", "dayStartHour": 0},
        actor=u) for n, u in enumerate(users)]
    while len(out) < events:
        user, task = rng.choice(users), new_ulid()
        at = NOW - timedelta(minutes=rng.randrange(60 * 24 * 60))
        stamp = at.isoformat().replace("+00:00", "Z")
        out += [
            DomainEvent.new("tasks", "TaskCreated", {
                "taskId": task, "userId": user, "ownerId": user, "projectId": None, "title": "t", "status": "todo",
                "priority": "medium", "difficulty": "easy", "category": rng.choice(["code", "study", "admin"]),
                "assigneeIds": [], "dueAt": stamp, "source": "manual"}, actor=user),
            DomainEvent.new("tasks", "TaskUpdated", {
                "taskId": task, "changed": ["estimateMinutes"], "values": {"estimateMinutes": 30}, "ownerId": user,
                "projectId": None, "assigneeIds": [], "userId": user}, actor=user),
            DomainEvent.new("tasks", "TimerStopped", {"taskId": task, "userId": user, "minutes": 25,
                                                      "startedAt": stamp, "stoppedAt": stamp}, actor=user),
            DomainEvent.new("tasks", "TaskCompleted", {
                "taskId": task, "userId": user, "actorId": user, "projectId": None, "category": "code",
                "difficulty": "easy", "priority": "medium", "efficiency": 100.0, "onTime": True,
                "estimateMinutes": 30, "actualMinutes": 25, "firstCompletion": True, "completedAt": stamp}, actor=user),
            DomainEvent.new("engagement", "XpAwarded", {"userId": user, "amount": 20, "totalXp": 20,
                                                        "reason": "task"}, actor="engagement"),
            DomainEvent.new("realtime", "PresenceUpdated", {"userId": user, "status": "online"}, actor=user),
        ]
    return [{"id": f"bus-{n}", "source": e.source, "detail-type": e.detail_type, "time": e.detail.occurredAt,
             "detail": e.detail.model_dump()} for n, e in enumerate(out[:events])]


def _batch(bodies: list[dict[str, Any]]) -> dict[str, Any]:
    return {"Records": [{"messageId": f"m{n}", "receiptHandle": "h", "body": json.dumps(body), "attributes": {},
                         "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                         "eventSourceARN": f"arn:aws:sqs:{REGION}:123456789012:q", "awsRegion": REGION}
                        for n, body in enumerate(bodies)]}


def consumer(config: dict[str, Any]) -> dict[str, Any]:
    import boto3  # noqa: PLC0415
    from moto import mock_aws  # noqa: PLC0415

    with mock_aws():
        dynamodb = boto3.client("dynamodb", region_name=REGION)
        _analytics_table(dynamodb, os.environ["ANALYTICS_TABLE"])
        dynamodb.create_table(TableName=os.environ["IDEMPOTENCY_TABLE"], BillingMode="PAY_PER_REQUEST",
                              AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                              KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
        boto3.client("s3", region_name=REGION).create_bucket(Bucket=os.environ["ARCHIVE_BUCKET"])
        queue = boto3.client("sqs", region_name=REGION).create_queue(QueueName="bench-dlq")["QueueUrl"]
        os.environ["DEAD_LETTER_QUEUE_URL"] = queue
        from deepiri_analytics.handlers import consumers  # noqa: PLC0415 - settings read the environment above

        # moto copies every table a transaction names, per item, to roll back a failed one: O(table) per event.
        # No transaction of this code writes before the item whose condition fails (the marker or the closed
        # check comes first), so nothing would need rolling back; the streak probe's switch turns the copies off.
        from infra.bench.probes.streak_job_calls import _without_table_snapshots  # noqa: PLC0415

        _without_table_snapshots()

        calls = _count_calls()
        bodies = _stream(config["events"])
        batches = [_batch(bodies[n:n + 10]) for n in range(0, len(bodies), 10)]
        context = _Context()
        started = time.perf_counter()
        failures = sum(len(consumers.handler(batch, context)["batchItemFailures"]) for batch in batches)
        seconds = time.perf_counter() - started
    return {"events": len(bodies), "seconds": seconds, "eventsPerSecond": len(bodies) / seconds,
            "failures": failures, "callsPerEvent": sum(calls.values()) / len(bodies), "calls": calls}


def _count_calls() -> dict[str, int]:
    """Count the AWS calls of every client the service makes from now on, by operation."""
    from deepiri_common import aws  # noqa: PLC0415

    calls: dict[str, int] = {}
    make = aws.client

    def counted(service_name: str, **kwargs: Any) -> Any:
        client = make(service_name, **kwargs)

        def tally(model: Any, **_: Any) -> None:
            calls[model.name] = calls.get(model.name, 0) + 1

        client.meta.events.register("before-call", tally)
        return client

    aws.client = counted  # the probe's own meter, set before the first client
    return calls


class _Context:
    """The Lambda context the handler's decorators read."""

    function_name = "AnalyticsConsumerFunction"
    memory_limit_in_mb = 512
    invoked_function_arn = f"arn:aws:lambda:{REGION}:123456789012:function:bench"
    aws_request_id = "bench"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 60_000


def _write_archive(folder: Path, events: int) -> None:
    """``events`` archive lines of users registering over a year and coming back at random, one file per UTC day
    and type (the consumer writes one object per event; DuckDB reads the same lines either way)."""
    rng = random.Random(11)  # noqa: S311 (a reproducible archive, not a secret)
    users = max(1, events // 50)
    first = date(2025, 12, 1)
    files: dict[tuple[str, str], list[str]] = {}
    kinds = ("TaskCreated", "TaskCompleted", "TimerStopped", "XpAwarded")
    registered: list[tuple[str, date]] = []
    for n in range(users):
        day = first + timedelta(days=rng.randrange(364))
        registered.append((f"user{n:07d}", day))
    for n in range(events):
        if n < users:
            user, day = registered[n]
            kind = "UserRegistered"
        else:
            user, joined = registered[rng.randrange(users)]
            day = min(joined + timedelta(days=int(rng.expovariate(1 / 40))), date(2026, 11, 29))
            kind = kinds[n % 4]
        event_id = f"{n:026d}"
        at = f"{day.isoformat()}T10:00:00.000Z"
        body = json.dumps({"id": f"bus-{n}", "source": "deepiri.bench", "detail-type": kind, "time": at,
                           "detail": {"id": event_id, "occurredAt": at, "actor": user, "version": 1,
                                      "data": {"userId": user}}}, separators=(",", ":"))
        line = json.dumps({"event_id": event_id, "detail_type": kind, "source": "deepiri.bench", "occurred_at": at,
                           "user_id": user, "body": body}, separators=(",", ":"))
        files.setdefault((day.isoformat(), kind), []).append(line)
    for (day_text, kind), lines in files.items():
        path = folder / f"events/dt={day_text}/type={kind}/part.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines) + "\n")


def cohort(config: dict[str, Any]) -> dict[str, Any]:
    import duckdb  # noqa: PLC0415

    from deepiri_analytics.logic import cohorts  # noqa: PLC0415

    folder = Path(config["folder"]) / str(config["events"])
    if not (folder / "complete").exists():
        shutil.rmtree(folder, ignore_errors=True)
        started = time.perf_counter()
        _write_archive(folder, config["events"])
        (folder / "complete").write_text(f"{time.perf_counter() - started:.1f}\n")
    size = sum(p.stat().st_size for p in folder.rglob("*.json"))
    # Bounded: two threads and 1 GB (DuckDB spills to disk beyond it), on a machine shared with others
    connection = duckdb.connect(":memory:", config={"threads": 2, "memory_limit": "1GB"})
    pattern = str(folder / "events" / "*" / "*" / "*.json")
    # The Glue table's columns, given: DuckDB's detection of each file's schema (read_json_auto, as MiniStack's
    # Athena reads a table) ran out of 8 GB over 1,456 files of 20,000 events
    connection.read_json(pattern, format="newline_delimited", columns=ARCHIVE_COLUMNS,
                         hive_partitioning=True).create_view("events")
    sql = cohorts.cohort_sql("events", cohorts.week_index(NOW.date()) - config.get("weeks", 8) + 1)
    started = time.perf_counter()
    rows = connection.execute(sql).fetchall()
    seconds = time.perf_counter() - started
    found = cohorts.cohorts_from_rows([[str(value) for value in row] for row in rows])
    return {"events": config["events"], "megabytes": round(size / 1e6, 1), "seconds": seconds,
            "cohorts": len(found), "users": sum(c.users for c in found)}


PROBES = {"reads": reads, "consumer": consumer, "cohort": cohort}


def main(argv: list[str]) -> None:
    name, config = argv[0], json.loads(argv[1])
    print(json.dumps(PROBES[name](config)))


if __name__ == "__main__":
    main(sys.argv[1:])

"""Analytics: the cost of a 30-day summary with 30 days and two years of history (moto), the consumer's
throughput (moto, in-process), and the cohort query over a million archived events (DuckDB, the engine the
emulator's Athena runs), each in a fresh interpreter (``infra.bench.probes.analytics_calls``).

The summary's criterion: items scanned and time with two years of history at most 1.05 times those with 30
days (the Query's key condition bounds it to the window). The consumer's figure is events per second through
the whole handler (archive put, the owner's event log, idempotency record, projection transaction) against
moto in one process: it measures this code and moto, not DynamoDB's or S3's latency, so it is a ceiling per
warm function on this machine, not a cloud figure. The cohort query reads every archived line (the archive
is partitioned by day and type, not by user), so its time grows with the archive; the figure is the time
one query takes over a million events, after the archive files were written (once, cached under .local/bench).
"""

from __future__ import annotations

import json
from typing import Any

from infra.bench.core import Result, Row, ratio, run_probe, service_env, verdict
from infra.config import ROOT, Target

READ_DAYS = (30, 730)
READ_SAMPLES = 40
CONSUMER_EVENTS = 2_000
COHORT_EVENTS = (100_000, 1_000_000)
ARCHIVE_FOLDER = ROOT / ".local" / "bench" / "analytics-archive"
PROBE_SECONDS = 900.0
RATIO_LIMIT = 1.05


def _probe(target: Target, name: str, config: dict[str, Any]) -> dict[str, Any]:
    env = {**service_env("AnalyticsConsumerFunction", target.stage), "ANALYTICS_TABLE": "bench-analytics",
           "ARCHIVE_BUCKET": "bench-archive", "IDEMPOTENCY_TABLE": "bench-idempotency", "EVENT_BUS_NAME": "bench",
           "POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_TRACE_DISABLED": "true",
           "POWERTOOLS_METRICS_DISABLED": "true"}
    answer: dict[str, Any] = json.loads(run_probe("infra.bench.probes.analytics_calls", [name, json.dumps(config)],
                                                     env, timeout=PROBE_SECONDS))
    return answer


def _reads(target: Target) -> Result:
    figures = _probe(target, "reads", {"days": list(READ_DAYS), "samples": READ_SAMPLES})
    result = Result(title="analytics: a 30-day summary's read cost by length of history (moto)",
                    columns=["history", "items scanned", "median ms"])
    short, long = (figures[str(days)] for days in READ_DAYS)
    for days, f in zip(READ_DAYS, (short, long), strict=True):
        result.rows.append(Row(f"{days} days of rows", [f["itemsScanned"], f["seconds"] * 1000]))
    items = ratio(long["itemsScanned"], short["itemsScanned"])
    seconds = ratio(long["seconds"], short["seconds"])
    result.rows.append(Row("ratio 2 years / 30 days", [items, seconds], ratio=True))
    result.verdicts.append(verdict("items scanned, 2 years / 30 days", items, RATIO_LIMIT))
    result.notes.append("time on moto includes moto's own lookup; the items scanned are what DynamoDB bills")
    result.data = figures
    return result


def _consumer(target: Target) -> Result:
    f = _probe(target, "consumer", {"events": CONSUMER_EVENTS})
    result = Result(title="analytics consumer: events per second through the handler (moto, one process)",
                    columns=["events", "seconds", "events / s", "AWS calls / event", "failures"])
    result.rows.append(Row("mixed stream, batches of 10", [f["events"], f["seconds"], f["eventsPerSecond"],
                                                           f["callsPerEvent"], f["failures"]]))
    result.notes.append("calls by operation: " + ", ".join(f"{name} {count}" for name, count in
                                                           sorted(f["calls"].items())))
    result.data = f
    return result


def _cohorts(target: Target) -> Result:
    result = Result(title="analytics cohort query on DuckDB over archived events (JSON lines, hive partitions)",
                    columns=["archived events", "MB", "query s", "cohorts", "users"])
    figures: dict[str, Any] = {}
    for events in COHORT_EVENTS:
        f = _probe(target, "cohort", {"events": events, "folder": str(ARCHIVE_FOLDER), "weeks": 8})
        figures[str(events)] = f
        result.rows.append(Row(f"{events:,} events", [f["events"], f["megabytes"], f["seconds"], f["cohorts"],
                                                      f["users"]]))
    small, large = (figures[str(events)] for events in COHORT_EVENTS)
    result.rows.append(Row("ratio", [ratio(COHORT_EVENTS[1], COHORT_EVENTS[0]),
                                     ratio(large["megabytes"], small["megabytes"]),
                                     ratio(large["seconds"], small["seconds"]), None, None], ratio=True))
    result.notes.append("one file per UTC day and type here (the consumer writes one object per event: on S3 the "
                        "request count, not the bytes, would dominate); two DuckDB threads")
    result.data = figures
    return result


def run(target: Target) -> Result:
    """The summary's read cost, the consumer's throughput and the cohort query's time, as three tables."""
    reads = _reads(target)
    reads.parts = [_consumer(target), _cohorts(target)]
    return reads

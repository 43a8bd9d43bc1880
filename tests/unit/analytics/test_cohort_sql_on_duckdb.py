"""The cohort query runs on DuckDB (the engine of the emulator's Athena) over archive lines as the consumer
writes them, duplicates included, and gives the expected weekly retention."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import duckdb

from deepiri_analytics.logic import cohorts
from deepiri_analytics.logic.archive import archive_key, archive_line
from deepiri_common.events import DomainEvent, parse_bus_event
from tests.support import flows


def _archive(root: Path, kind: str, user: str, at: str) -> None:
    event = DomainEvent.new("users" if kind == "UserRegistered" else "tasks", kind, {"userId": user}, actor=user)
    event = event.model_copy(update={"detail": event.detail.model_copy(update={"occurredAt": at})})
    body = json.dumps(flows.bus_body(event))
    received = parse_bus_event(json.loads(body))
    path = root / archive_key(received)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(archive_line(received, body))
    (path.parent / f"copy-{path.name}").write_text(archive_line(received, body))  # delivered twice


def test_given_three_users_over_three_weeks_then_retention_by_cohort_is_exact(tmp_path: Path) -> None:
    # Cohort of Monday 2026-03-02: ada and bob; ada comes back in weeks 0 and 2, bob only in week 0.
    _archive(tmp_path, "UserRegistered", "ada", "2026-03-02T09:00:00.000Z")
    _archive(tmp_path, "UserRegistered", "bob", "2026-03-04T09:00:00.000Z")
    _archive(tmp_path, "TaskCreated", "ada", "2026-03-03T09:00:00.000Z")
    _archive(tmp_path, "TaskCreated", "ada", "2026-03-17T09:00:00.000Z")
    _archive(tmp_path, "TaskCreated", "bob", "2026-03-08T22:00:00.000Z")  # Sunday: still week 0
    # Cohort of 2026-03-09: cy, never active again
    _archive(tmp_path, "UserRegistered", "cy", "2026-03-10T09:00:00.000Z")
    # Before the window: left out
    _archive(tmp_path, "UserRegistered", "old", "2026-01-05T09:00:00.000Z")
    files = sorted(str(p) for p in tmp_path.rglob("*.json"))
    connection = duckdb.connect(":memory:")
    # As MiniStack's Athena reads a JSON Glue table: read_json_auto over the files, hive partitions.
    connection.execute(f"CREATE VIEW events AS SELECT * FROM read_json_auto({files!r}, union_by_name = true, "
                       "hive_partitioning = true)")
    sql = cohorts.cohort_sql("events", cohorts.week_index(date(2026, 3, 2)))

    rows = [[str(value) for value in row] for row in connection.execute(sql).fetchall()]

    got = cohorts.cohorts_from_rows(rows)
    assert [(c.week, c.users, c.retention) for c in got] == [("2026-03-02", 2, [1.0, 0.0, 0.5]),
                                                             ("2026-03-09", 1, [])]

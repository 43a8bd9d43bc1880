"""Probe: one part of the tasks benchmark (``infra.bench.tasks``) in the tasks function's environment.

    python -m infra.bench.probes.tasks_calls CONFIG_JSON

``part`` "capacity" seeds other users' tasks and meters each listing's Query; "latency" times list and
create. On MiniStack when ``endpoint`` is set, else on moto in-process. Prints the figures as JSON.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from infra.bench.core import BenchError
from infra.bench.probes.lambda_context import LambdaContext
from infra.bench.tasks import (
    LISTINGS,
    OTHER_TASKS_PER_USER,
    SEED_SECONDS,
    TASKS_CREATE_EVENT,
    TASKS_LIST_EVENT,
    QueryMeter,
    batch_write,
    tasks_table_args,
)
from infra.config import REGION


def main(config_json: str) -> None:
    """Entry point of the child interpreter: one part of the tasks benchmark, its figures printed as JSON."""
    config: dict[str, Any] = json.loads(config_json)
    endpoint = str(config.get("endpoint") or "")
    if endpoint:
        os.environ["AWS_ENDPOINT_URL"] = endpoint
        figures = _tasks_part(config)
    else:
        from moto import mock_aws  # noqa: PLC0415 - only the child needs moto

        with mock_aws():
            figures = _tasks_part(config)
    print(json.dumps(figures))


def _tasks_part(config: dict[str, Any]) -> dict[str, Any]:
    import boto3  # noqa: PLC0415 - the child's clients, inside moto's mock when there is one

    client = boto3.client("dynamodb", region_name=REGION)
    table = os.environ["TASKS_TABLE"]
    client.create_table(**tasks_table_args(table))
    client.get_waiter("table_exists").wait(TableName=table, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
    try:
        if config["part"] == "capacity":
            return _listing_capacity(client, table, config)
        return _tasks_latency(config)
    finally:
        client.delete_table(TableName=table)


class _TasksApi:
    """The tasks API handler called in-process with the sample REST events, as one user."""

    def __init__(self, user_id: str) -> None:
        from deepiri_tasks.handlers import tasks as handlers  # noqa: PLC0415 - the child's PYTHONPATH

        self._handler = handlers.handler
        self._list = json.loads(TASKS_LIST_EVENT.read_text())
        self._create = json.loads(TASKS_CREATE_EVENT.read_text())
        for event in (self._list, self._create):
            event["requestContext"]["authorizer"].update(userId=user_id, principalId=user_id)
        self._context = LambdaContext()
        self._count = 0

    def list(self, query: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
        event = {**self._list, "queryStringParameters": dict(query) if query else None,
                 "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None}
        reply = self._handler(event, self._context)
        if reply.get("statusCode") != 200:
            raise BenchError(f"GET /api/tasks answered {reply.get('statusCode')}: {str(reply.get('body'))[:200]}")
        return list(json.loads(reply["body"])["items"])

    def create(self) -> None:
        self._count += 1
        n = self._count
        body = {"title": f"Bench task {n}", "description": "Measured by make bench " * 4,
                "priority": ("low", "medium", "high", "urgent")[n % 4], "tags": ["bench", f"t{n % 7}"],
                "dueAt": f"2030-{1 + n % 12:02d}-{1 + n % 28:02d}T09:00:00Z"}
        reply = self._handler({**self._create, "body": json.dumps(body)}, self._context)
        if reply.get("statusCode") != 201:
            raise BenchError(f"POST /api/tasks answered {reply.get('statusCode')}: {str(reply.get('body'))[:200]}")


def _other_task_items(count: int, start: int) -> Iterator[dict[str, Any]]:
    """Task items of other users (``OTHER_TASKS_PER_USER`` each, one in five in a project), built by dal.items."""
    from deepiri_common.ids import new_ulid  # noqa: PLC0415 - the child's PYTHONPATH
    from deepiri_tasks.dal.items import task_item  # noqa: PLC0415
    from deepiri_tasks.models.tasks import Task  # noqa: PLC0415

    created = datetime(2025, 1, 1, tzinfo=UTC)
    owner = project = ""
    for n in range(start, start + count):
        if n % OTHER_TASKS_PER_USER == 0 or not owner:
            owner, project = new_ulid(), new_ulid()
        at = created + timedelta(minutes=n)
        task = Task(id=new_ulid(), ownerId=owner, projectId=project if n % 5 == 0 else None,
                    title=f"Other user's task {n}", description="Seeded by make bench " * 4,
                    priority=("low", "medium", "high", "urgent")[n % 4], tags=["seeded", f"t{n % 7}"],
                    dueAt=at + timedelta(days=n % 60) if n % 3 else None, createdAt=at, updatedAt=at)
        yield task_item(task)


def _listing_capacity(client: Any, table: str, config: dict[str, Any]) -> dict[str, Any]:
    from deepiri_common.ids import new_ulid  # noqa: PLC0415 - the child's PYTHONPATH
    from deepiri_tasks import dependencies  # noqa: PLC0415

    meter = QueryMeter(raw=client)
    meter.attach(dependencies.dynamodb())
    api = _TasksApi(new_ulid())
    for _ in range(int(config["own"])):
        api.create()
    started = time.monotonic()
    deadline, seeded = started + SEED_SECONDS, 0
    phases: dict[str, dict[str, Any]] = {}
    for others in config["others"]:
        seeded += batch_write(client, table, _other_task_items(int(others) - seeded, seeded), deadline=deadline)
        listings: dict[str, Any] = {}
        for name, query in LISTINGS.items():
            meter.reset()
            listed = api.list(query)
            listings[name] = {**meter.figures(), "tasks_listed": len(listed)}
        phases[str(others)] = {"seeded": seeded, "seed_seconds": time.monotonic() - started, "listings": listings}
    return {"phases": phases}


def _tasks_latency(config: dict[str, Any]) -> dict[str, Any]:
    from deepiri_common.ids import new_ulid  # noqa: PLC0415 - the child's PYTHONPATH

    api = _TasksApi(new_ulid())
    for _ in range(int(config["own"])):
        api.create()
    for _ in range(int(config["warmup"])):
        api.list()
        api.create()
    timings: dict[str, list[float]] = {"list": [], "create": []}
    deadline = time.monotonic() + float(config["budget"])
    for _ in range(int(config["count"])):  # alternated, so a slow moment of the machine spreads over both
        if time.monotonic() > deadline:
            break
        for name, call in (("list", api.list), ("create", api.create)):
            started = time.perf_counter()
            call()
            timings[name].append((time.perf_counter() - started) * 1000)
    return timings




if __name__ == "__main__":
    main(sys.argv[1])

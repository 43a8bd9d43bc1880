"""Tasks listing: the read capacity of one user's listing as other users' tasks grow, and list/create
latency in-process on moto. The measuring itself runs in ``probes.tasks_calls`` with the tasks function's
environment; what it shares with this module (item sizes, the Query meter, seeding) lives here."""

from __future__ import annotations

import json
import math
import os
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from infra import emulator
from infra.bench.core import (
    LOOP_SECONDS,
    REQUESTS,
    WARMUP,
    BenchError,
    Result,
    Row,
    ratio,
    run_probe,
    service_env,
    timed_figures,
)
from infra.config import REGION, ROOT, Target
from infra.template import Intrinsics, load_template

TASKS_FUNCTION = "TasksApiFunction"
TASKS_PATH = [ROOT / "layers" / "common" / "python", ROOT / "functions" / "tasks"]
TASKS_LIST_EVENT = ROOT / "events" / "tasks-list.json"
TASKS_CREATE_EVENT = ROOT / "events" / "tasks-create.json"
OWN_TASKS = 50  # the listing user's own tasks, created through POST /api/tasks
OTHER_TASKS = (1_000, 100_000)  # other users' tasks in the table when the listing is measured
OTHER_TASKS_PER_USER = 50
SEED_SECONDS = 480.0  # seeding the other users' tasks stops with a message past 8 minutes
BATCH_WRITE_LIMIT = 25
CAPACITY_RATIO_LIMIT = 1.05
READ_UNIT_BYTES = 4096
# GET /api/tasks query strings measured, by sort: the default (created), then sort=due and sort=priority.
LISTINGS: dict[str, dict[str, str] | None] = {"created": None, "due": {"sort": "due"},
                                              "priority": {"sort": "priority"}}



def item_size(item: Mapping[str, Any]) -> int:
    """The size DynamoDB bills for an item in attribute-value form: each name's UTF-8 bytes plus its value."""
    return sum(len(name.encode()) + _value_size(value) for name, value in item.items())


def _value_size(value: Mapping[str, Any]) -> int:
    ((kind, content),) = value.items()
    if kind == "L":  # 3 bytes for the list, 1 per element
        return 3 + sum(1 + _value_size(element) for element in content)
    if kind == "M":
        return 3 + sum(1 + len(str(name).encode()) + _value_size(element) for name, element in content.items())
    if kind in _SCALAR_SIZES:
        return _SCALAR_SIZES[kind](content)
    raise ValueError(f"unknown attribute type {kind}")


def _number_size(text: str) -> int:
    """About one byte per two significant digits, plus one (plus one more when negative)."""
    mantissa = text.lower().split("e", 1)[0]
    digits = mantissa.lstrip("+-").replace(".", "").strip("0")
    return math.ceil(len(digits) / 2) + 1 + (1 if mantissa.startswith("-") else 0)


_SCALAR_SIZES: dict[str, Callable[[Any], int]] = {
    "S": lambda text: len(str(text).encode()),
    "N": lambda text: _number_size(str(text)),
    "B": len,
    "BOOL": lambda _: 1,
    "NULL": lambda _: 1,
    "SS": lambda texts: sum(len(str(text).encode()) for text in texts),
    "NS": lambda numbers: sum(_number_size(str(number)) for number in numbers),
    "BS": lambda blobs: sum(len(blob) for blob in blobs),
}


def read_units(size: int, *, consistent: bool) -> float:
    """The read capacity of one Query page: the items read summed, rounded up to 4 KB; half for eventual."""
    return max(1, math.ceil(size / READ_UNIT_BYTES)) * (1.0 if consistent else 0.5)


@dataclass
class QueryMeter:
    """Counts the Query calls of a boto3 DynamoDB client, through its event hooks (no service code changes).

    Every Query is sent with ``ReturnConsumedCapacity=TOTAL``; ``reported`` sums what the backend answers.
    ``computed`` applies DynamoDB's read rule to the items the Query evaluated. When a filter discarded
    some (ScannedCount > Count), the same page is read again unfiltered through ``raw`` to see their sizes.
    """

    raw: Any
    queries: int = 0
    reported: float = 0.0
    unreported: int = 0
    computed: float = 0.0
    evaluated: int = 0
    returned: int = 0
    bytes_read: int = 0
    _params: dict[str, Any] = field(default_factory=dict)

    def attach(self, client: Any) -> None:
        client.meta.events.register("before-parameter-build.dynamodb.Query", self._before)
        client.meta.events.register("after-call.dynamodb.Query", self._after)

    def reset(self) -> None:
        self.queries = self.unreported = self.evaluated = self.returned = self.bytes_read = 0
        self.reported = self.computed = 0.0

    def figures(self) -> dict[str, Any]:
        return {"queries": self.queries, "reported_units": self.reported if not self.unreported else None,
                "computed_units": self.computed, "items_evaluated": self.evaluated,
                "items_returned": self.returned, "bytes_read": self.bytes_read}

    def _before(self, params: dict[str, Any], **_: Any) -> None:
        params.setdefault("ReturnConsumedCapacity", "TOTAL")
        self._params = dict(params)

    def _after(self, parsed: Mapping[str, Any], **_: Any) -> None:
        if "Error" in parsed:
            return
        self.queries += 1
        capacity = parsed.get("ConsumedCapacity")
        if isinstance(capacity, Mapping) and "CapacityUnits" in capacity:
            self.reported += float(capacity["CapacityUnits"])
        else:
            self.unreported += 1
        items: list[Mapping[str, Any]] = list(parsed.get("Items", []))
        scanned = int(parsed.get("ScannedCount", len(items)))
        self.returned += len(items)
        if scanned > len(items):
            items = self._evaluated_items(scanned)
        size = sum(item_size(item) for item in items)
        self.evaluated += scanned
        self.bytes_read += size
        self.computed += read_units(size, consistent=bool(self._params.get("ConsistentRead")))

    def _evaluated_items(self, scanned: int) -> list[Mapping[str, Any]]:
        """The page of the last Query without its filter: the same key condition, start and Limit=ScannedCount."""
        params = self._params
        condition = str(params["KeyConditionExpression"])
        args: dict[str, Any] = {key: params[key] for key in ("TableName", "IndexName", "ScanIndexForward",
                                                              "ExclusiveStartKey", "ConsistentRead") if key in params}
        used = set(re.findall(r"[#:][A-Za-z0-9_]+", condition))
        args.update(KeyConditionExpression=condition, Limit=scanned,
                    ExpressionAttributeValues={key: value for key, value in
                                               params.get("ExpressionAttributeValues", {}).items() if key in used})
        names = {key: value for key, value in params.get("ExpressionAttributeNames", {}).items() if key in used}
        if names:
            args["ExpressionAttributeNames"] = names
        return list(self.raw.query(**args).get("Items", []))


def batch_write(client: Any, table: str, items: Iterable[dict[str, Any]], *, deadline: float,
                clock: Callable[[], float] = time.monotonic) -> int:
    """Put ``items`` with BatchWriteItem, 25 a call, retrying unprocessed ones; stops at ``deadline``.

    Returns how many were written; past the deadline raises BenchError saying how far it got.
    """
    written, batch = 0, []
    for item in items:
        batch.append({"PutRequest": {"Item": item}})
        if len(batch) == BATCH_WRITE_LIMIT:
            written += _write_batch(client, table, batch, deadline=deadline, clock=clock, written=written)
            batch = []
    if batch:
        written += _write_batch(client, table, batch, deadline=deadline, clock=clock, written=written)
    return written


def _write_batch(client: Any, table: str, batch: list[dict[str, Any]], *, deadline: float,
                 clock: Callable[[], float], written: int) -> int:
    pending, attempt = batch, 0
    while pending:
        if clock() > deadline:
            raise BenchError(f"seeding stopped after {written} items: it exceeded the "
                             f"{SEED_SECONDS / 60:.0f}-minute limit")
        response = client.batch_write_item(RequestItems={table: pending})
        pending = response.get("UnprocessedItems", {}).get(table, [])
        if pending:
            attempt += 1
            time.sleep(min(0.05 * 2 ** attempt, 1.0))
    return len(batch)


def capacity_verdict(ratios: Mapping[str, float | None], limit: float = CAPACITY_RATIO_LIMIT) -> str:
    """PASS when every listing's read-capacity ratio is measured and at most ``limit``, else FAIL naming why."""
    missing = [name for name, value in ratios.items() if value is None]
    over = {name: value for name, value in ratios.items() if value is not None and value > limit}
    worst = max((value for value in ratios.values() if value is not None), default=None)
    if missing or not ratios:
        return f"FAIL: read capacity not measured for {', '.join(missing) or 'any listing'}"
    if over:
        named = ", ".join(f"{name} {value:.2f}x" for name, value in over.items())
        return f"FAIL: listing read capacity grows with other users' tasks ({named} > {limit:.2f}x)"
    return f"PASS: listing read capacity ratio at most {worst:.2f}x (limit {limit:.2f}x)"


def tasks_table_args(name: str) -> dict[str, Any]:
    """CreateTable arguments for a copy of template.yaml's TasksTable named ``name`` (keys and indexes)."""
    props = load_template()["Resources"]["TasksTable"]["Properties"]
    args = {key: props[key] for key in ("AttributeDefinitions", "KeySchema", "BillingMode", "GlobalSecondaryIndexes")}
    return {**args, "TableName": name}


def _tasks_env(target: Target, table: str) -> dict[str, str]:
    return {**service_env(TASKS_FUNCTION, target.stage, TASKS_PATH), "TASKS_TABLE": table,
            "POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_TRACE_DISABLED": "true"}


def run(target: Target) -> Result:
    """(e1) the read capacity of one user's task listing with 1,000 and 100,000 other users' tasks in the
    table; (e2) p50/p95 of GET and POST /api/tasks, the handler in-process against moto."""
    small, large = OTHER_TASKS
    result = Result(title=f"tasks listing: read units of GET /api/tasks ({OWN_TASKS} own tasks) by sort, "
                          f"{small:,} vs {large:,} other users' tasks",
                    columns=[*LISTINGS, "all three"])
    on_emulator = emulator.is_healthy(target)
    backend = f"MiniStack at {target.endpoint}" if on_emulator else "moto in-process"
    table = f"deepiri-bench-tasks-{os.getpid()}"
    config = {"part": "capacity", "endpoint": target.endpoint if on_emulator else "", "own": OWN_TASKS,
              "others": list(OTHER_TASKS)}
    if not on_emulator:
        result.notes.append(f"no emulator answers on {target.endpoint}: seeded moto in-process instead")
    try:
        output = run_probe("infra.bench.probes.tasks_calls", [json.dumps(config)], _tasks_env(target, table),
                            timeout=SEED_SECONDS + 300)
        _capacity_rows(result, json.loads(output)["phases"], backend)
    except BenchError as error:
        result.notes.append(f"capacity part failed: {error}")
        result.verdicts.append(capacity_verdict({"capacity": None}))
    finally:
        if on_emulator:
            _drop_table(target, table)
    result.parts.append(_latency_part(target))
    return result


def _drop_table(target: Target, table: str) -> None:
    """Delete the bench table if a failed child left it behind (an absent table is fine)."""
    import boto3  # noqa: PLC0415 - boto3 is imported by the benchmarks that need it

    try:
        boto3.client("dynamodb", endpoint_url=target.endpoint, region_name=REGION).delete_table(TableName=table)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ResourceNotFoundException":
            raise


def _capacity_rows(result: Result, phases: dict[str, Any], backend: str) -> None:
    small, large = (phases[str(count)] for count in OTHER_TASKS)
    names = list(LISTINGS)

    def figures(phase: dict[str, Any], key: str) -> list[float | None]:
        values = [phase["listings"][name][key] for name in names]
        total = None if any(value is None for value in values) else sum(values)
        return [*values, total]

    labels = {count: f"{count:,} others" for count in OTHER_TASKS}
    computed = {count: figures(phase, "computed_units") for count, phase in zip(OTHER_TASKS, (small, large),
                                                                                 strict=True)}
    ratios = [ratio(b, a) for a, b in zip(computed[OTHER_TASKS[0]], computed[OTHER_TASKS[1]], strict=True)]
    reported = {count: figures(phase, "reported_units") for count, phase in zip(OTHER_TASKS, (small, large),
                                                                                 strict=True)}
    result.rows = [
        *(Row(f"{labels[count]}: read units from the items read", computed[count]) for count in OTHER_TASKS),
        Row(f"ratio {OTHER_TASKS[1]:,} / {OTHER_TASKS[0]:,} (the criterion)", ratios, ratio=True),
        *(Row(f"{labels[count]}: items read (ScannedCount)", figures(phase, "items_evaluated"))
          for count, phase in zip(OTHER_TASKS, (small, large), strict=True)),
        *(Row(f"{labels[count]}: CapacityUnits reported by the backend", reported[count]) for count in OTHER_TASKS),
    ]
    result.notes += [
        f"capacity measured on {backend}: every listing Query sent with ReturnConsumedCapacity=TOTAL "
        "(botocore hooks on the handler's client); neither MiniStack nor moto derives CapacityUnits from the "
        "bytes read (MiniStack answers 0.5 per eventually consistent read, moto 1.0), so the criterion uses "
        "DynamoDB's rule applied to the items each Query evaluated: sizes summed, rounded up to 4 KB, 0.5 per 4 KB",
        f"seeded {large['seeded']:,} other users' task items with BatchWriteItem in {large['seed_seconds']:.0f} s "
        f"(table deleted afterwards)",
    ]
    result.verdicts.append(capacity_verdict(dict(zip([*names, "all three"], ratios, strict=True))))
    result.data = {"backend": backend, "criterion_limit": CAPACITY_RATIO_LIMIT, "own_tasks": OWN_TASKS,
                   "phases": phases, "ratio_computed_units": dict(zip([*names, "all three"], ratios, strict=True)),
                   "verdict": result.verdicts[-1]}


def _latency_part(target: Target) -> Result:
    part = Result(title=f"tasks API in-process on moto: {REQUESTS} calls each after {WARMUP} warm-up",
                  columns=["p50 ms", "p95 ms"])
    config = {"part": "latency", "endpoint": "", "own": OWN_TASKS, "warmup": WARMUP, "count": REQUESTS,
              "budget": LOOP_SECONDS}
    try:
        table = Intrinsics(stage=target.stage, region=REGION).physical_name("TasksTable")
        output = run_probe("infra.bench.probes.tasks_calls", [json.dumps(config)], _tasks_env(target, table),
                           timeout=LOOP_SECONDS + 120)
    except BenchError as error:
        part.notes.append(f"latency part failed: {error}")
        return part
    timings: dict[str, list[float]] = json.loads(output)
    listed, created = timed_figures(timings["list"]), timed_figures(timings["create"])
    ratios = {key: ratio(created[key], listed[key]) for key in ("p50", "p95")}
    if len(timings["list"]) < REQUESTS:
        part.notes.append(f"time budget of {LOOP_SECONDS:.0f}s reached: {len(timings['list'])} calls each")
    part.rows = [
        Row("GET /api/tasks (first page, 20 of the user's tasks)", [listed["p50"], listed["p95"]]),
        Row("POST /api/tasks (one TransactWriteItems)", [created["p50"], created["p95"]]),
        Row("ratio create / list", [ratios["p50"], ratios["p95"]], ratio=True),
    ]
    part.data = {"backend": "moto in-process, TasksTable from template.yaml", "warmup": WARMUP,
                 "list_ms": listed, "create_ms": created, "ratio_create_to_list": ratios}
    return part



"""Probe: the streak job benchmark (``infra.bench.streaks``) on moto, in the engagement function's environment.

    python -m infra.bench.probes.streak_job_calls '{"users": 10000}'

Seeds ``users`` users with a standing streak (active yesterday) whose rollover hours cover the 24 UTC hours
evenly (fixed-offset zones), runs the job once for an hour, and prints the due users, the items read (index
entries returned by Query, items returned by GetItem) and the job's seconds as JSON.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from infra.bench.streaks import SEED_SECONDS
from infra.bench.tasks import batch_write
from infra.config import REGION
from infra.template import load_template

AT = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)


class ItemMeter:
    """Counts the items a DynamoDB client's Query and GetItem calls return (through its event hooks)."""

    def __init__(self) -> None:
        self.items = 0

    def attach(self, client: Any) -> None:
        client.meta.events.register("after-call.dynamodb.Query", self._query)
        client.meta.events.register("after-call.dynamodb.GetItem", self._get)

    def _query(self, parsed: dict[str, Any], **_: Any) -> None:
        self.items += len(parsed.get("Items", []))

    def _get(self, parsed: dict[str, Any], **_: Any) -> None:
        self.items += "Item" in parsed


def _zone(rollover_hour: int) -> str:
    """A fixed-offset zone whose day (starting at 0) is judged at ``rollover_hour`` UTC (6 hours after)."""
    offset = (6 - rollover_hour + 12) % 24 - 12  # -12..11 hours from UTC
    return "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"


def _items(users: int) -> Any:
    for n in range(users):
        hour = n % 24
        zone = _zone(hour)
        user = f"bench{n:07d}"
        today = (AT + timedelta(hours=(6 - hour + 12) % 24 - 12) - timedelta(hours=6)).date()
        yesterday = (today - timedelta(days=1)).isoformat()
        yield {"pk": {"S": f"USER#{user}"}, "sk": {"S": "DAY"}, "timezone": {"S": zone},
               "dayStartHour": {"N": "0"}, "at": {"S": "2026-01-01T00:00:00.000Z"}, "eventId": {"S": "seed"}}
        yield {"pk": {"S": f"USER#{user}"}, "sk": {"S": "STREAK"}, "current": {"N": "3"}, "best": {"N": "3"},
               "runId": {"S": "seed"}, "lastDay": {"S": yesterday}, "version": {"N": "1"},
               "dueKey": {"S": f"ROLL#{hour:02d}"}}


def _without_table_snapshots() -> None:
    """Stop moto copying whole tables on every transaction (moto 5.2.5, pinned in requirements/dev.txt).

    ``DynamoDBBackend.transact_write_items`` deep-copies each table a transaction names, once per item, so it
    can roll back on a failed condition: O(table) per transaction, which made the job's time on moto grow
    with the table rather than with the users due. No transaction of this run fails a condition (each due
    user is judged once), so nothing needs rolling back. Only the module's ``copy`` name is replaced (there
    is no public switch), and only for ``Table`` objects: moto's other copies (items) stay as they are.
    """
    import copy  # noqa: PLC0415
    from types import SimpleNamespace  # noqa: PLC0415

    from moto.dynamodb import models  # noqa: PLC0415 - the child's moto
    from moto.dynamodb.models.table import Table  # noqa: PLC0415

    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    setattr(models, "copy", SimpleNamespace(deepcopy=deepcopy))  # noqa: B010 - moto does not export its "copy"


def _run(users: int) -> dict[str, Any]:
    import boto3  # noqa: PLC0415 - the child's clients, inside moto's mock

    from deepiri_engagement.dal.streaks import StreakRepository  # noqa: PLC0415 - the child's PYTHONPATH
    from deepiri_engagement.logic import streak_job  # noqa: PLC0415

    client = boto3.client("dynamodb", region_name=REGION)
    table = os.environ["ENGAGEMENT_TABLE"]
    props = load_template()["Resources"]["EngagementTable"]["Properties"]
    client.create_table(TableName=table, **{key: props[key] for key in (
        "AttributeDefinitions", "KeySchema", "BillingMode", "GlobalSecondaryIndexes")})
    batch_write(client, table, _items(users), deadline=time.monotonic() + SEED_SECONDS)
    _without_table_snapshots()
    metered = boto3.client("dynamodb", region_name=REGION)
    meter = ItemMeter()
    meter.attach(metered)
    repository = StreakRepository(table, metered)
    started = time.perf_counter()
    report = streak_job.run(repository, AT)
    seconds = time.perf_counter() - started
    return {"users": users, "due": report.visited, "judged": report.judged, "itemsRead": meter.items,
            "seconds": round(seconds, 2)}


def main(config_json: str) -> None:
    from moto import mock_aws  # noqa: PLC0415 - only the child needs moto

    config = json.loads(config_json)
    with mock_aws():
        figures = _run(int(config["users"]))
    print(json.dumps(figures))


if __name__ == "__main__":
    main(sys.argv[1])

"""Probe: the DynamoDB read cost of a leaderboard's top-100 and of a user's rank at two board sizes.

    python -m infra.bench.probes.board_reads SMALL LARGE SAMPLES

On moto (in this interpreter): for each size it creates the boards table from template.yaml's
``BoardsTable``, loads that many users' all-time XP entries (scores drawn from an exponential
distribution, mean 20,000, fixed seed) with their counters, then calls the logic the routes call
(``standings.board_page`` for top-100, ``standings.my_standing`` for SAMPLES users spread over the board)
through a client that counts every read: calls, items read and read capacity units as DynamoDB bills
them (eventually consistent 0.5 per 4 KB, strongly consistent 1; a Query rounds its items' total size up
to 4 KB; every key a BatchGetItem asks for costs at least one unit, found or not). Prints one JSON line.
"""

from __future__ import annotations

import json
import math
import random
import sys
import time
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import boto3
from moto import mock_aws

from deepiri_engagement.dal.boards import BoardRepository
from deepiri_engagement.logic import standings
from deepiri_engagement.models.boards import Entry
from infra.config import REGION
from infra.template import load_template

UNIT = 4096
MEAN_SCORE = 20_000
NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def _size(value: Any) -> int:
    """Approximate DynamoDB size of an attribute value (low-level form)."""
    kind, inner = next(iter(value.items()))
    if kind in ("S", "B"):
        return len(str(inner).encode())
    if kind == "N":
        return math.ceil(len(str(Decimal(inner)).lstrip("-").replace(".", "")) / 2) + 1
    if kind == "M":
        return 3 + sum(len(k.encode()) + _size(v) + 1 for k, v in inner.items())
    if kind == "L":
        return 3 + sum(_size(v) + 1 for v in inner)
    return 1


def item_size(item: dict[str, Any]) -> int:
    return sum(len(name.encode()) + _size(value) for name, value in item.items())


class CountingClient:
    """A DynamoDB client that tallies the reads made through it."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.calls = self.items = 0
        self.units = 0.0

    def reset(self) -> None:
        self.calls = self.items = 0
        self.units = 0.0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)

    def query(self, **args: Any) -> dict[str, Any]:
        page: dict[str, Any] = self._client.query(**args)
        per = 1.0 if args.get("ConsistentRead") else 0.5
        read = page.get("Items", [])
        self.calls += 1
        self.items += page.get("ScannedCount", len(read))
        self.units += max(1, math.ceil(sum(item_size(item) for item in read) / UNIT)) * per
        return page

    def batch_get_item(self, **args: Any) -> dict[str, Any]:
        response: dict[str, Any] = self._client.batch_get_item(**args)
        self.calls += 1
        for table, request in args["RequestItems"].items():
            per = 1.0 if request.get("ConsistentRead") else 0.5
            found = response.get("Responses", {}).get(table, [])
            self.items += len(found)
            self.units += sum(max(1, math.ceil(item_size(item) / UNIT)) * per for item in found)
            self.units += (len(request["Keys"]) - len(found)) * per  # a missing key still costs a unit
        return response


def _table(client: Any, name: str) -> None:
    props = load_template()["Resources"]["BoardsTable"]["Properties"]
    client.create_table(TableName=name, BillingMode="PAY_PER_REQUEST",
                        **{key: props[key] for key in ("AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes")})


def _entries(count: int) -> list[Entry]:
    rng = random.Random(count)  # noqa: S311 (a reproducible board, not a secret)
    return [Entry(userId=f"user{n:06d}", board="xp", period="all", score=int(rng.expovariate(1 / MEAN_SCORE)),
                  achievedAt=f"2026-11-{rng.randint(1, 29):02d}T{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:"
                             f"{rng.randint(0, 59):02d}.000Z")
            for n in range(count)]


def measure(size: int, samples: int) -> dict[str, Any]:
    raw = boto3.client("dynamodb", region_name=REGION)
    name = f"bench-boards-{size}"
    _table(raw, name)
    entries = _entries(size)
    BoardRepository(name, "unused-outbox", raw).load(entries)
    client = CountingClient(raw)
    repository = BoardRepository(name, "unused-outbox", client)
    figures: dict[str, Any] = {}

    started = time.perf_counter()
    page = standings.board_page(repository, "xp", "user000000", 100, None, now=NOW)
    figures["top100"] = {"calls": client.calls, "items": client.items, "rcu": client.units,
                         "ms": (time.perf_counter() - started) * 1000}
    ordered = sorted(entries, key=lambda e: (-e.score, e.achievedAt, e.userId))
    if [row.userId for row in page.items] != [e.userId for e in ordered[:100]]:
        sys.exit("top-100 is not the board's order")

    client.reset()
    positions = [min(size - 1, int(size * fraction)) for fraction in
                 [n / samples for n in range(samples)]]
    started = time.perf_counter()
    for position in positions:
        mine = standings.my_standing(repository, "xp", ordered[position].userId, NOW)
        if mine.me is None or mine.me.rank != position + 1:
            sys.exit(f"rank of {ordered[position].userId} is {mine.me and mine.me.rank}, not {position + 1}")
    elapsed = (time.perf_counter() - started) * 1000
    figures["rank"] = {"calls": client.calls / samples, "items": client.items / samples,
                       "rcu": client.units / samples, "ms": elapsed / samples}
    return figures


def main(argv: list[str]) -> None:
    small, large, samples = int(argv[0]), int(argv[1]), int(argv[2])
    with mock_aws():
        print(json.dumps({"small": small, "large": large, "samples": samples,
                          str(small): measure(small, samples), str(large): measure(large, samples)}))


if __name__ == "__main__":
    main(sys.argv[1:])

"""Probe: the challenges benchmark (``infra.bench.challenges``) on moto, in the challenges functions' environment.

    python -m infra.bench.probes.challenge_calls '{"generate": 200}'
    python -m infra.bench.probes.challenge_calls '{"due": 100, "notDue": 10000}'

``generate``: that many challenges generated from one task (the tasks API answered in memory, no quiz
drafts: the Lambda invocations are not timed) by ``generation.generate`` on the table, and prints the
milliseconds of each as JSON. ``due`` / ``notDue``: seeds that many active challenges past their deadline
(spread over the 24 hours before the run) and not yet at it (spread over the next 48 hours, a tenth of them
later in the run's own hour), runs the expiry job once, and prints what it visited and expired, the items it
read (index entries returned by Query, items returned by GetItem) and its seconds.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from infra.bench.probes.streak_job_calls import ItemMeter, _without_table_snapshots
from infra.bench.tasks import batch_write
from infra.config import REGION
from infra.template import load_template

AT = datetime(2026, 11, 30, 12, 30, tzinfo=UTC)
SEED_SECONDS = 900.0


def _table(client: Any) -> str:
    table = os.environ["CHALLENGES_TABLE"]
    props = load_template()["Resources"]["ChallengesTable"]["Properties"]
    client.create_table(TableName=table, **{key: props[key] for key in (
        "AttributeDefinitions", "KeySchema", "BillingMode", "GlobalSecondaryIndexes")})
    return table


def _active(repository: Any, n: int, deadline: datetime) -> dict[str, Any]:
    """The item of user ``n``'s active challenge ending at ``deadline``, as the repository writes it."""
    from deepiri_challenges.dal.tasks import TaskView  # noqa: PLC0415 - the child's PYTHONPATH
    from deepiri_challenges.logic import generation  # noqa: PLC0415
    from deepiri_common.clock import to_iso  # noqa: PLC0415

    task = TaskView(id=f"T{n:025d}", title="Write the report", estimateMinutes=30)
    made = generation.build(f"bench{n:07d}", "timed_completion", task, "medium", now=deadline - timedelta(hours=1))
    started = made.model_copy(update={"status": "active", "startedAt": to_iso(deadline - timedelta(minutes=30)),
                                      "expiresAt": to_iso(deadline), "version": 2})
    [write] = repository.challenge_writes(0, started, started.expiresAt)
    return dict(write["Put"]["Item"])


def _expiry(due: int, not_due: int) -> dict[str, Any]:
    import boto3  # noqa: PLC0415 - the child's clients, inside moto's mock

    from deepiri_challenges.dal.challenges import ChallengeRepository  # noqa: PLC0415
    from deepiri_challenges.logic import expiry  # noqa: PLC0415

    client = boto3.client("dynamodb", region_name=REGION)
    table = _table(client)
    seeding = ChallengeRepository(table, client)
    rng = random.Random(7)  # noqa: S311 - spreading deadlines, not a secret
    past = [AT - timedelta(seconds=rng.randrange(1, 24 * 3600)) for _ in range(due)]
    # A tenth later in the run's own hour (read by its Query's partition, not returned), the rest in later hours.
    future = [AT + timedelta(seconds=rng.randrange(1, 29 * 60) if n % 10 == 0 else rng.randrange(3600, 48 * 3600))
              for n in range(not_due)]
    items = (_active(seeding, n, deadline) for n, deadline in enumerate(past + future))
    batch_write(client, table, items, deadline=time.monotonic() + SEED_SECONDS)
    _without_table_snapshots()
    metered = boto3.client("dynamodb", region_name=REGION)
    meter = ItemMeter()
    meter.attach(metered)
    started = time.perf_counter()
    report = expiry.run(ChallengeRepository(table, metered), AT)
    seconds = time.perf_counter() - started
    return {"due": due, "notDue": not_due, "visited": report.visited, "expired": report.expired,
            "itemsRead": meter.items, "seconds": round(seconds, 2)}


def _generate(count: int) -> dict[str, Any]:
    import boto3  # noqa: PLC0415

    from deepiri_challenges.dal.challenges import ChallengeRepository  # noqa: PLC0415
    from deepiri_challenges.dal.tasks import TaskView  # noqa: PLC0415
    from deepiri_challenges.logic import generation  # noqa: PLC0415
    from deepiri_challenges.models.challenges import GenerateRequest  # noqa: PLC0415
    from deepiri_common.identity import Caller  # noqa: PLC0415

    class OneTask:
        def task(self, caller: Any, task_id: str) -> TaskView:
            return TaskView(id=task_id, title="Write the quarterly report", description="- figures\n- draft\n- send",
                            estimateMinutes=90, difficulty="medium")

    class NoDrafts:
        def questions(self, *_: Any) -> None:
            return None

    client = boto3.client("dynamodb", region_name=REGION)
    tools = generation.Generation(ChallengeRepository(_table(client), client), OneTask(), NoDrafts(),  # type: ignore[arg-type]
                                  random.Random(5))  # noqa: S311 - choosing a type, not a secret
    caller, request = Caller(user_id="bench"), GenerateRequest(taskId="T" + "0" * 25)
    timings = []
    for _ in range(count):
        started = time.perf_counter()
        generation.generate(tools, caller, request, AT)
        timings.append((time.perf_counter() - started) * 1000)
    return {"timingsMs": timings}


def main(config_json: str) -> None:
    from moto import mock_aws  # noqa: PLC0415 - only the child needs moto

    config = json.loads(config_json)
    with mock_aws():
        if "generate" in config:
            figures = _generate(int(config["generate"]))
        else:
            figures = _expiry(int(config["due"]), int(config["notDue"]))
    print(json.dumps(figures))


if __name__ == "__main__":
    main(sys.argv[1])

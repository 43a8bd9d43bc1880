"""The streak job's cost: items read and time for one hourly run with users holding a standing streak,
spread over the 24 rollover hours (1/24 due in the hour), at two table sizes ten times apart, on moto
in-process.

The job finds the users due through the sparse ``due`` index (a Query per hour), then reads each due user's
settings and streak and writes the judgement: its reads grow with the users due, not with the table.
The users are bulk-loaded with batch writes; moto's whole-table copy on every transaction is switched off
for the run (see the probe), else 4,800 users took 8 minutes. Moto still answers a Query on an index by
iterating the table, so the time column measures moto too; the items-read column measures the job.
"""

from __future__ import annotations

import json
import os

from infra.bench.core import Result, Row, ratio, run_probe, service_env
from infra.config import Target

STREAK_JOB_FUNCTION = "EngagementStreakJobFunction"
USERS = (10_000, 100_000)
SEED_SECONDS = 900.0  # seeding 100,000 users (two items each) on moto stops here
RUN_SECONDS = 900.0


def engagement_env(target: Target, table: str) -> dict[str, str]:
    return {**service_env(STREAK_JOB_FUNCTION, target.stage), "ENGAGEMENT_TABLE": table,
            "POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_TRACE_DISABLED": "true"}


def run(target: Target) -> Result:
    """Items read and seconds of one streak job run at 10,000 and 100,000 users with a streak."""
    result = Result(title="streak job: one hourly run, users with a standing streak spread over 24 rollover hours",
                    columns=["users", "due", "items read", "job s", "items / due"])
    figures: dict[str, dict[str, float]] = {}
    for users in USERS:
        table = f"deepiri-bench-streaks-{os.getpid()}-{users}"
        output = run_probe("infra.bench.probes.streak_job_calls", [json.dumps({"users": users})],
                           engagement_env(target, table), timeout=SEED_SECONDS + RUN_SECONDS)
        figures[str(users)] = json.loads(output)
    for users in USERS:
        f = figures[str(users)]
        result.rows.append(Row(f"{users:,} users", [users, f["due"], f["itemsRead"], f["seconds"],
                                                    ratio(f["itemsRead"], f["due"])]))
    small, large = (figures[str(n)] for n in USERS)
    result.rows.append(Row("ratio large / small", [ratio(USERS[1], USERS[0]), ratio(large["due"], small["due"]),
                                                       ratio(large["itemsRead"], small["itemsRead"]),
                                                       ratio(large["seconds"], small["seconds"]), None], ratio=True))
    result.notes.append("moto in-process (no whole-table copy per transaction); items read = index entries "
                        "returned + items got; the ratio of items read follows the ratio of users due (the table "
                        "itself is never scanned); moto's index Query iterates its table, so the time ratio "
                        "includes moto's own growth")
    result.data = figures
    return result

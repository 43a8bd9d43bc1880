"""The challenges service on moto, in-process: generating a challenge (p50), and the expiry job's cost with
N challenges due and M not due.

The job reads the sparse ``due`` index, one Query per UTC hour of its 24-hour look-back, for the items due by
its instant, then gets and expires each: its reads follow the challenges due, not the ones still running
(those in later hours are never read; those later in the run's own hour are skipped by the Query's range).
"""

from __future__ import annotations

import json
import os

from infra.bench.core import Result, Row, ratio, run_probe, service_env, timed_figures
from infra.config import Target

EXPIRY_JOB_FUNCTION = "ChallengesExpiryJobFunction"
GENERATIONS = 200
CASES = ((100, 1_000), (100, 10_000), (1_000, 10_000))  # (due, not due)
TIMEOUT = 1_800.0


def _env(target: Target, table: str) -> dict[str, str]:
    return {**service_env(EXPIRY_JOB_FUNCTION, target.stage), "CHALLENGES_TABLE": table,
            "POWERTOOLS_LOG_LEVEL": "WARNING", "POWERTOOLS_TRACE_DISABLED": "true"}


def run(target: Target) -> Result:
    """Generate p50 in-process, and items read by one expiry run for each (due, not due) case."""
    table = f"deepiri-bench-challenges-{os.getpid()}"
    made = json.loads(run_probe("infra.bench.probes.challenge_calls", [json.dumps({"generate": GENERATIONS})],
                                _env(target, f"{table}-generate"), timeout=TIMEOUT))
    timings = timed_figures(made["timingsMs"])
    generate = Result(title="challenges: generate from a task, in-process on moto (tasks API in memory)",
                      columns=["samples", "p50 ms", "p95 ms"],
                      rows=[Row("generate (checklist, no type: the bandit picks)", [
                          timings["samples"], timings["p50"], timings["p95"]])])
    result = Result(title="challenges: one expiry job run, N due and M not due, on moto",
                    columns=["due", "not due", "visited", "expired", "items read", "items / due", "job s"],
                    parts=[generate])
    figures = []
    for due, not_due in CASES:
        f = json.loads(run_probe("infra.bench.probes.challenge_calls", [json.dumps({"due": due, "notDue": not_due})],
                                 _env(target, f"{table}-{due}-{not_due}"), timeout=TIMEOUT))
        figures.append(f)
        result.rows.append(Row(f"{due:,} due, {not_due:,} not due", [
            due, not_due, f["visited"], f["expired"], f["itemsRead"], ratio(f["itemsRead"], due), f["seconds"]]))
    (a, b, c) = figures
    result.rows.append(Row("ratio: 10x not due, same due", [None, ratio(b["notDue"], a["notDue"]), None, None,
                                                            ratio(b["itemsRead"], a["itemsRead"]), None,
                                                            ratio(b["seconds"], a["seconds"])], ratio=True))
    result.rows.append(Row("ratio: 10x due, same not due", [ratio(c["due"], b["due"]), None, None, None,
                                                           ratio(c["itemsRead"], b["itemsRead"]), None,
                                                           ratio(c["seconds"], b["seconds"])], ratio=True))
    result.notes.append("items read = index entries returned by Query + items returned by GetItem: 2 per "
                        "challenge due (its index entry and the item), none for those not due; moto's index "
                        "Query iterates its table, so the seconds include moto's own growth with the table")
    result.data = {"generate": timings, "expiry": figures}
    return result

"""Leaderboard reads at 1,000 and 100,000 users: top-100 and a user's rank must cost the same.

The read cost (DynamoDB calls, items read, read capacity units as billed) is what the layout promises to
keep flat; it is measured on moto in a child interpreter (:mod:`infra.bench.probes.board_reads`), so it
needs no stack. Moto's time is printed too, but moto answers a Query on an index by iterating every
item of the table in Python (``Table.query`` in moto 5), so its time grows with the table where
DynamoDB's does not; the verdicts use the read cost only.
"""

from __future__ import annotations

import json

from infra.bench.core import Result, Row, ratio, run_probe, service_env, verdict
from infra.config import Target

SMALL, LARGE = 1_000, 100_000
SAMPLES = 5  # ranks measured per size, spread evenly over the board
LIMIT = 1.1
PROBE_SECONDS = 1800.0


def run(target: Target) -> Result:
    """Read cost of top-100 and of my-rank on an all-time XP board of SMALL and LARGE users."""
    output = run_probe("infra.bench.probes.board_reads", [str(SMALL), str(LARGE), str(SAMPLES)],
                       service_env(None, target.stage), timeout=PROBE_SECONDS)
    figures = json.loads(output)
    small, large = figures[str(SMALL)], figures[str(LARGE)]
    result = Result(title=f"leaderboard reads on moto: {SMALL:,} vs {LARGE:,} users (rank: mean of {SAMPLES})",
                    columns=["calls", "items", "RCU", "moto ms"])
    verdicts = []
    for key, label in (("top100", "top-100"), ("rank", "my-rank")):
        result.rows += [
            Row(f"{label} at {SMALL:,}", [small[key][f] for f in ("calls", "items", "rcu", "ms")]),
            Row(f"{label} at {LARGE:,}", [large[key][f] for f in ("calls", "items", "rcu", "ms")]),
            Row(f"{label} ratio", [ratio(large[key][f], small[key][f]) for f in ("calls", "items", "rcu", "ms")],
                ratio=True),
        ]
        verdicts += [verdict(f"{label} RCU {LARGE:,} / {SMALL:,}", ratio(large[key]["rcu"], small[key]["rcu"]), LIMIT),
                     verdict(f"{label} calls {LARGE:,} / {SMALL:,}", ratio(large[key]["calls"], small[key]["calls"]),
                             LIMIT)]
    result.verdicts = verdicts
    result.notes.append("moto ms grows with the table: moto walks every item of the table for each index Query; "
                        "DynamoDB reads only the items a Query returns")
    result.data = figures
    return result

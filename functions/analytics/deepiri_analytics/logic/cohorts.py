"""Weekly retention by registration cohort, an Athena query over the archive.

The SQL keeps to what DuckDB (the emulator's Athena) and Trino (Athena) both accept, and dedupes by
event id because the archive is written at least once. A day is the ``dt`` partition (the UTC date the
event happened), which both engines read as text whatever type they inferred for ``occurred_at``. A
week is counted from Monday 1970-01-05 (week 0): a user's cohort is the week of their UserRegistered,
and they are retained in week ``k`` when any other event about them happened ``k`` weeks after. The
answer lists each cohort of the last ``weeks`` weeks with its size and, for k = 0.., the share of it
active in week k.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from typing import Protocol

from pydantic import BaseModel, Field

EPOCH_MONDAY = date(1970, 1, 5)


class Cohort(BaseModel):
    week: str = Field(description="the cohort's Monday")
    users: int
    retention: list[float] = Field(description="share of the cohort active k weeks after registering, k = 0..")


class CohortQuery(BaseModel):
    queryId: str
    state: str = Field(description="QUEUED, RUNNING, SUCCEEDED, FAILED or CANCELLED")
    cohorts: list[Cohort] | None = None


class QueryEngine(Protocol):
    def start(self, sql: str) -> str: ...
    def state(self, query_id: str) -> str: ...
    def rows(self, query_id: str) -> list[list[str]]: ...


def week_index(day: date) -> int:
    return (day - EPOCH_MONDAY).days // 7


_WEEK = "CAST(floor(date_diff('day', DATE '1970-01-05', CAST(day AS DATE)) / 7.0) AS INTEGER)"
_COHORT_SQL = """
WITH ev AS (
  SELECT DISTINCT event_id, detail_type, user_id, CAST(dt AS VARCHAR) AS day FROM {table}
),
reg AS (
  SELECT user_id, min({week}) AS cohort FROM ev WHERE detail_type = 'UserRegistered' GROUP BY user_id
),
act AS (
  SELECT DISTINCT user_id, {week} AS week FROM ev WHERE detail_type <> 'UserRegistered'
)
SELECT reg.cohort AS cohort, act.week - reg.cohort AS offset_weeks, count(DISTINCT act.user_id) AS active
FROM reg JOIN act ON act.user_id = reg.user_id
WHERE reg.cohort >= {first_week} AND act.week >= reg.cohort
GROUP BY reg.cohort, act.week - reg.cohort
UNION ALL
SELECT cohort, -1 AS offset_weeks, count(*) AS active FROM reg WHERE cohort >= {first_week} GROUP BY cohort
ORDER BY cohort, offset_weeks
"""


def cohort_sql(table: str, first_week: int) -> str:
    """The query; ``table`` comes from configuration and ``first_week`` is an int: no caller text in it."""
    return _COHORT_SQL.format(table=table, week=_WEEK, first_week=int(first_week)).strip()


def cohorts_from_rows(rows: Sequence[Sequence[str]]) -> list[Cohort]:
    """Result rows ``cohort, offset_weeks, active`` (offset -1: the cohort's size) as cohorts."""
    sizes: dict[int, int] = {}
    active: dict[int, dict[int, int]] = {}
    for cohort_text, offset_text, count_text in rows:
        cohort, offset, count = int(cohort_text), int(offset_text), int(count_text)
        if offset < 0:
            sizes[cohort] = count
        else:
            active.setdefault(cohort, {})[offset] = count
    cohorts = []
    for cohort, size in sorted(sizes.items()):
        weeks = active.get(cohort, {})
        span = max(weeks, default=-1) + 1  # none active: 0 weeks (a default of -2 is equivalent: range(-1) is empty)
        cohorts.append(Cohort(week=(EPOCH_MONDAY + timedelta(weeks=cohort)).isoformat(), users=size,
                              retention=[round(weeks.get(k, 0) / size, 4) for k in range(span)]))
    return cohorts


def start(engine: QueryEngine, table: str, weeks: int, today: date) -> CohortQuery:
    query_id = engine.start(cohort_sql(table, week_index(today) - weeks + 1))
    return CohortQuery(queryId=query_id, state="QUEUED")


def result(engine: QueryEngine, query_id: str) -> CohortQuery:
    state = engine.state(query_id)
    if state != "SUCCEEDED":
        return CohortQuery(queryId=query_id, state=state)
    return CohortQuery(queryId=query_id, state=state, cohorts=cohorts_from_rows(engine.rows(query_id)))

"""Reports over read-model rows, as pure functions: summary, zero-filled time series, heatmap, project.

A window is a range of the caller's local days (both ends included), at most ``MAX_DAYS`` long, so a
read never grows with the length of someone's history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta

from deepiri_analytics.models.reports import (
    Heatmap,
    Point,
    ProjectDay,
    ProjectSummary,
    Streak,
    Summary,
    TimeSeries,
)
from deepiri_analytics.models.rows import DayRow
from deepiri_common.problems import ValidationFailed

MAX_DAYS = 366
DEFAULT_DAYS = 30


def window(start: date | None, end: date | None, today: date) -> tuple[date, date]:
    """The window asked for: ``to`` defaults to today, ``from`` to 30 days before ``to``; 422 when reversed
    or longer than a year."""
    last = end or today
    first = start or last - timedelta(days=DEFAULT_DAYS - 1)
    if first > last:
        raise ValidationFailed([{"field": "query.from", "message": "must not be after to"}])
    if (last - first).days + 1 > MAX_DAYS:
        raise ValidationFailed([{"field": "query.from", "message": f"a window is at most {MAX_DAYS} days"}])
    return first, last


def _total(rows: Iterable[DayRow], name: str) -> int:
    return sum(row.get(name) for row in rows)


def on_time_rate(on_time: int, late: int) -> float | None:
    judged = on_time + late
    return round(on_time / judged, 4) if judged else None


def efficiency(estimate: int, actual: int) -> float | None:
    """clamp(estimate / actual x 100, 0, 100): 100 when work took no longer than estimated."""
    if actual <= 0:
        return None
    return round(min(100.0, max(0.0, estimate / actual * 100)), 1)


def summary(rows: list[DayRow], first: date, last: date, streak: Mapping[str, int]) -> Summary:
    on_time, late = _total(rows, "onTime"), _total(rows, "late")
    estimate, actual = _total(rows, "estimateMinutes"), _total(rows, "actualMinutes")
    active = sum(1 for row in rows if row.get("completed") or row.get("focusMinutes"))
    return Summary.model_validate({
        "from": first.isoformat(), "to": last.isoformat(), "created": _total(rows, "created"),
        "completed": _total(rows, "completed"), "onTime": on_time, "late": late, "overdue": _total(rows, "overdue"),
        "onTimeRate": on_time_rate(on_time, late), "focusMinutes": _total(rows, "focusMinutes"),
        "estimateMinutes": estimate, "actualMinutes": actual, "efficiency": efficiency(estimate, actual),
        "xp": _total(rows, "xp"), "challengesStarted": _total(rows, "challengesStarted"),
        "challengesCompleted": _total(rows, "challengesCompleted"), "activeDays": active,
        "streak": Streak(days=streak.get("days", 0), longest=streak.get("longest", 0)),
    })


def bucket_start(day: date, bucket: str) -> date:
    """The first day of ``day``'s bucket: itself, or the Monday of its week."""
    return day - timedelta(days=day.weekday()) if bucket == "week" else day


def timeseries(rows: list[DayRow], metric: str, bucket: str, first: date, last: date) -> TimeSeries:
    """One point per bucket from ``first`` to ``last``, zero where no row is (weeks start on Monday)."""
    step = timedelta(days=7 if bucket == "week" else 1)
    values: dict[date, int] = {}
    start = bucket_start(first, bucket)
    while start <= last:
        values[start] = 0
        start += step
    for row in rows:
        day = date.fromisoformat(row.day)
        if first <= day <= last:
            values[bucket_start(day, bucket)] += row.get(metric)
    points = [Point(start=day.isoformat(), value=value) for day, value in values.items()]
    return TimeSeries.model_validate({"metric": metric, "bucket": bucket, "points": points})


def heatmap(counts: Mapping[str, int]) -> Heatmap:
    """The heatmap item's ``c<hour of week>`` / ``f<hour of week>`` counters as two 7 x 24 grids."""
    def grid(prefix: str) -> list[list[int]]:
        return [[int(counts.get(f"{prefix}{day * 24 + hour}", 0)) for hour in range(24)] for day in range(7)]
    return Heatmap(completions=grid("c"), focusMinutes=grid("f"))


def project_summary(project_id: str, rows: list[DayRow], first: date, last: date) -> ProjectSummary:
    completed, cycles = _total(rows, "completed"), _total(rows, "cycles")
    days = (last - first).days + 1
    return ProjectSummary.model_validate({
        "projectId": project_id, "from": first.isoformat(), "to": last.isoformat(),
        "created": _total(rows, "created"), "completed": completed, "throughputPerDay": round(completed / days, 2),
        "meanCycleHours": round(_total(rows, "cycleMinutes") / cycles / 60, 2) if cycles else None,
        "days": [ProjectDay(day=row.day, created=row.get("created"), completed=row.get("completed")) for row in rows],
    })

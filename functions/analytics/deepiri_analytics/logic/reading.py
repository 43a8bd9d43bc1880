"""The caller's reports: each reads one window of day rows (one Query) and shapes it with ``reports``.

Every read is the caller's own partition, or a project's after checking the caller is its member (404
otherwise, so a project's existence never leaks).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from deepiri_analytics.logic import forecast, insights, projection, reports
from deepiri_analytics.models.insights import Forecast, ForecastPoint, Insights
from deepiri_analytics.models.reports import (
    ActiveUsers,
    Export,
    ExportEvent,
    ExportRow,
    Heatmap,
    ProjectSummary,
    Summary,
    TimeSeries,
)
from deepiri_analytics.models.rows import DAY_COUNTERS, DayRow, DaySettings, LoggedEvent, OpenTask
from deepiri_common.pagination import decode_cursor, encode_cursor
from deepiri_common.problems import BadRequest, NotFound

EXPORT_EVENTS = 1000  # events per export page (a bounded Query; the cursor continues)


class Rows(Protocol):
    def day_settings(self, user_id: str) -> DaySettings: ...
    def streak(self, user_id: str) -> dict[str, int]: ...
    def counters(self, owner: str, row: str) -> dict[str, int]: ...
    def days(self, owner: str, first: date, last: date) -> list[DayRow]: ...
    def is_member(self, project_id: str, user_id: str) -> bool: ...
    def open_tasks(self, user_id: str) -> list[OpenTask]: ...
    def logged(self, user_id: str, first: str, last: str, limit: int,
               start: dict[str, Any] | None) -> tuple[list[LoggedEvent], dict[str, Any] | None]: ...
    def count(self, owner: str) -> int: ...


def _window(rows: Rows, user_id: str, start: date | None, end: date | None, now: datetime) -> tuple[date, date]:
    return reports.window(start, end, projection.local_day(now, rows.day_settings(user_id)))


def summary(rows: Rows, user_id: str, start: date | None, end: date | None, now: datetime) -> Summary:
    first, last = _window(rows, user_id, start, end, now)
    days = rows.days(projection.user_key(user_id), first, last)
    return reports.summary(days, first, last, rows.streak(user_id))


def timeseries(rows: Rows, user_id: str, *, metric: str, bucket: str, start: date | None, end: date | None,
               now: datetime) -> TimeSeries:
    first, last = _window(rows, user_id, start, end, now)
    return reports.timeseries(rows.days(projection.user_key(user_id), first, last), metric, bucket, first, last)


def heatmap(rows: Rows, user_id: str) -> Heatmap:
    return reports.heatmap(rows.counters(projection.user_key(user_id), "HEATMAP"))


def project_summary(rows: Rows, user_id: str, project_id: str, *, start: date | None, end: date | None,
                    now: datetime) -> ProjectSummary:
    if not rows.is_member(project_id, user_id):
        raise NotFound("project not found")
    first, last = reports.window(start, end, now.date())
    return reports.project_summary(project_id, rows.days(projection.project_key(project_id), first, last), first, last)


def _start_key(user_id: str, cursor: str | None) -> dict[str, Any] | None:
    """The cursor as the Query's start key, refused unless it points into the caller's own event log."""
    if cursor is None:
        return None
    key = decode_cursor(cursor)
    pk, sk = key.get("pk"), key.get("sk")
    # A sort key without its string reads as "": None ("None") or "XXXX" in its place is refused alike, as
    # not in the event log (equivalent).
    sort_key = str(sk.get("S", "")) if isinstance(sk, dict) else ""
    if set(key) != {"pk", "sk"} or pk != {"S": projection.user_key(user_id)} or not sort_key.startswith("LOG#"):
        raise BadRequest("invalid cursor")
    return key


def export(rows: Rows, user_id: str, now: datetime, cursor: str | None = None) -> Export:
    """The caller's daily rows and logged events of the last year (``MAX_DAYS``), oldest first; the events a
    page (``EXPORT_EVENTS``) at a time, the day rows on the first page."""
    start = _start_key(user_id, cursor)
    last = projection.local_day(now, rows.day_settings(user_id))
    first = last - timedelta(days=reports.MAX_DAYS - 1)
    days = [] if start else rows.days(projection.user_key(user_id), first, last)
    # From the UTC day before the window's first local day (every zone's first day is inside) to the newest
    since = (first - timedelta(days=1)).isoformat()
    logged, following = rows.logged(user_id, f"LOG#{since}", "LOG#~", EXPORT_EVENTS, start)
    events = [ExportEvent(eventId=e.event_id, detailType=e.detail_type, occurredAt=e.occurred_at,
                          event=json.loads(e.body)) for e in logged]
    return Export(userId=user_id, days=[ExportRow(day=row.day, counts=dict(row.counts)) for row in days],
                  events=events, nextCursor=encode_cursor(following) if following else None)


def export_csv(export_data: Export) -> str:
    """Two tables: one line per day (``day`` then every day counter), a blank line, then one line per event
    (``event_id, detail_type, occurred_at, event`` as delivered, JSON)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["day", *DAY_COUNTERS])
    for row in export_data.days:
        writer.writerow([row.day, *(row.counts.get(name, 0) for name in DAY_COUNTERS)])
    writer.writerow([])
    writer.writerow(["event_id", "detail_type", "occurred_at", "event"])
    for event in export_data.events:
        # ensure_ascii=None is falsy, read as False (equivalent).
        writer.writerow([event.eventId, event.detailType, event.occurredAt,
                         json.dumps(event.event, separators=(",", ":"), ensure_ascii=False)])
    return out.getvalue()


def active_users(rows: Rows, now: datetime) -> ActiveUsers:
    """DAU, WAU and MAU of the UTC day, ISO week and month of ``now`` (one counted Query each)."""
    periods = [projection.active_key(period) for period in projection.periods(now)]
    dau, wau, mau = (rows.count(owner) for owner in periods)
    return ActiveUsers(day=now.date().isoformat(), dau=dau, wau=wau, mau=mau)


def user_insights(rows: Rows, user_id: str, now: datetime) -> Insights:
    """The caller's insights from their last 28 days, their heatmap and open tasks (two Queries, two reads)."""
    today = projection.local_day(now, rows.day_settings(user_id))
    first = today - timedelta(days=insights.WINDOW_DAYS - 1)
    days = rows.days(projection.user_key(user_id), first, today)
    found = insights.insights(days, rows.counters(projection.user_key(user_id), "HEATMAP"), rows.streak(user_id),
                              today, open_tasks=rows.open_tasks(user_id), now=now)
    return Insights(userId=user_id, asOf=today.isoformat(), windowDays=insights.WINDOW_DAYS, items=found)


def user_forecast(rows: Rows, user_id: str, metric: str, days: int, now: datetime) -> Forecast:
    """The next ``days`` local days of ``metric``, from the last 56 days up to yesterday (today is not over)."""
    today = projection.local_day(now, rows.day_settings(user_id))
    first = today - timedelta(days=forecast.HISTORY_DAYS)
    last = today - timedelta(days=1)
    series = reports.timeseries(rows.days(projection.user_key(user_id), first, last), metric, "day", first, last)
    bands = forecast.holt_winters([float(p.value) for p in series.points], days)
    points = [ForecastPoint(day=(today + timedelta(days=n)).isoformat(), value=b.value, lower=b.lower, upper=b.upper)
              for n, b in enumerate(bands)]
    return Forecast.model_validate({"metric": metric, "method": "Holt-Winters (additive, weekly season, damped trend)",
                                    "historyDays": forecast.HISTORY_DAYS, "points": points})

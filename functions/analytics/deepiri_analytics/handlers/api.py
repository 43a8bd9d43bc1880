"""Analytics REST routes under /api/analytics: the caller's own reports, a project's for its members, and
the admins' views (active users, cohorts by an Athena query over the archive)."""

from __future__ import annotations

from datetime import date
from http import HTTPStatus
from typing import Annotated, Any, Literal

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Path, Query
from pydantic import Field

from deepiri_analytics import wiring
from deepiri_analytics.logic import cohorts, reading
from deepiri_analytics.models.insights import Forecast, Insights
from deepiri_analytics.models.reports import (
    ActiveUsers,
    Bucket,
    Export,
    Heatmap,
    Metric,
    ProjectSummary,
    Summary,
    TimeSeries,
)
from deepiri_common.api import api_handler, create_resolver
from deepiri_common.clock import utc_now
from deepiri_common.identity import caller_id, current_caller, require_role
from deepiri_common.routes import Routes

app = create_resolver()
routes = Routes(app)

# A day this service can hold: from the Unix epoch to year 2999 (windows and buckets never leave the calendar).
Day = Annotated[date, Field(ge=date(1970, 1, 1), le=date(2999, 12, 31))]
From = Annotated[Day | None, Query(alias="from", description="first local day (default: 29 days before `to`)")]
To = Annotated[Day | None, Query(description="last local day, included (default: today)")]
ProjectId = Annotated[str, Path(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$")]
QueryId = Annotated[str, Path(pattern=r"^[A-Za-z0-9-]{1,128}$")]


@routes.get("/api/analytics/me/summary", problems=(422,))
def get_summary(start: From = None, to: To = None) -> Summary:
    """Totals of the caller's days: tasks, on-time rate, efficiency, focus minutes, XP, streak."""
    return reading.summary(wiring.read_models(), caller_id(app), start, to, utc_now())


@routes.get("/api/analytics/me/timeseries", problems=(422,))
def get_timeseries(metric: Annotated[Metric, Query()] = "completed",
                   bucket: Annotated[Bucket, Query()] = "day", start: From = None, to: To = None) -> TimeSeries:
    """One metric per day or week (weeks start on Monday), every bucket present, zero when empty."""
    return reading.timeseries(wiring.read_models(), caller_id(app), metric=metric, bucket=bucket, start=start,
                              end=to, now=utc_now())


@routes.get("/api/analytics/me/heatmap")
def get_heatmap() -> Heatmap:
    """Completions and focus minutes per local weekday and hour."""
    return reading.heatmap(wiring.read_models(), caller_id(app))


@routes.get("/api/analytics/me/insights")
def get_insights() -> Insights:
    """Findings about how the caller works, each with its figures and a confidence."""
    return reading.user_insights(wiring.read_models(), caller_id(app), utc_now())


@routes.get("/api/analytics/me/forecast", problems=(422,))
def get_forecast(metric: Annotated[Literal["completed", "focusMinutes"], Query()] = "completed",
                 days: Annotated[int, Query(ge=1, le=14)] = 7) -> Forecast:
    """Completions or focus minutes for the next 1-14 days with an 80 % band (Holt-Winters)."""
    return reading.user_forecast(wiring.read_models(), caller_id(app), metric, days, utc_now())


# Both answers are documented: JSON by default, CSV for format=csv (a contract fuzzer checks the media type).
_EXPORT_RESPONSES = {200: {"description": "OK", "content": {
    "application/json": {"model": Export},
    "text/csv": {"schema": {"type": "string", "description": "a header line and one line per day, a blank line, "
                                                             "then a header line and one line per event"}}}}}


@routes.get("/api/analytics/me/export", responses=_EXPORT_RESPONSES, problems=(400,))
def get_export(format: Annotated[Literal["json", "csv"], Query()] = "json",
               cursor: Annotated[str | None, Query(max_length=1024)] = None) -> Response[Any]:
    """The caller's daily rows and own events of the last year, as JSON or CSV (events a page at a time)."""
    data = reading.export(wiring.read_models(), caller_id(app), utc_now(), cursor)
    if format == "csv":
        return Response(status_code=HTTPStatus.OK, content_type="text/csv", body=reading.export_csv(data))
    return Response(status_code=HTTPStatus.OK, content_type="application/json", body=data.model_dump_json())


@routes.get("/api/analytics/projects/<id>/summary", problems=(404, 422))
def get_project_summary(id: ProjectId, start: From = None, to: To = None) -> ProjectSummary:
    """A project's throughput and cycle time per UTC day (members only; 404 to anyone else)."""
    return reading.project_summary(wiring.read_models(), caller_id(app), id, start=start, end=to, now=utc_now())


@routes.get("/api/analytics/admin/active-users", problems=(403,))
def get_active_users() -> ActiveUsers:
    """Users active today, this ISO week and this month (UTC); admins only."""
    require_role(current_caller(app), "admin")
    return reading.active_users(wiring.read_models(), utc_now())


@routes.get("/api/analytics/admin/cohorts", status=202, problems=(403, 422))
def start_cohorts(weeks: Annotated[int, Query(ge=1, le=52)] = 8) -> Response[cohorts.CohortQuery]:
    """Start the weekly-retention query over the archive (Athena); poll its queryId. Admins only."""
    require_role(current_caller(app), "admin")
    started = cohorts.start(wiring.athena(), "events", weeks, utc_now().date())
    return Response(status_code=HTTPStatus.ACCEPTED, content_type="application/json", body=started)


@routes.get("/api/analytics/admin/cohorts/<queryId>", problems=(403, 404))
def get_cohorts(queryId: QueryId) -> cohorts.CohortQuery:
    """The cohort query's state and, once it succeeded, each cohort's weekly retention. Admins only."""
    require_role(current_caller(app), "admin")
    return cohorts.result(wiring.athena(), queryId)


handler: Any = api_handler(app)

"""User time series routes: POST and GET /api/users/me/metrics."""

from __future__ import annotations

from functools import cache
from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from deepiri_common import aws
from deepiri_common.api import api_handler, create_resolver, enforce_scopes
from deepiri_common.identity import current_caller
from deepiri_common.settings import load_settings
from deepiri_users.dal.metrics import MetricRepository
from deepiri_users.logic.metrics import record_sample, series
from deepiri_users.models.metrics import BucketSize, MetricName, MetricSample, MetricSampleCreate, MetricSeries
from deepiri_users.settings import UsersSettings

app = create_resolver()

Instant = Annotated[str | None, Query(max_length=40)]


@cache
def repository() -> MetricRepository:
    return MetricRepository(load_settings(UsersSettings).users_table, aws.client("dynamodb"))


@app.post("/api/users/me/metrics")
def post_metric(body: MetricSampleCreate) -> Response[MetricSample]:
    retention = load_settings(UsersSettings).metrics_retention_days
    sample = record_sample(repository(), current_caller(app).user_id, body, retention)
    return Response(status_code=HTTPStatus.CREATED.value, content_type="application/json", body=sample)


@app.get("/api/users/me/metrics")
def get_metrics(
    metric: Annotated[MetricName, Query()],
    start: Annotated[str | None, Query(alias="from", max_length=40)] = None,
    to: Instant = None,
    bucket: Annotated[BucketSize, Query()] = "day",
    tz: Annotated[str | None, Query(max_length=64)] = None,
) -> MetricSeries:
    return series(repository(), current_caller(app).user_id, metric, start=start, end=to, bucket=bucket, tz=tz)


# Third-party (OAuth) tokens reach only these routes, each behind one scope.
enforce_scopes(app, {
    "GET /api/users/me/metrics": "profile:read",
    "POST /api/users/me/metrics": "profile:write",
})

handler: Any = api_handler(app)

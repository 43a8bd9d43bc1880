"""User time series routes: POST and GET /api/users/me/metrics."""

from __future__ import annotations

from http import HTTPStatus
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Query

from deepiri_common.api import api_handler, create_resolver
from deepiri_common.identity import current_caller
from deepiri_common.routes import Routes
from deepiri_common.settings import load_settings
from deepiri_users import wiring
from deepiri_users.logic.metrics import record_sample, series
from deepiri_users.models.metrics import BucketSize, MetricName, MetricSample, MetricSampleCreate, MetricSeries
from deepiri_users.settings import UsersSettings

app = create_resolver()
routes = Routes(app)

Instant = Annotated[str | None, Query(max_length=40)]


@routes.post("/api/users/me/metrics", scope="profile:write", status=201)
def post_metric(body: MetricSampleCreate) -> Response[MetricSample]:
    """Record a sample of a personal metric."""
    retention = load_settings(UsersSettings).metrics_retention_days
    sample = record_sample(wiring.metric_repository(), current_caller(app).user_id, body, retention)
    return Response(status_code=HTTPStatus.CREATED.value, content_type="application/json", body=sample)


@routes.get("/api/users/me/metrics", scope="profile:read")
def get_metrics(
    metric: Annotated[MetricName, Query()],
    start: Annotated[str | None, Query(alias="from", max_length=40)] = None,
    to: Instant = None,
    bucket: Annotated[BucketSize, Query()] = "day",
    tz: Annotated[str | None, Query(max_length=64)] = None,
) -> MetricSeries:
    """A personal metric's samples, bucketed by hour or day in a timezone."""
    return series(wiring.metric_repository(), current_caller(app).user_id, metric, start=start, end=to,
                  bucket=bucket, tz=tz)


handler: Any = api_handler(app)

"""User time series: samples a user records (focus minutes, mood, ...) and their aggregation per bucket."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from deepiri_common.clock import Instant

MetricName = Literal["focusMinutes", "mood", "energy", "sleepHours", "stress", "waterGlasses"]
BucketSize = Literal["hour", "day"]

METRIC_RANGES: dict[str, tuple[float, float]] = {
    "focusMinutes": (0, 1440),
    "mood": (1, 5),
    "energy": (1, 5),
    "sleepHours": (0, 24),
    "stress": (1, 5),
    "waterGlasses": (0, 50),
}
"""The documented metrics and their inclusive value ranges."""


class MetricSampleCreate(BaseModel):
    """Body of ``POST /api/users/me/metrics``; ``at`` defaults to now."""

    model_config = ConfigDict(extra="forbid")

    metric: MetricName
    value: float = Field(allow_inf_nan=False)
    at: Instant | None = None

    @field_validator("value")
    @classmethod
    def _in_range(cls, value: float, info: ValidationInfo) -> float:
        metric = info.data.get("metric")
        if metric is None:  # the metric itself is invalid and reported on its own
            return value
        low, high = METRIC_RANGES[metric]
        if not low <= value <= high:
            raise ValueError(f"{metric} must be between {low:g} and {high:g}")
        return value

    @field_validator("at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("must carry a timezone offset (or Z)")
        return value


class MetricSample(BaseModel):
    """A stored sample."""

    id: str
    metric: MetricName
    value: float
    at: str


class MetricBucket(BaseModel):
    """The aggregate of the samples in one hour or day. ``start``/``end`` are UTC instants; ``date`` is
    the local calendar date for day buckets."""

    start: str
    end: str
    date: str | None = None
    count: int
    sum: float
    avg: float
    min: float
    max: float


class MetricSeries(BaseModel):
    """Body of ``GET /api/users/me/metrics``: non-empty buckets in time order."""

    metric: MetricName
    bucket: BucketSize
    timezone: str
    from_: str = Field(serialization_alias="from")
    to: str
    buckets: list[MetricBucket]

    model_config = ConfigDict(serialize_by_alias=True)

"""User time series: a user records samples of a few personal metrics and reads them aggregated.

    | metric        | range (inclusive) | meaning                         |
    | ------------- | ----------------- | ------------------------------- |
    | focusMinutes  | 0 .. 1440         | minutes of focused work         |
    | mood          | 1 .. 5            | self-rated mood                 |
    | energy        | 1 .. 5            | self-rated energy               |
    | sleepHours    | 0 .. 24           | hours slept                     |
    | stress        | 1 .. 5            | self-rated stress               |
    | waterGlasses  | 0 .. 50           | glasses of water                |

A sample's time ``at`` defaults to now; it may be at most 5 minutes in the future (clock skew) and no
older than the retention (``METRICS_RETENTION_DAYS``), after which samples expire by TTL.

Reading: samples in ``[from, to)`` (at most 366 days; default the last 7 days) are aggregated per
bucket into count, sum, avg, min and max. Hour buckets are UTC hours. Day buckets are calendar days in
the ``tz`` given (IANA name), else UTC days, so a DST change gives a 23- or 25-hour day. Only buckets
holding samples are returned, in time order.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

from deepiri_common.clock import (
    is_valid_timezone,
    local_date,
    local_day_bounds,
    parse_iso,
    to_iso,
    utc_now,
    within_range,
)
from deepiri_common.ids import new_ulid
from deepiri_common.problems import ValidationFailed
from deepiri_users.models.metrics import BucketSize, MetricBucket, MetricSample, MetricSampleCreate, MetricSeries

FUTURE_TOLERANCE = timedelta(minutes=5)
MAX_RANGE = timedelta(days=366)
DEFAULT_RANGE = timedelta(days=7)


class MetricStore(Protocol):
    def add(self, user_id: str, sample: MetricSample, expires_at: datetime) -> None: ...
    def between(self, user_id: str, metric: str, start: datetime, end: datetime) -> list[MetricSample]: ...


def record_sample(store: MetricStore, user_id: str, body: MetricSampleCreate, retention_days: int,
                  now: datetime | None = None) -> MetricSample:
    """Store one sample; it expires ``retention_days`` after the time it describes."""
    now = now or utc_now()
    # every later use compares instants or writes UTC text (to_iso): the host's zone instead is equivalent
    at = (body.at or now).astimezone(UTC)
    retention = timedelta(days=retention_days)
    if at > now + FUTURE_TOLERANCE:
        raise ValidationFailed([{"field": "body.at", "message": "may not be more than 5 minutes in the future"}])
    if at < now - retention:
        raise ValidationFailed([{"field": "body.at", "message": f"may not be older than {retention_days} days"}])
    sample = MetricSample(id=new_ulid(), metric=body.metric, value=body.value, at=to_iso(at))
    store.add(user_id, sample, at + retention)
    return sample


def resolve_range(start: str | None, end: str | None, now: datetime | None = None) -> tuple[datetime, datetime]:
    """The ``[from, to)`` range a query asks for, validated; 422 naming the query parameter."""
    to = _instant(end, "query.to") if end else (now or utc_now())
    frm = _instant(start, "query.from") if start else to - DEFAULT_RANGE
    if frm >= to:
        raise ValidationFailed([{"field": "query.from", "message": "must be before to"}])
    if to - frm > MAX_RANGE:
        raise ValidationFailed([{"field": "query.from", "message": "the range may span at most 366 days"}])
    return frm, to


def resolve_timezone(tz: str | None) -> str:
    if tz is None:
        return "UTC"
    if not is_valid_timezone(tz):
        raise ValidationFailed([{"field": "query.tz", "message": "must be an IANA timezone, e.g. Europe/Paris"}])
    return tz


def _instant(text: str, field: str) -> datetime:
    try:
        moment = parse_iso(text)
    except (ValueError, OverflowError):
        raise ValidationFailed([{"field": field, "message": "must be an ISO-8601 time with an offset"}]) from None
    try:
        return within_range(moment)
    except ValueError as error:
        raise ValidationFailed([{"field": field, "message": str(error)}]) from None


def bucket_bounds(at: datetime, bucket: BucketSize, timezone: str) -> tuple[datetime, datetime, date | None]:
    """The UTC start and end of the bucket holding ``at``, and its local date for a day bucket."""
    if bucket == "hour":
        start = at.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
        return start, start + timedelta(hours=1), None
    day = local_date(at, timezone)
    start, end = local_day_bounds(day, timezone)
    return start, end, day


def aggregate(samples: Iterable[MetricSample], bucket: BucketSize, timezone: str = "UTC") -> list[MetricBucket]:
    """count / sum / avg / min / max of ``samples`` per bucket, in time order, empty buckets left out."""
    groups: dict[datetime, tuple[datetime, date | None, list[float]]] = {}
    for sample in samples:
        start, end, day = bucket_bounds(parse_iso(sample.at), bucket, timezone)
        groups.setdefault(start, (end, day, []))[2].append(sample.value)
    buckets = []
    for start in sorted(groups):
        end, day, values = groups[start]
        total = sum(values)
        buckets.append(MetricBucket(
            start=to_iso(start), end=to_iso(end), date=day.isoformat() if day else None, count=len(values),
            sum=round(total, 6), avg=round(total / len(values), 6), min=min(values), max=max(values)))
    return buckets


def series(store: MetricStore, user_id: str, metric: str, *, start: str | None, end: str | None,
           bucket: BucketSize, tz: str | None, now: datetime | None = None) -> MetricSeries:
    """The caller's ``metric`` aggregated per bucket over the requested range."""
    timezone = resolve_timezone(tz)
    frm, to = resolve_range(start, end, now)
    samples = store.between(user_id, metric, frm, to)
    return MetricSeries(metric=metric, bucket=bucket, timezone=timezone, from_=to_iso(frm), to=to_iso(to),
                        buckets=aggregate(samples, bucket, timezone))

"""Time-series rules: validation of samples and ranges, aggregation per hour and per local day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from deepiri_common.clock import RANGE_MESSAGE
from deepiri_common.problems import ValidationFailed
from deepiri_users.logic import metrics
from deepiri_users.models.metrics import MetricSample, MetricSampleCreate
from tests.support.host_zone import host_zone

NOW = datetime(2026, 3, 29, 12, 0, tzinfo=UTC)


def _sample(at: str, value: float) -> MetricSample:
    return MetricSample(id="01J0000000000000000000000", metric="mood", value=value, at=at)


def test_given_samples_in_two_hours_when_bucketed_by_hour_then_each_hour_aggregates() -> None:
    buckets = metrics.aggregate([_sample("2026-03-01T10:05:00.000Z", 2), _sample("2026-03-01T10:55:00.000Z", 5),
                                 _sample("2026-03-01T12:00:00.000Z", 3)], "hour")
    assert [(b.start, b.count, b.sum, b.avg, b.min, b.max) for b in buckets] == [
        ("2026-03-01T10:00:00.000Z", 2, 7, 3.5, 2, 5), ("2026-03-01T12:00:00.000Z", 1, 3, 3, 3, 3)]


def test_given_the_spring_forward_day_in_paris_when_bucketed_by_day_then_the_day_has_23_hours() -> None:
    # 23:30Z on the 28th is 00:30 on the 29th in Paris (CET); 22:30Z on the 29th is 00:30 on the 30th (CEST)
    samples = [_sample("2026-03-28T22:30:00.000Z", 1), _sample("2026-03-28T23:30:00.000Z", 2),
               _sample("2026-03-29T21:59:00.000Z", 3), _sample("2026-03-29T22:30:00.000Z", 4)]
    buckets = metrics.aggregate(samples, "day", "Europe/Paris")
    assert [(b.date, b.start, b.end, b.count) for b in buckets] == [
        ("2026-03-28", "2026-03-27T23:00:00.000Z", "2026-03-28T23:00:00.000Z", 1),
        ("2026-03-29", "2026-03-28T23:00:00.000Z", "2026-03-29T22:00:00.000Z", 2),
        ("2026-03-30", "2026-03-29T22:00:00.000Z", "2026-03-30T22:00:00.000Z", 1)]


def test_given_the_fall_back_day_in_new_york_when_bucketed_by_day_then_the_day_has_25_hours() -> None:
    [bucket] = metrics.aggregate([_sample("2026-11-01T04:30:00.000Z", 1), _sample("2026-11-02T04:30:00.000Z", 3)],
                                 "day", "America/New_York")
    assert (bucket.date, bucket.start, bucket.end, bucket.count) == (
        "2026-11-01", "2026-11-01T04:00:00.000Z", "2026-11-02T05:00:00.000Z", 2)


def test_given_no_timezone_when_bucketed_by_day_then_utc_days() -> None:
    buckets = metrics.aggregate([_sample("2026-03-28T23:30:00.000Z", 1)], "day")
    assert buckets[0].date == "2026-03-28" and buckets[0].start == "2026-03-28T00:00:00.000Z"


class FakeMetricStore:
    def __init__(self) -> None:
        self.added: list[tuple[str, MetricSample, datetime]] = []

    def add(self, user_id: str, sample: MetricSample, expires_at: datetime) -> None:
        self.added.append((user_id, sample, expires_at))

    def between(self, user_id: str, metric: str, start: datetime, end: datetime) -> list[MetricSample]:
        return [s for u, s, _ in self.added if u == user_id and s.metric == metric]


@pytest.mark.parametrize(("at", "accepted"), [("2026-03-29T12:04:00Z", True), ("2026-03-29T12:06:00Z", False),
                                              ("2025-03-01T00:00:00Z", True), ("2025-02-20T00:00:00Z", False)])
def test_given_a_sample_time_then_at_most_5_minutes_ahead_and_within_retention(at: str, accepted: bool) -> None:
    store = FakeMetricStore()
    body = MetricSampleCreate.model_validate({"metric": "mood", "value": 3, "at": at})
    if accepted:
        metrics.record_sample(store, "u", body, retention_days=400, now=NOW)
        assert len(store.added) == 1
    else:
        with pytest.raises(ValidationFailed) as refused:
            metrics.record_sample(store, "u", body, retention_days=400, now=NOW)
        assert refused.value.errors[0]["field"] == "body.at"


def test_given_no_range_then_the_last_seven_days_and_a_long_range_is_refused() -> None:
    frm, to = metrics.resolve_range(None, None, now=NOW)
    assert (to - frm).days == 7 and to == NOW
    with pytest.raises(ValidationFailed):
        metrics.resolve_range("2025-01-01T00:00:00Z", "2026-03-01T00:00:00Z")
    assert metrics.resolve_range("2025-03-01T00:00:00Z", "2026-03-01T00:00:00Z")  # 365 days


@pytest.mark.parametrize(("metric", "value", "ok"), [("mood", 1, True), ("mood", 0, False), ("sleepHours", 24, True),
                                                     ("focusMinutes", 1441, False), ("waterGlasses", 50, True)])
def test_given_a_value_then_the_metric_range_decides(metric: str, value: float, ok: bool) -> None:
    try:
        MetricSampleCreate.model_validate({"metric": metric, "value": value})
        valid = True
    except ValueError:
        valid = False
    assert valid is ok


def test_given_a_sample_without_time_when_recorded_then_it_is_now_and_expires_after_the_retention() -> None:
    store = FakeMetricStore()
    body = MetricSampleCreate.model_validate({"metric": "energy", "value": 4})
    sample = metrics.record_sample(store, "u", body, retention_days=30, now=NOW)
    assert (sample.metric, sample.value, sample.at) == ("energy", 4, "2026-03-29T12:00:00.000Z")
    assert store.added == [("u", sample, NOW + timedelta(days=30))]


def test_given_a_sample_with_an_offset_when_recorded_then_stored_in_utc() -> None:
    store = FakeMetricStore()
    body = MetricSampleCreate.model_validate({"metric": "mood", "value": 2, "at": "2026-03-29T13:30:00+02:00"})
    sample = metrics.record_sample(store, "u", body, retention_days=30, now=NOW)
    assert sample.at == "2026-03-29T11:30:00.000Z"
    assert store.added[0][2] == datetime(2026, 4, 28, 11, 30, tzinfo=UTC)


@pytest.mark.parametrize(("at", "message"), [
    ("2026-03-29T12:05:00Z", None),
    ("2026-03-29T12:05:01Z", "may not be more than 5 minutes in the future"),
    ("2026-02-27T12:00:00Z", None),
    ("2026-02-27T11:59:59Z", "may not be older than 30 days"),
])
def test_given_a_sample_at_the_edges_then_exactly_5_minutes_ahead_and_exactly_the_retention_are_accepted(
    at: str, message: str | None,
) -> None:
    store = FakeMetricStore()
    body = MetricSampleCreate.model_validate({"metric": "mood", "value": 3, "at": at})
    if message is None:
        metrics.record_sample(store, "u", body, retention_days=30, now=NOW)
        assert len(store.added) == 1
        return
    with pytest.raises(ValidationFailed) as refused:
        metrics.record_sample(store, "u", body, retention_days=30, now=NOW)
    assert refused.value.errors == [{"field": "body.at", "message": message}]
    assert store.added == []


@pytest.mark.parametrize(("start", "end", "field", "message"), [
    ("2026-03-01T00:00:00Z", "2026-03-01T00:00:00Z", "query.from", "must be before to"),
    ("2026-03-02T00:00:00Z", "2026-03-01T00:00:00Z", "query.from", "must be before to"),
    ("2025-02-28T23:59:59Z", "2026-03-02T00:00:00Z", "query.from", "the range may span at most 366 days"),
    ("yesterday", "2026-03-01T00:00:00Z", "query.from", "must be an ISO-8601 time with an offset"),
    ("2026-02-01T00:00:00Z", "2026-03-01T00:00:00", "query.to", "must be an ISO-8601 time with an offset"),
])
def test_given_a_bad_range_then_422_naming_the_query_parameter(start: str, end: str, field: str, message: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        metrics.resolve_range(start, end)
    assert refused.value.errors == [{"field": field, "message": message}]


def test_given_a_range_of_exactly_366_days_or_only_an_end_then_accepted() -> None:
    assert metrics.resolve_range("2025-03-01T00:00:00Z", "2026-03-02T00:00:00Z")[0] == datetime(2025, 3, 1, tzinfo=UTC)
    frm, to = metrics.resolve_range(None, "2026-03-08T00:00:00Z", now=NOW)
    assert (frm, to) == (datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 8, tzinfo=UTC))
    frm, to = metrics.resolve_range("2026-03-28T00:00:00Z", None, now=NOW)
    assert (frm, to) == (datetime(2026, 3, 28, tzinfo=UTC), NOW)


def test_given_a_timezone_then_none_means_utc_and_an_unknown_one_is_refused() -> None:
    assert metrics.resolve_timezone(None) == "UTC"
    assert metrics.resolve_timezone("Europe/Paris") == "Europe/Paris"
    with pytest.raises(ValidationFailed) as refused:
        metrics.resolve_timezone("Mars/Olympus")
    assert refused.value.errors == [{"field": "query.tz", "message": "must be an IANA timezone, e.g. Europe/Paris"}]


def test_given_fractional_values_then_sum_and_average_are_rounded_to_six_places() -> None:
    [bucket] = metrics.aggregate([_sample("2026-03-01T10:00:00.000Z", 0.1), _sample("2026-03-01T10:10:00.000Z", 0.2),
                                  _sample("2026-03-01T10:20:00.000Z", 0.2)], "hour")
    assert (bucket.sum, bucket.avg, bucket.min, bucket.max, bucket.date) == (0.5, 0.166667, 0.1, 0.2, None)
    assert bucket.end == "2026-03-01T11:00:00.000Z"
    [single] = metrics.aggregate([_sample("2026-03-01T10:00:00.000Z", 0.1234567)], "hour")
    assert (single.sum, single.avg) == (0.123457, 0.123457)


def test_given_a_sample_with_seconds_and_milliseconds_then_its_hour_bucket_starts_on_the_hour() -> None:
    [bucket] = metrics.aggregate([_sample("2026-03-01T10:59:59.999Z", 1)], "hour")
    assert (bucket.start, bucket.end) == ("2026-03-01T10:00:00.000Z", "2026-03-01T11:00:00.000Z")


class RangeStore(FakeMetricStore):
    def __init__(self) -> None:
        super().__init__()
        self.asked: list[tuple[str, str, datetime, datetime]] = []

    def between(self, user_id: str, metric: str, start: datetime, end: datetime) -> list[MetricSample]:
        self.asked.append((user_id, metric, start, end))
        return super().between(user_id, metric, start, end)


def test_given_samples_when_reading_a_series_then_my_metric_over_the_range_per_local_day() -> None:
    store = RangeStore()
    for at, value in (("2026-03-28T22:30:00Z", 2), ("2026-03-28T23:30:00Z", 4)):
        metrics.record_sample(store, "u", MetricSampleCreate.model_validate({"metric": "mood", "value": value,
                                                                             "at": at}), 30, now=NOW)
    metrics.record_sample(store, "other", MetricSampleCreate.model_validate({"metric": "mood", "value": 1}), 30,
                          now=NOW)
    series = metrics.series(store, "u", "mood", start="2026-03-22T00:00:00Z", end=None, bucket="day",
                            tz="Europe/Paris", now=NOW)
    assert store.asked == [("u", "mood", datetime(2026, 3, 22, tzinfo=UTC), NOW)]
    assert series.model_dump() == {
        "metric": "mood", "bucket": "day", "timezone": "Europe/Paris", "from": "2026-03-22T00:00:00.000Z",
        "to": "2026-03-29T12:00:00.000Z", "buckets": [
            {"start": "2026-03-27T23:00:00.000Z", "end": "2026-03-28T23:00:00.000Z", "date": "2026-03-28",
             "count": 1, "sum": 2, "avg": 2, "min": 2, "max": 2},
            {"start": "2026-03-28T23:00:00.000Z", "end": "2026-03-29T22:00:00.000Z", "date": "2026-03-29",
             "count": 1, "sum": 4, "avg": 4, "min": 4, "max": 4}]}
    hourly = metrics.series(store, "u", "mood", start=None, end="2026-03-29T00:00:00Z", bucket="hour", tz=None,
                            now=NOW)
    assert (hourly.timezone, hourly.to) == ("UTC", "2026-03-29T00:00:00.000Z")
    assert [(b.start, b.date) for b in hourly.buckets] == [("2026-03-28T22:00:00.000Z", None),
                                                          ("2026-03-28T23:00:00.000Z", None)]


@pytest.mark.parametrize(("start", "end", "field"), [
    ("1969-12-31T23:59:59Z", "2026-03-01T00:00:00Z", "query.from"),
    ("2026-03-01T00:00:00Z", "3000-01-01T00:00:00Z", "query.to"),
])
def test_given_a_time_outside_the_supported_years_then_422_naming_the_parameter_and_the_range(
    start: str, end: str, field: str,
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        metrics.resolve_range(start, end)
    assert refused.value.errors == [{"field": field, "message": RANGE_MESSAGE}]


def test_given_a_host_half_an_hour_off_utc_then_an_hour_bucket_still_starts_on_the_utc_hour() -> None:
    with host_zone("Asia/Kolkata"):  # +05:30: local hours start at UTC half-hours
        start, end, day = metrics.bucket_bounds(datetime(2026, 3, 1, 12, 45, 30, 250_000, tzinfo=UTC), "hour", "UTC")

    assert (start, end, day) == (datetime(2026, 3, 1, 12, tzinfo=UTC), datetime(2026, 3, 1, 13, tzinfo=UTC), None)
    assert start.tzinfo is UTC and start.microsecond == 0

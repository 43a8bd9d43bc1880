"""Time-series rules: validation of samples and ranges, aggregation per hour and per local day."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from deepiri_common.problems import ValidationFailed
from deepiri_users.logic import metrics
from deepiri_users.models.metrics import MetricSample, MetricSampleCreate

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

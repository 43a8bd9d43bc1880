"""Insights (figures and confidence) and the Holt-Winters forecast against the seasonal naive baseline."""

from __future__ import annotations

from datetime import date

import pytest

from deepiri_analytics.logic import forecast, insights
from deepiri_analytics.models.rows import DayRow

TODAY = date(2026, 3, 28)


def test_given_completions_in_the_heatmap_then_peak_hour_and_weekday_are_named_with_their_share() -> None:
    heat = {"c9": 6, "c33": 2, "c58": 2}  # Monday 09h x6, Tuesday 09h x2, Wednesday 10h x2
    found = insights.peak_hours(heat)
    assert found is not None and found.figures == {"hour": 9, "hourShare": 0.8, "weekday": 0, "weekdayShare": 0.6,
                                                   "completions": 10}
    assert found.confidence == 0.2 and "09:00 and 10:00" in found.message and "Mondays" in found.message
    assert insights.peak_hours({"c9": 4}) is None


def test_given_estimates_then_accuracy_is_actual_over_estimate() -> None:
    rows = [DayRow("2026-03-20", {"estimated": 3, "estimateMinutes": 100, "actualMinutes": 125})]
    found = insights.estimate_accuracy(rows)
    assert found is not None and found.figures["ratio"] == 1.25 and found.confidence == 0.2
    assert "25% longer than" in found.message
    faster = insights.estimate_accuracy([DayRow("d", {"estimated": 15, "estimateMinutes": 100, "actualMinutes": 80})])
    assert faster is not None and "20% less than" in faster.message and faster.confidence == 1.0
    assert insights.estimate_accuracy([DayRow("d", {"estimated": 2, "estimateMinutes": 9, "actualMinutes": 9})]) is None


def test_given_two_fortnights_then_the_on_time_trend_compares_them() -> None:
    rows = [DayRow("2026-03-05", {"onTime": 1, "late": 3}), DayRow("2026-03-20", {"onTime": 3, "late": 1})]
    found = insights.on_time_trend(rows, TODAY)
    assert found is not None and found.figures["change"] == 0.5 and "up" in found.message
    assert found.figures["recentRate"] == 0.75 and found.confidence == 0.4
    assert insights.on_time_trend(rows[:1], TODAY) is None


def test_given_focus_minutes_then_late_night_share_counts_22_to_5() -> None:
    found = insights.late_night({"f22": 30, "f4": 30, "f5": 40, "f10": 100})  # Monday 22h, 04h count; 05h not
    assert found is not None and found.figures == {"share": 0.3, "lateMinutes": 60, "focusMinutes": 200}
    assert insights.late_night({"f22": 59}) is None


def test_given_a_streak_and_nothing_done_today_then_it_is_at_risk() -> None:
    assert insights.streak_at_risk([], {"days": 4}, TODAY) is not None
    done = [DayRow(TODAY.isoformat(), {"completed": 1})]
    assert insights.streak_at_risk(done, {"days": 4}, TODAY) is None
    assert insights.streak_at_risk([], {"days": 0}, TODAY) is None


def test_given_overdue_tasks_then_their_share_is_reported() -> None:
    found = insights.overdue([DayRow("d", {"overdue": 1, "completed": 3})])
    assert found is not None and found.figures["overdueShare"] == 0.25 and found.confidence == 0.2
    assert insights.overdue([DayRow("d", {"completed": 3})]) is None
    kinds = [i.kind for i in insights.insights([DayRow("2026-03-27", {"overdue": 1})], {}, {"days": 2}, TODAY)]
    assert kinds == ["streak_at_risk", "overdue"]


def test_given_a_clean_weekly_pattern_then_holt_winters_repeats_it_and_beats_the_naive_error() -> None:
    week = [5.0, 4.0, 4.0, 3.0, 4.0, 0.0, 1.0]
    history = week * 8
    bands = forecast.holt_winters(history, 14)
    assert [round(b.value) for b in bands] == week * 2
    assert all(b.lower <= b.value <= b.upper for b in bands)


def test_given_a_rising_level_then_the_forecast_follows_it_above_last_week() -> None:
    history = [float(10 + t // 7) for t in range(56)]  # one more each week
    bands = forecast.holt_winters(history, 7)
    assert all(b.value > 17.0 for b in bands)
    assert forecast.seasonal_naive(history, 7) == [17.0] * 7


def test_given_a_short_history_then_the_mean_with_a_band_is_the_forecast() -> None:
    bands = forecast.holt_winters([2.0, 4.0, 0.0, 2.0], 3)
    assert [(b.value, b.lower) for b in bands] == [(2.0, 0.19)] * 3 and bands[0].upper == pytest.approx(3.81, abs=0.01)
    assert forecast.holt_winters([], 2)[0].value == 0.0


def test_given_errors_then_mase_scales_by_the_seasonal_naive_in_sample_error() -> None:
    history = [0.0] * 7 + [2.0] * 7  # naive in-sample error: 2 a day
    assert forecast.mase([3.0, 1.0], [2.0, 2.0], history) == 0.5
    assert forecast.mase([1.0], [1.0], [1.0] * 14) is None
    assert forecast.seasonal_naive([1.0, 2.0], 2) == [1.5, 1.5]

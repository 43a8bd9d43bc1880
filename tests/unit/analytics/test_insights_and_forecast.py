"""Insights (figures and confidence) and the Holt-Winters forecast against the seasonal naive baseline."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime

import pytest

from deepiri_analytics.logic import forecast, insights
from deepiri_analytics.models.insights import Insight
from deepiri_analytics.models.rows import DayRow, OpenTask

TODAY = date(2026, 3, 28)
NOON = datetime(2026, 3, 28, 12, 0, tzinfo=UTC)


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


@pytest.mark.parametrize("hour", range(24))
def test_given_an_hours_focus_then_it_is_late_night_exactly_from_22_to_5(hour: int) -> None:
    found = insights.late_night({f"f{hour}": 60, f"f{24 * 3 + hour}": 30})  # a Monday's and a Thursday's hour

    assert found is not None
    assert found.figures["lateMinutes"] == (90 if hour in (22, 23, 0, 1, 2, 3, 4) else 0)


def test_given_a_streak_and_nothing_done_today_then_it_is_at_risk() -> None:
    assert insights.streak_at_risk([], {"days": 4}, TODAY) is not None
    done = [DayRow(TODAY.isoformat(), {"completed": 1})]
    assert insights.streak_at_risk(done, {"days": 4}, TODAY) is None
    assert insights.streak_at_risk([], {"days": 0}, TODAY) is None


def test_given_overdue_tasks_then_their_share_is_reported() -> None:
    found = insights.overdue([DayRow("d", {"overdue": 1, "completed": 3})])
    assert found is not None and found.figures["overdueShare"] == 0.25 and found.confidence == 0.2
    assert insights.overdue([DayRow("d", {"completed": 3})]) is None
    kinds = [i.kind for i in insights.insights([DayRow("2026-03-27", {"overdue": 1})], {}, {"days": 2}, TODAY,
                                                open_tasks=[], now=NOON)]
    assert kinds == ["streak_at_risk", "overdue"]
    rows = [DayRow("2026-03-27", {"overdue": 1, "completed@code": 3})]
    late = [OpenTask("T", status="todo", dueAt="2026-03-28T11:00:00.000Z")]
    assert [i.kind for i in insights.insights(rows, {}, {}, TODAY, open_tasks=late, now=NOON)] == [
        "overdue", "category_balance", "overdue_risk"]


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


# ---------------------------------------------------------------- exact findings at their thresholds


def test_given_exactly_five_completions_at_23h_then_the_peak_wraps_to_midnight_and_figures_are_exact() -> None:
    heat = {"c23": 3, "c47": 2, "c168": 50}  # Monday and Tuesday 23h; c168 is no hour of the week
    found = insights.peak_hours(heat)
    assert found == Insight(kind="peak_hours",
                            message="You finish most between 23:00 and 00:00 (100% of completions) and on Mondays "
                                    "(60%).",
                            figures={"hour": 23, "hourShare": 1.0, "weekday": 0, "weekdayShare": 0.6,
                                     "completions": 5},
                            confidence=0.1)
    shares = insights.peak_hours({"c0": 1, "c1": 1, "c6": 1, "c25": 1, "c50": 3, "c100": 1, "c150": 19})
    assert shares is not None and (shares.figures["hour"], shares.figures["weekday"]) == (6, 6)
    assert shares.figures["hourShare"] == 0.7407  # 20 / 27: Monday and Sunday at 06h
    assert shares.figures["weekdayShare"] == 0.7037 and shares.confidence == 0.54  # 19 / 27, 27 / 50


def test_given_estimates_at_the_threshold_then_the_figures_and_message_are_exact() -> None:
    rows = [DayRow("2026-03-20", {"estimated": 3, "estimateMinutes": 1, "actualMinutes": 3})]
    assert insights.estimate_accuracy(rows) == Insight(
        kind="estimate_accuracy", message="Your estimated tasks took 200% longer than you estimated.",
        figures={"ratio": 3.0, "estimateMinutes": 1, "actualMinutes": 3, "tasks": 3}, confidence=0.2)
    exact = insights.estimate_accuracy([DayRow("d", {"estimated": 5, "estimateMinutes": 60, "actualMinutes": 60})])
    assert exact is not None and exact.message == "Your estimated tasks took 0% less than you estimated."
    faster = insights.estimate_accuracy([DayRow("d", {"estimated": 4, "estimateMinutes": 3, "actualMinutes": 2})])
    assert faster is not None and faster.message == "Your estimated tasks took 33% less than you estimated."
    assert faster.figures["ratio"] == 0.6667 and faster.confidence == 0.27


def test_given_the_trend_split_then_day_13_back_is_recent_and_day_14_back_is_earlier() -> None:
    rows = [DayRow("2026-03-15", {"onTime": 3}), DayRow("2026-03-14", {"onTime": 1, "late": 2})]
    found = insights.on_time_trend(rows, TODAY)
    assert found == Insight(
        kind="on_time_trend", message="On-time completions are up: 100% in the last 14 days, 33% in the 14 before.",
        figures={"recentRate": 1.0, "earlierRate": 0.3333, "change": 0.6667, "recentTasks": 3, "earlierTasks": 3},
        confidence=0.3)
    down = insights.on_time_trend([DayRow("2026-03-20", {"onTime": 1, "late": 6}),
                                   DayRow("2026-03-01", {"onTime": 6, "late": 1})], TODAY)
    assert down is not None and down.message.startswith("On-time completions are down: 14%")
    assert down.figures["recentRate"] == 0.1429 and down.figures["change"] == -0.7143
    same = insights.on_time_trend([DayRow("2026-03-20", {"onTime": 3}), DayRow("2026-03-01", {"onTime": 3})], TODAY)
    assert same is not None and same.message.startswith("On-time completions are unchanged")
    for thin in ([DayRow("2026-03-20", {"onTime": 2}), DayRow("2026-03-01", {"onTime": 3})],
                 [DayRow("2026-03-20", {"onTime": 3}), DayRow("2026-03-01", {"onTime": 2})]):
        assert insights.on_time_trend(thin, TODAY) is None


def test_given_sixty_focus_minutes_then_late_night_figures_are_exact() -> None:
    assert insights.late_night({"f23": 20, "f10": 40}) == Insight(
        kind="late_night", message="33% of your focus time starts between 22:00 and 05:00.",
        figures={"share": 0.3333, "lateMinutes": 20, "focusMinutes": 60}, confidence=0.1)
    half = insights.late_night({"f10": 300})
    assert half is not None and half.confidence == 0.5


def test_given_a_one_day_streak_then_it_is_at_risk_with_exact_figures() -> None:
    assert insights.streak_at_risk([], {"days": 1}, TODAY) == Insight(
        kind="streak_at_risk", message="Your 1-day streak ends unless you finish something today.",
        figures={"days": 1, "completedToday": 0}, confidence=1.0)
    assert insights.streak_at_risk([], {}, TODAY) is None


def test_given_overdue_tasks_then_the_figures_are_exact() -> None:
    assert insights.overdue([DayRow("d", {"overdue": 1, "completed": 2})]) == Insight(
        kind="overdue", message="1 of your tasks went overdue in the last 28 days.",
        figures={"overdue": 1, "completed": 2, "overdueShare": 0.3333}, confidence=0.15)
    assert insights.confidence(30, 20) == 1.0 and insights.confidence(1, 3) == 0.33


# ---------------------------------------------------------------- the forecast against a transcription of its method


def _reference(history: list[float], days: int) -> list[tuple[float, float, float]]:
    """The module docstring's method written out again, loop by loop: the oracle the module must agree with."""
    h = history[-56:]
    best: tuple[float, float, float, float, list[float]] | None = None
    for a in (0.05, 0.1, 0.2, 0.3, 0.5):
        for b in (0.0, 0.05, 0.1):
            for g in (0.05, 0.1, 0.2, 0.3):
                level = sum(h[:7]) / 7
                trend = (sum(h[7:14]) / 7 - level) / 7
                season = [h[i] - level for i in range(7)]
                sse = 0.0
                for t in range(7, len(h)):
                    i = t % 7
                    sse += (h[t] - (level + 0.9 * trend + season[i])) ** 2
                    new_level = a * (h[t] - season[i]) + (1 - a) * (level + 0.9 * trend)
                    trend = b * (new_level - level) + (1 - b) * 0.9 * trend
                    season[i] = g * (h[t] - new_level) + (1 - g) * season[i]
                    level = new_level
                if best is None or sse < best[0]:
                    best = (sse, a, level, trend, season)
    assert best is not None
    sse, a, level, trend, season = best
    sigma = (sse / max(1, len(h) - 7 - 1)) ** 0.5
    out, damped = [], 0.0
    for k in range(1, days + 1):
        damped += 0.9 ** k
        value = max(0.0, level + damped * trend + season[(len(h) + k - 1) % 7])
        spread = 1.2816 * sigma * (1 + (k - 1) * a * a) ** 0.5
        out.append((round(value, 2), round(max(0.0, value - spread), 2), round(value + spread, 2)))
    return out


# Between them, these histories are best fitted by each value of each smoothing weight's grid in turn (dropping
# any one value from the module's grid changes at least one of these forecasts).
@pytest.mark.parametrize("length", [14, 15, 21, 23, 25, 26, 35, 40, 44, 70])
def test_given_irregular_histories_then_the_forecast_equals_the_method_written_out(length: int) -> None:
    rng = random.Random(length)
    history = [float(rng.choice([0, 1, 2, 3, 5, 8]) + (t // 10)) for t in range(length)]
    got = forecast.holt_winters(history, 14)
    assert [(b.value, b.lower, b.upper) for b in got] == _reference(history, 14)


@pytest.mark.parametrize("seed", [0, 3])
def test_given_a_level_that_wanders_then_the_forecast_equals_the_method_written_out(seed: int) -> None:
    rng, level, history = random.Random(seed), 10.0, []
    for _ in range(42):  # a random walk: the larger smoothing weights fit it best
        level = max(0.0, level + rng.choice([-3, -1, 0, 1, 3]))
        history.append(level + rng.choice([0, 1]))
    got = forecast.holt_winters(history, 14)
    assert [(b.value, b.lower, b.upper) for b in got] == _reference(history, 14)


def test_given_no_history_then_the_forecast_is_zero_with_no_band() -> None:
    assert [(b.value, b.lower, b.upper) for b in forecast.holt_winters([], 2)] == [(0.0, 0.0, 0.0)] * 2
    assert [(b.value, b.upper) for b in forecast.holt_winters([1.234, 1.0], 1)] == [(1.12, 1.27)]


def test_given_mase_then_it_uses_every_seasonal_difference_and_refuses_unequal_lengths() -> None:
    history = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 2.0, 2.0, 3.0, 4.0, 5.0, 6.0, 9.0]  # naive errors 1,0,0,0,0,0,2
    assert forecast.mase([4.0], [1.0], history) == pytest.approx(3 / (3 / 7))
    with pytest.raises(ValueError, match="zip"):
        forecast.mase([1.0, 2.0], [1.0], history)
    assert forecast.seasonal_naive(history, 8) == [2.0, 2.0, 3.0, 4.0, 5.0, 6.0, 9.0, 2.0]
    assert forecast.seasonal_naive([1.0] * 7, 1) == [1.0]


def test_given_edge_histories_then_the_baseline_and_the_scale_use_exactly_their_weeks() -> None:
    assert forecast.seasonal_naive([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0], 2) == [1.0, 2.0]  # a full week is enough
    history = [0.0] * 7 + [2.0] * 7 + [4.0] * 7  # every day differs from the same weekday before by 2
    assert forecast.mase([5.0], [1.0], history) == 2.0


def test_given_uneven_shares_then_they_keep_four_decimals_and_confidence_its_denominator() -> None:
    found = insights.peak_hours({"c9": 3, "c40": 2, "c70": 2})  # Monday 3 of 7
    assert found is not None and found.figures["weekdayShare"] == 0.4286
    late = insights.late_night({"f10": 387})
    assert late is not None and late.confidence == 0.65

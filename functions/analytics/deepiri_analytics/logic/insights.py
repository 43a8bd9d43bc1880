"""Insights from the read models, as pure functions: each finding carries its figures and a confidence.

Confidence is the share of a sample size the finding needs to be trusted (``min(1, n / enough)``), so a
finding from three completions says so. A finding needs a minimum of data to be made at all.

- peak_hours: the local hour of day and the weekday with the most completions (heatmap, all time).
- estimate_accuracy: actual minutes over estimated minutes of completed tasks that had an estimate.
- on_time_trend: the on-time rate of the last 14 days against the 14 before.
- late_night: the share of focus minutes started between 22:00 and 05:00 local (heatmap).
- streak_at_risk: a standing daily streak and nothing completed yet today.
- overdue: tasks that went overdue in the window, against those completed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from deepiri_analytics.models.insights import Insight
from deepiri_analytics.models.rows import DayRow

WINDOW_DAYS = 28
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
LATE_HOURS = frozenset((22, 23, 0, 1, 2, 3, 4))


def confidence(samples: float, enough: float) -> float:
    return round(min(1.0, samples / enough), 2)


def _cells(heatmap: Mapping[str, int], prefix: str) -> dict[tuple[int, int], int]:
    return {(cell // 24, cell % 24): int(heatmap.get(f"{prefix}{cell}", 0)) for cell in range(168)}


def peak_hours(heatmap: Mapping[str, int]) -> Insight | None:
    cells = _cells(heatmap, "c")
    total = sum(cells.values())
    if total < 5:
        return None
    by_hour = [sum(cells[(d, h)] for d in range(7)) for h in range(24)]
    by_day = [sum(cells[(d, h)] for h in range(24)) for d in range(7)]
    hour, day = by_hour.index(max(by_hour)), by_day.index(max(by_day))
    hour_share, day_share = by_hour[hour] / total, by_day[day] / total
    return Insight(kind="peak_hours",
                   message=f"You finish most between {hour:02d}:00 and {(hour + 1) % 24:02d}:00 "
                           f"({hour_share:.0%} of completions) and on {WEEKDAYS[day]}s ({day_share:.0%}).",
                   figures={"hour": hour, "hourShare": round(hour_share, 4), "weekday": day,
                            "weekdayShare": round(day_share, 4), "completions": total},
                   confidence=confidence(total, 50))


def _sum(rows: Sequence[DayRow], name: str) -> int:
    return sum(row.get(name) for row in rows)


def estimate_accuracy(rows: Sequence[DayRow]) -> Insight | None:
    estimated, estimate, actual = _sum(rows, "estimated"), _sum(rows, "estimateMinutes"), _sum(rows, "actualMinutes")
    if estimated < 3 or estimate == 0:
        return None
    ratio = actual / estimate
    verdict = f"{ratio - 1:.0%} longer than" if ratio > 1 else f"{1 - ratio:.0%} less than"
    return Insight(kind="estimate_accuracy", message=f"Your estimated tasks took {verdict} you estimated.",
                   figures={"ratio": round(ratio, 4), "estimateMinutes": estimate, "actualMinutes": actual,
                            "tasks": estimated},
                   confidence=confidence(estimated, 15))


def on_time_trend(rows: Sequence[DayRow], today: date) -> Insight | None:
    split = today - timedelta(days=13)
    recent = [r for r in rows if date.fromisoformat(r.day) >= split]
    earlier = [r for r in rows if date.fromisoformat(r.day) < split]
    judged_recent = _sum(recent, "onTime") + _sum(recent, "late")
    judged_earlier = _sum(earlier, "onTime") + _sum(earlier, "late")
    if judged_recent < 3 or judged_earlier < 3:
        return None
    now_rate, then_rate = _sum(recent, "onTime") / judged_recent, _sum(earlier, "onTime") / judged_earlier
    change = now_rate - then_rate
    direction = "up" if change > 0 else "down" if change < 0 else "unchanged"
    return Insight(kind="on_time_trend",
                   message=f"On-time completions are {direction}: {now_rate:.0%} in the last 14 days, "
                           f"{then_rate:.0%} in the 14 before.",
                   figures={"recentRate": round(now_rate, 4), "earlierRate": round(then_rate, 4),
                            "change": round(change, 4), "recentTasks": judged_recent, "earlierTasks": judged_earlier},
                   confidence=confidence(min(judged_recent, judged_earlier), 10))


def late_night(heatmap: Mapping[str, int]) -> Insight | None:
    cells = _cells(heatmap, "f")
    total = sum(cells.values())
    if total < 60:
        return None
    late = sum(minutes for (_, hour), minutes in cells.items() if hour in LATE_HOURS)
    share = late / total
    return Insight(kind="late_night", message=f"{share:.0%} of your focus time starts between 22:00 and 05:00.",
                   figures={"share": round(share, 4), "lateMinutes": late, "focusMinutes": total},
                   confidence=confidence(total, 600))


def streak_at_risk(rows: Sequence[DayRow], streak: Mapping[str, int], today: date) -> Insight | None:
    days = int(streak.get("days", 0))
    done_today = sum(r.get("completed") for r in rows if r.day == today.isoformat())
    if days < 1 or done_today:
        return None
    return Insight(kind="streak_at_risk",
                   message=f"Your {days}-day streak ends unless you finish something today.",
                   figures={"days": days, "completedToday": 0}, confidence=1.0)


def overdue(rows: Sequence[DayRow]) -> Insight | None:
    late, completed = _sum(rows, "overdue"), _sum(rows, "completed")
    if late == 0:
        return None
    share = late / (late + completed)
    return Insight(kind="overdue", message=f"{late} of your tasks went overdue in the last {WINDOW_DAYS} days.",
                   figures={"overdue": late, "completed": completed, "overdueShare": round(share, 4)},
                   confidence=confidence(late + completed, 20))


def insights(rows: Sequence[DayRow], heatmap: Mapping[str, int], streak: Mapping[str, int],
             today: date) -> list[Insight]:
    """Every finding the data supports, in a fixed order."""
    found = [peak_hours(heatmap), estimate_accuracy(rows), on_time_trend(rows, today), late_night(heatmap),
             streak_at_risk(rows, streak, today), overdue(rows)]
    return [insight for insight in found if insight is not None]

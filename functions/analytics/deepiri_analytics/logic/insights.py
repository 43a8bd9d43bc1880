"""Insights from the read models, as pure functions: each finding carries its figures and a confidence.

Confidence is the share of a sample size the finding needs to be trusted (``min(1, n / enough)``), so a
finding from three completions says so. A finding needs a minimum of data to be made at all.

- peak_hours: the local hour of day and the weekday with the most completions (heatmap, all time).
- estimate_accuracy: actual minutes over estimated minutes of completed tasks that had an estimate.
- on_time_trend: the on-time rate of the last 14 days against the 14 before.
- late_night: the share of focus minutes started between 22:00 and 05:00 local (heatmap).
- streak_at_risk: a standing daily streak and nothing completed yet today.
- overdue: tasks that went overdue in the window, against those completed.
- category_balance: completions per task category in the window (the day rows' ``completed@<category>``),
  the top category's share and the evenness of the spread (Shannon entropy over the categories done,
  divided by its largest value ln k; 0 when all is one category), with the open tasks per category.
- overdue_risk: of the open tasks with a due date, those already past it, and those due within 48 hours
  whose expected work (the estimate times the user's slip, actual / estimated minutes of the window's
  estimated completions, 1 with fewer than 3 of them) exceeds the focus minutes the user averages
  (window focus / 28 days) in the hours left; an unestimated task due that soon is at risk while still
  ``todo``. Confidence: 1 for a task already overdue, the slip's confidence (``n / 15``) for the others,
  averaged over the tasks flagged.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta

from deepiri_analytics.models.insights import Insight
from deepiri_analytics.models.rows import DayRow, OpenTask
from deepiri_common.clock import parse_iso

WINDOW_DAYS = 28
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
LATE_HOURS = frozenset((22, 23, 0, 1, 2, 3, 4))
RISK_HOURS = 48
CLOSED_STATUSES = frozenset(("done", "cancelled"))


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


def _per_category(rows: Sequence[DayRow], prefix: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for row in rows:
        for name, value in row.counts.items():
            if name.startswith(prefix) and value:
                category = name.removeprefix(prefix)
                counts[category] = counts.get(category, 0) + int(value)
    return counts


def evenness(counts: Sequence[int]) -> float:
    """Shannon entropy of the shares over ln k (k categories with a count): 1 when even, 0 for one category."""
    present = [c for c in counts if c > 0]
    if len(present) < 2:
        return 0.0
    total = sum(present)
    entropy = -sum(c / total * math.log(c / total) for c in present)
    return entropy / math.log(len(present))


def category_balance(rows: Sequence[DayRow], open_tasks: Sequence[OpenTask]) -> Insight | None:
    done = _per_category(rows, "completed@")
    total = sum(done.values())
    if total < 3:
        return None
    top = min(done, key=lambda category: (-done[category], category))
    share, even = done[top] / total, evenness(list(done.values()))
    still_open: dict[str, int] = {}
    for task in open_tasks:
        if task.category is not None and task.status not in CLOSED_STATUSES:
            still_open[task.category] = still_open.get(task.category, 0) + 1
    figures: dict[str, float] = {"completed": total, "topShare": round(share, 4), "evenness": round(even, 4),
                                 "categories": len(done)}
    figures |= {f"completed.{c}": n for c, n in sorted(done.items())}
    figures |= {f"open.{c}": n for c, n in sorted(still_open.items())}
    return Insight(kind="category_balance",
                   message=f"{share:.0%} of your {total} completions in the last {WINDOW_DAYS} days were {top} "
                           f"({len(done)} categories, evenness {even:.2f}).",
                   figures=figures, confidence=confidence(total, 30))


def _slip(rows: Sequence[DayRow]) -> tuple[float, int]:
    """Actual over estimated minutes of the window's estimated completions (1.0 with fewer than 3), and their count."""
    estimated, estimate, actual = _sum(rows, "estimated"), _sum(rows, "estimateMinutes"), _sum(rows, "actualMinutes")
    if estimated < 3 or estimate == 0:
        return 1.0, estimated
    return actual / estimate, estimated


def overdue_risk(rows: Sequence[DayRow], open_tasks: Sequence[OpenTask], now: datetime) -> Insight | None:
    slip, estimated = _slip(rows)
    daily_focus = _sum(rows, "focusMinutes") / WINDOW_DAYS
    dated = [t for t in open_tasks if t.dueAt and t.status not in CLOSED_STATUSES]
    late = at_risk = due_soon = 0
    needed_total = 0.0
    for task in dated:
        hours_left = (parse_iso(str(task.dueAt)) - now).total_seconds() / 3600
        if hours_left < 0:
            late += 1
            continue
        if hours_left > RISK_HOURS:
            continue
        due_soon += 1
        if task.estimateMinutes:
            needed = task.estimateMinutes * slip
            risky = needed > daily_focus * hours_left / 24
        else:
            needed, risky = 0.0, task.status == "todo"
        if risky:
            at_risk += 1
            needed_total += needed
    if late + at_risk == 0:
        return None
    trust = (late + at_risk * confidence(estimated, 15)) / (late + at_risk)
    return Insight(kind="overdue_risk",
                   message=f"{late + at_risk} of your {len(dated)} open tasks with a due date are at risk: {late} "
                           f"past due, {at_risk} due within {RISK_HOURS} hours with more work left than your usual "
                           f"focus time before then.",
                   figures={"openWithDue": len(dated), "overdueNow": late, "dueSoon": due_soon, "atRisk": at_risk,
                            "neededMinutes": round(needed_total, 1), "slip": round(slip, 4),
                            "dailyFocusMinutes": round(daily_focus, 2)},
                   confidence=round(trust, 2))


def insights(rows: Sequence[DayRow], heatmap: Mapping[str, int], streak: Mapping[str, int], today: date, *,
             open_tasks: Sequence[OpenTask], now: datetime) -> list[Insight]:
    """Every finding the data supports, in a fixed order."""
    found = [peak_hours(heatmap), estimate_accuracy(rows), on_time_trend(rows, today), late_night(heatmap),
             streak_at_risk(rows, streak, today), overdue(rows), category_balance(rows, open_tasks),
             overdue_risk(rows, open_tasks, now)]
    return [insight for insight in found if insight is not None]

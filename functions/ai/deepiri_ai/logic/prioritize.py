"""Order a caller's open tasks: urgency (due date) and importance (priority), then blockers, work already
started and quick wins, each with the reasons a person can check.

score = 0.55 * urgency + 0.45 * importance + adjustments, where urgency is 1.0 overdue, 0.9 due within a
day, 0.7 within three, 0.5 within a week, 0.3 later, 0.1 undated; importance is 1.0 urgent, 0.75 high,
0.5 medium, 0.25 low; a blocked task drops by 1 (it cannot be done now), one in progress or review rises
by 0.15 (finish what is started), one of 30 minutes or less by 0.05 (a quick win). Ties: earlier due
first, then the title. Deterministic: the same tasks at the same instant give the same order.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from deepiri_ai.models.prioritize import OpenTask, Prioritized, RankedTask

IMPORTANCE = {"urgent": 1.0, "high": 0.75, "medium": 0.5, "low": 0.25}
FAR = datetime.max.replace(tzinfo=None)


def _urgency(task: OpenTask, now: datetime) -> tuple[float, str]:
    if task.dueAt is None:
        return 0.1, "no due date"
    left = task.dueAt - now
    if left < timedelta(0):
        return 1.0, f"overdue by {_span(-left)}"
    for limit, value in ((timedelta(days=1), 0.9), (timedelta(days=3), 0.7), (timedelta(days=7), 0.5)):
        if left <= limit:
            return value, f"due in {_span(left)}"
    return 0.3, f"due in {_span(left)}"


def _span(delta: timedelta) -> str:
    hours = int(delta.total_seconds() // 3600)
    if hours < 1:
        return f"{max(1, int(delta.total_seconds() // 60))} min"
    return f"{hours} h" if hours < 48 else f"{hours // 24} days"


def rank(tasks: list[OpenTask], now: datetime, truncated: bool = False) -> Prioritized:
    """``tasks`` in the order to do them, each with its score, quadrant and reasons."""
    scored = []
    for task in tasks:
        urgency, due_reason = _urgency(task, now)
        importance = IMPORTANCE.get(task.priority, 0.5)
        score = 0.55 * urgency + 0.45 * importance
        reasons = [due_reason, f"{task.priority} priority"]
        if task.status == "blocked":
            score -= 1.0
            reasons.append("blocked: cannot be done until its blocker is cleared")
        elif task.status in ("in_progress", "review"):
            score += 0.15
            reasons.append("already started: finishing it frees attention")
        if task.estimateMinutes is not None and task.estimateMinutes <= 30:
            score += 0.05
            reasons.append(f"quick win ({task.estimateMinutes} min)")
        elif task.estimateMinutes is not None and task.estimateMinutes >= 240:
            reasons.append(f"large ({task.estimateMinutes // 60} h): start early or split it")
        quadrant = ("do now" if urgency >= 0.7 and importance >= 0.75 else "schedule" if importance >= 0.75
                    else "quick" if urgency >= 0.7 else "later")
        scored.append((task, round(score, 4), quadrant, reasons))
    scored.sort(key=lambda row: (-row[1], (row[0].dueAt.replace(tzinfo=None) if row[0].dueAt else FAR),
                                 row[0].title))
    return Prioritized(
        tasks=[RankedTask(id=task.id, title=task.title, rank=index, score=score, status=task.status,
                          priority=task.priority, dueAt=task.dueAt, estimateMinutes=task.estimateMinutes,
                          quadrant=quadrant, reasons=reasons)
               for index, (task, score, quadrant, reasons) in enumerate(scored, start=1)],
        considered=len(tasks), truncated=truncated)

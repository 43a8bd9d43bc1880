"""Order a caller's open tasks: urgency (due date) and importance (priority), then the dependency graph,
work already started and quick wins, each with the reasons a person can check.

score = 0.55 * urgency + 0.45 * importance + adjustments, where urgency is 1.0 overdue, 0.9 due within a
day, 0.7 within three, 0.5 within a week, 0.3 later, 0.1 undated; importance is 1.0 urgent, 0.75 high,
0.5 medium, 0.25 low; a task in the ``blocked`` status drops by 1 (it cannot be done now), one waiting on
open tasks (ordering edges of the tasks service's graph: blocks, precedes, subtask) by 0.5, one whose
completion other open tasks wait on (directly or through others) rises by 0.1 per such task, at most 0.3;
one in progress or review rises by 0.15 (finish what is started), one of 30 minutes or less by 0.05 (a
quick win). Ties: earlier due first, then the title. Then the order is made to respect the graph: a task
never comes before an open task it waits on (the highest-scored task whose blockers are all placed goes
next). Deterministic: the same tasks and graph at the same instant give the same order.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta

from deepiri_ai.models.prioritize import OpenTask, Prioritized, RankedTask

ORDERING = frozenset({"blocks", "precedes", "subtask"})  # the edges that hold a task back (tasks service)

# A priority not in the table weighs as medium (0.5), so dropping "medium" itself is equivalent.
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
    # A span is never negative, so int() of ``/`` truncates as ``//`` floors (equivalent; the same below).
    hours = int(delta.total_seconds() // 3600)
    if hours < 1:
        return f"{max(1, int(delta.total_seconds() // 60))} min"  # ``/`` 60 is equivalent (as above)
    return f"{hours} h" if hours < 48 else f"{hours // 24} days"


def waiting_on(edges: Iterable[tuple[str, str, str]], open_ids: Iterable[str]) -> dict[str, list[str]]:
    """For each open task, the open tasks it waits on: ``edges`` are ``(task, dependsOn, type)`` as the tasks
    service's graph gives them; only ordering edges between open tasks count."""
    still_open = set(open_ids)
    blockers: dict[str, list[str]] = {}
    for task, depends_on, kind in edges:
        if kind in ORDERING and task in still_open and depends_on in still_open and task != depends_on:
            blockers.setdefault(task, [])
            if depends_on not in blockers[task]:
                blockers[task].append(depends_on)
    return blockers


def _unblocks(blockers: Mapping[str, list[str]]) -> dict[str, int]:
    """For each task, how many open tasks wait on it, directly or through others."""
    dependents: dict[str, set[str]] = {}
    for task, waits in blockers.items():
        for blocker in waits:
            dependents.setdefault(blocker, set()).add(task)
    counts = {}
    for start, direct in dependents.items():
        seen: set[str] = set()
        stack = list(direct)
        while stack:
            node = stack.pop()
            if node not in seen and node != start:
                seen.add(node)
                stack.extend(dependents.get(node, ()))
        counts[start] = len(seen)
    return counts


def rank(tasks: list[OpenTask], now: datetime, truncated: bool = False,
         blockers: Mapping[str, list[str]] | None = None) -> Prioritized:
    """``tasks`` in the order to do them, each with its score, quadrant and reasons; ``blockers`` (from
    :func:`waiting_on`) are the open tasks each one waits on."""
    waits = blockers or {}
    titles = {task.id: task.title for task in tasks}
    unblocks = _unblocks(waits)
    scored = []
    for task in tasks:
        urgency, due_reason = _urgency(task, now)
        importance = IMPORTANCE.get(task.priority, 0.5)
        score = 0.55 * urgency + 0.45 * importance
        reasons = [due_reason, f"{task.priority} priority"]
        if waits.get(task.id):
            score -= 0.5
            names = ", ".join(f"\"{titles.get(blocker, blocker)}\"" for blocker in waits[task.id][:3])
            reasons.append(f"waits on {len(waits[task.id])} open task{_s(len(waits[task.id]))}: {names}")
        if unblocks.get(task.id):
            score += 0.1 * min(unblocks[task.id], 3)
            reasons.append(f"unblocks {unblocks[task.id]} task{_s(unblocks[task.id])}")
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
        # Every term has at most 4 decimals, so rounding to 5 is equivalent.
        scored.append((task, round(score, 4), quadrant, reasons))
    scored.sort(key=lambda row: (-row[1], (row[0].dueAt.replace(tzinfo=None) if row[0].dueAt else FAR),
                                 row[0].title))
    scored = _after_blockers(scored, waits)
    return Prioritized(
        tasks=[RankedTask(id=task.id, title=task.title, rank=index, score=score, status=task.status,
                          priority=task.priority, dueAt=task.dueAt, estimateMinutes=task.estimateMinutes,
                          quadrant=quadrant, reasons=reasons)
               for index, (task, score, quadrant, reasons) in enumerate(scored, start=1)],
        considered=len(tasks), truncated=truncated)


def _s(count: int) -> str:
    return "" if count == 1 else "s"


def _after_blockers(scored: list[tuple[OpenTask, float, str, list[str]]],
                    waits: Mapping[str, list[str]]) -> list[tuple[OpenTask, float, str, list[str]]]:
    """``scored`` (best first) reordered so that no task comes before an open task it waits on: the best task
    whose blockers are all placed goes next (on a cycle, which the tasks service refuses, the best left)."""
    placed: set[str] = set()
    present = {row[0].id for row in scored}
    left, ordered = list(scored), []
    while left:
        ready = next((row for row in left
                      if all(blocker in placed or blocker not in present for blocker in waits.get(row[0].id, ()))),
                     left[0])
        left.remove(ready)
        placed.add(ready[0].id)
        ordered.append(ready)
    return ordered

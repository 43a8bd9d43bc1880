"""The task dependency graph: cycle detection, topological order, critical path and open blockers.

An edge ``a -> b`` means task ``a`` depends on task ``b``. Only ordering edges (blocks, precedes,
subtask) take part in cycles, ordering and blocking; ``related`` edges are shown, never enforced.

- A new ordering edge ``a -> b`` closes a cycle when ``b`` already reaches ``a``; the cycle is named
  as the list of task ids ``[a, b, ..., a]``.
- The topological order lists every task after the tasks it depends on; ties go by task id, so the
  order is stable.
- The critical path is the chain of dependent tasks with the largest total of estimateMinutes.
- ``GraphBlockerCheck.open_blockers`` answers the tasks a task depends on (ordering edges) that are
  not done or cancelled: the status machine refuses ``done`` while any is open.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterable, Mapping
from typing import Protocol

from deepiri_tasks.models.graph import ORDERING_TYPES, Dependency, TaskFacts

Successors = Callable[[str], Iterable[str]]


class TaskLookup(Protocol):
    """Reads one task's facts; ``None`` when it is missing or deleted (``dal.graph.TaskFactsStore``)."""

    def facts(self, task_id: str) -> TaskFacts | None: ...


class DependencyReader(Protocol):
    def depends_on(self, task_id: str) -> list[Dependency]: ...


class TaskFactsReader(Protocol):
    def facts_many(self, task_ids: Iterable[str]) -> dict[str, TaskFacts]: ...


def find_cycle(source: str, target: str, successors: Successors) -> list[str] | None:
    """The cycle the edge ``source -> target`` would close, as ``[source, target, ..., source]``, else None.

    ``successors(x)`` gives the tasks ``x`` depends on through ordering edges. Depth-first from
    ``target``, remembering each task's parent, so the path found is the one named.
    """
    if source == target:
        return [source, source]
    parent: dict[str, str] = {target: source}
    stack = [target]
    while stack:
        node = stack.pop()
        for nxt in sorted(successors(node), reverse=True):
            if nxt in parent:
                continue
            parent[nxt] = node
            if nxt == source:
                return _path_back(parent, source, target)
            stack.append(nxt)
    return None


def _path_back(parent: Mapping[str, str], source: str, target: str) -> list[str]:
    path = [source]
    node = parent[source]
    while node != target:
        path.append(node)
        node = parent[node]
    path.append(target)
    path.append(source)
    path.reverse()
    return path


def topological_order(nodes: Iterable[str], edges: Iterable[tuple[str, str]]) -> list[str] | None:
    """Every node after the nodes it depends on (edge ``(a, b)``: a depends on b); None on a cycle."""
    nodes = sorted(set(nodes))
    waiting_on: dict[str, int] = dict.fromkeys(nodes, 0)
    unlocks: dict[str, list[str]] = {node: [] for node in nodes}
    for dependent, prerequisite in set(edges):
        if dependent in waiting_on and prerequisite in waiting_on:
            waiting_on[dependent] += 1
            unlocks[prerequisite].append(dependent)
    ready = [node for node, count in waiting_on.items() if count == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        node = heapq.heappop(ready)
        order.append(node)
        for dependent in unlocks[node]:
            waiting_on[dependent] -= 1
            if waiting_on[dependent] == 0:
                heapq.heappush(ready, dependent)
    return order if len(order) == len(nodes) else None


def critical_path(
    order: list[str], edges: Iterable[tuple[str, str]], minutes: Mapping[str, int]
) -> tuple[list[str], int]:
    """The chain (first task to do first) with the largest sum of ``minutes``, and that sum.

    ``order`` is a topological order of the nodes; ties keep the chain found first in that order.
    """
    prerequisites: dict[str, list[str]] = {node: [] for node in order}
    for dependent, prerequisite in set(edges):
        if dependent in prerequisites and prerequisite in prerequisites:
            prerequisites[dependent].append(prerequisite)
    best: dict[str, int] = {}
    via: dict[str, str | None] = {}
    for node in order:
        before = max(sorted(prerequisites[node]), key=lambda p: best[p], default=None)
        best[node] = minutes.get(node, 0) + (best[before] if before is not None else 0)
        via[node] = before
    if not order:
        return [], 0
    end = max(order, key=lambda n: best[n])
    chain: list[str] = []
    step: str | None = end
    while step is not None:
        chain.append(step)
        step = via[step]
    chain.reverse()
    return chain, best[end]


class GraphBlockerCheck:
    """The status machine's ``BlockerCheck`` (``logic.status``) over the stored edges and task statuses."""

    def __init__(self, dependencies: DependencyReader, tasks: TaskFactsReader) -> None:
        self._dependencies, self._tasks = dependencies, tasks

    def open_blockers(self, task_id: str) -> list[str]:
        ids = [d.dependsOn for d in self._dependencies.depends_on(task_id) if d.type in ORDERING_TYPES]
        if not ids:
            return []
        facts = self._tasks.facts_many(ids)
        # A deleted prerequisite no longer holds anything back.
        return sorted(task for task in set(ids) if task in facts and not facts[task].is_closed)

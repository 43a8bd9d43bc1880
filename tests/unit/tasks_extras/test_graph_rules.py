"""The dependency graph's rules at their edges: which cycle is named, edges outside the graph, tasks
without estimates, and the blocker check the status machine asks before a task becomes done."""

from __future__ import annotations

from collections.abc import Iterable

from deepiri_tasks.logic.graph import GraphBlockerCheck, critical_path, find_cycle, topological_order
from deepiri_tasks.models.graph import CLOSED_STATUSES, ORDERING_TYPES, Dependency, TaskFacts


def successors(edges: dict[str, list[str]]):
    return lambda node: edges.get(node, [])


def test_given_two_ways_back_when_closing_a_cycle_then_the_one_through_the_smallest_id_is_named() -> None:
    edges = {"t": ["b", "c"], "b": ["s"], "c": ["s"]}

    assert find_cycle("s", "t", successors(edges)) == ["s", "t", "b", "s"]


def test_given_a_task_already_visited_among_successors_then_the_search_goes_on_with_the_others() -> None:
    # x's first successor (y) is already known; the way back to s is its next one
    edges = {"t": ["x", "y"], "x": ["y", "s"]}

    assert find_cycle("s", "t", successors(edges)) == ["s", "t", "x", "s"]


def test_given_edges_to_tasks_outside_the_graph_then_ordering_and_critical_path_ignore_them() -> None:
    edges = [("b", "a"), ("b", "gone"), ("gone", "a")]

    order = topological_order(["a", "b"], edges)

    assert order == ["a", "b"]
    assert critical_path(["a", "b"], edges, {"a": 30, "b": 15, "gone": 500}) == (["a", "b"], 45)


def test_given_a_task_without_an_estimate_then_it_adds_nothing_to_the_path() -> None:
    assert critical_path(["a", "b"], [("b", "a")], {"b": 20}) == (["a", "b"], 20)


def test_given_no_tasks_then_the_critical_path_is_empty_and_zero_long() -> None:
    assert critical_path([], [], {}) == ([], 0)


def test_given_the_type_sets_then_related_edges_never_order_and_done_or_cancelled_close_a_task() -> None:
    assert frozenset({"blocks", "precedes", "subtask"}) == ORDERING_TYPES
    assert frozenset({"done", "cancelled"}) == CLOSED_STATUSES


class Edges:
    def __init__(self, *edges: Dependency) -> None:
        self.edges = edges

    def depends_on(self, task_id: str) -> list[Dependency]:
        return [e for e in self.edges if e.taskId == task_id]


class Facts:
    def __init__(self, *tasks: TaskFacts) -> None:
        self.tasks = {t.id: t for t in tasks}
        self.asked: list[list[str]] = []

    def facts_many(self, task_ids: Iterable[str]) -> dict[str, TaskFacts]:
        ids = list(task_ids)
        self.asked.append(ids)
        return {i: self.tasks[i] for i in ids if i in self.tasks}


def _edge(task: str, on: str, kind: str = "blocks") -> Dependency:
    return Dependency(taskId=task, dependsOn=on, type=kind, createdAt="2026-03-01T12:00:00.000Z")


def test_given_prerequisites_of_every_kind_and_state_then_only_open_ordering_ones_block() -> None:
    edges = Edges(_edge("T", "open1"), _edge("T", "open2", "precedes"), _edge("T", "sub", "subtask"),
                  _edge("T", "rel", "related"), _edge("T", "done"), _edge("T", "cancelled"),
                  _edge("T", "deleted"), _edge("OTHER", "x"))
    facts = Facts(*(TaskFacts(id=i, ownerId="ada") for i in ("open1", "open2", "sub", "rel", "x")),
                  TaskFacts(id="done", ownerId="ada", status="done"),
                  TaskFacts(id="cancelled", ownerId="ada", status="cancelled"))

    assert GraphBlockerCheck(edges, facts).open_blockers("T") == ["open1", "open2", "sub"]


def test_given_no_ordering_prerequisite_then_nothing_blocks_and_no_task_is_read() -> None:
    facts = Facts(TaskFacts(id="rel", ownerId="ada"))

    assert GraphBlockerCheck(Edges(_edge("T", "rel", "related")), facts).open_blockers("T") == []
    assert facts.asked == []

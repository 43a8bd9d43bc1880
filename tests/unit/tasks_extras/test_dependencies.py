"""Task dependencies and the task graph through their use cases, over in-memory tasks and edges."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

import pytest

from deepiri_common.problems import Conflict, Forbidden, NotFound, ValidationFailed
from deepiri_tasks.logic.dependencies_graph import add_dependency, list_dependencies, remove_dependency, task_graph
from deepiri_tasks.models.graph import Dependency, DependencyCreate, TaskFacts
from tests.unit.tasks.fakes import FakeProjects

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
PROJECTS = FakeProjects({"P1": {"ada": "member", "vic": "viewer"}})


class Tasks:
    def __init__(self, *tasks: TaskFacts) -> None:
        self.tasks = {t.id: t for t in tasks}

    def facts(self, task_id: str) -> TaskFacts | None:
        return self.tasks.get(task_id)

    def facts_many(self, task_ids: Iterable[str]) -> dict[str, TaskFacts]:
        return {i: self.tasks[i] for i in task_ids if i in self.tasks}

    def scope_facts(self, scope: str) -> list[TaskFacts]:
        kind, _, key = scope.partition("#")
        if kind == "PROJECT":
            return [t for t in self.tasks.values() if t.projectId == key]
        return [t for t in self.tasks.values() if t.projectId is None and t.ownerId == key]


class Edges:
    """A DependencyStore; ``add`` answers "missing" for an unknown prerequisite and "exists" when raced."""

    def __init__(self, tasks: Tasks) -> None:
        self.tasks, self.edges = tasks, {}  # type: ignore[var-annotated]
        self.race: Dependency | None = None

    def depends_on(self, task_id: str) -> list[Dependency]:
        return [e for (a, _), e in sorted(self.edges.items()) if a == task_id]

    def dependents(self, task_id: str) -> list[Dependency]:
        return [e for (_, b), e in sorted(self.edges.items()) if b == task_id]

    def get(self, task_id: str, depends_on: str) -> Dependency | None:
        return self.edges.get((task_id, depends_on))

    def add(self, edge: Dependency) -> str:
        if self.race is not None:
            self.edges[(edge.taskId, edge.dependsOn)], self.race = self.race, None
            return "exists"
        if edge.dependsOn not in self.tasks.tasks:
            return "missing"
        self.edges[(edge.taskId, edge.dependsOn)] = edge
        return "added"

    def remove(self, task_id: str, depends_on: str) -> bool:
        return self.edges.pop((task_id, depends_on), None) is not None


def _facts(task_id: str, owner: str = "ada", **fields: object) -> TaskFacts:
    return TaskFacts.model_validate({"id": task_id, "ownerId": owner, **fields})


def _world(*extra: TaskFacts) -> tuple[Tasks, Edges]:
    tasks = Tasks(_facts("A", title="design", estimateMinutes=30), _facts("B", title="build", estimateMinutes=60),
                  _facts("C", title="ship", estimateMinutes=10), _facts("Z", owner="zoe"), *extra)
    return tasks, Edges(tasks)


def _add(tasks: Tasks, edges: Edges, task: str, on: str, kind: str = "blocks", user: str = "ada") -> Dependency:
    return add_dependency(tasks, PROJECTS, edges, user_id=user, task_id=task,
                          body=DependencyCreate(dependsOn=on, type=kind), now=NOW)


def test_given_two_tasks_when_one_depends_on_the_other_then_the_edge_is_stored_with_its_time() -> None:
    tasks, edges = _world()

    edge = _add(tasks, edges, "B", "A")

    assert edge == Dependency(taskId="B", dependsOn="A", type="blocks", createdAt="2026-03-01T12:00:00.000Z")
    assert edges.get("B", "A") == edge


def test_given_a_task_when_it_would_depend_on_itself_then_422_names_the_field() -> None:
    tasks, edges = _world()

    with pytest.raises(ValidationFailed) as refused:
        _add(tasks, edges, "A", "A")

    assert refused.value.errors == [{"field": "body.dependsOn", "message": "a task cannot depend on itself"}]


def test_given_a_chain_when_an_ordering_edge_would_close_it_then_409_names_the_cycle_in_order() -> None:
    tasks, edges = _world()
    _add(tasks, edges, "B", "A")
    _add(tasks, edges, "C", "B", "precedes")

    with pytest.raises(Conflict) as refused:
        _add(tasks, edges, "A", "C", "subtask")

    assert refused.value.detail == "the dependency would close a cycle: A -> C -> B -> A"
    assert refused.value.extensions == {"cycle": ["A", "C", "B", "A"]}
    assert edges.get("A", "C") is None


def test_given_a_chain_of_related_edges_then_no_cycle_is_enforced() -> None:
    tasks, edges = _world()
    _add(tasks, edges, "B", "A", "related")
    _add(tasks, edges, "A", "B", "blocks")  # the related edge does not order anything

    assert _add(tasks, edges, "C", "A", "related").type == "related"
    assert _add(tasks, edges, "A", "C", "related").type == "related"


def test_given_an_existing_edge_when_added_again_then_the_same_type_is_answered_and_another_is_409() -> None:
    tasks, edges = _world()
    first = _add(tasks, edges, "B", "A")

    assert _add(tasks, edges, "B", "A") == first
    with pytest.raises(Conflict) as refused:
        _add(tasks, edges, "B", "A", "precedes")
    assert refused.value.detail == "task already depends on A as blocks; remove it first"


def test_given_a_racing_insert_when_adding_then_the_stored_edge_decides() -> None:
    tasks, edges = _world()
    edges.race = Dependency(taskId="B", dependsOn="A", type="related", createdAt="2026-01-01T00:00:00.000Z")

    with pytest.raises(Conflict, match="as related"):
        _add(tasks, edges, "B", "A")


def test_given_a_race_that_left_nothing_then_409_asks_to_retry() -> None:
    tasks, _ = _world()

    class Vanishing(Edges):
        def add(self, edge: Dependency) -> str:
            return "exists"

    with pytest.raises(Conflict) as refused:
        _add(tasks, Vanishing(tasks), "B", "A")
    assert refused.value.detail == "the dependency changed concurrently; retry"


def test_given_a_prerequisite_deleted_meanwhile_then_404_names_it() -> None:
    tasks, _ = _world()

    class Missing(Edges):
        def add(self, edge: Dependency) -> str:
            return "missing"

    with pytest.raises(NotFound) as missing:
        _add(tasks, Missing(tasks), "B", "A")
    assert missing.value.detail == "task A not found"


def test_given_tasks_the_caller_may_not_change_or_see_then_403_or_404() -> None:
    tasks, edges = _world()

    with pytest.raises(NotFound):
        _add(tasks, edges, "B", "Z")  # zoe's task is invisible to ada
    with pytest.raises(NotFound):
        _add(tasks, edges, "Z", "A")
    with pytest.raises(Forbidden):
        _add(*_world(_facts("V", owner="x", projectId="P1")), "V", "A", user="vic")


def test_given_an_edge_when_removed_then_it_is_gone_and_removing_again_is_404() -> None:
    tasks, edges = _world()
    _add(tasks, edges, "B", "A")

    remove_dependency(tasks, PROJECTS, edges, user_id="ada", task_id="B", other_id="A")

    assert edges.get("B", "A") is None
    with pytest.raises(NotFound) as missing:
        remove_dependency(tasks, PROJECTS, edges, user_id="ada", task_id="B", other_id="A")
    assert missing.value.detail == "task B does not depend on A"


def test_given_edges_both_ways_when_listed_then_only_tasks_the_caller_sees_appear() -> None:
    tasks, edges = _world()
    _add(tasks, edges, "B", "A")
    _add(tasks, edges, "C", "B")
    edges.edges[("B", "Z")] = Dependency(taskId="B", dependsOn="Z", type="blocks", createdAt="x")
    edges.edges[("Z", "B")] = Dependency(taskId="Z", dependsOn="B", type="blocks", createdAt="x")

    listed = list_dependencies(tasks, PROJECTS, edges, user_id="ada", task_id="B")

    assert [d.dependsOn for d in listed.dependsOn] == ["A"]
    assert [d.taskId for d in listed.dependents] == ["C"]


def test_given_personal_tasks_when_graphed_then_order_and_critical_path_follow_the_ordering_edges() -> None:
    tasks, edges = _world()
    _add(tasks, edges, "B", "A")
    _add(tasks, edges, "C", "B")
    _add(tasks, edges, "A", "C", "related")

    graph = task_graph(tasks, PROJECTS, edges, user_id="ada", project_id=None)

    assert [(n.id, n.title, n.status, n.estimateMinutes) for n in graph.nodes] == [
        ("A", "design", "todo", 30), ("B", "build", "todo", 60), ("C", "ship", "todo", 10)]
    assert [(e.from_, e.to, e.type) for e in graph.edges] == [("A", "C", "related"), ("B", "A", "blocks"),
                                                              ("C", "B", "blocks")]
    assert graph.topologicalOrder == ["A", "B", "C"]
    assert (graph.criticalPath, graph.criticalPathMinutes) == (["A", "B", "C"], 100)


def test_given_a_cycle_stored_by_racing_inserts_then_the_graph_still_answers_without_an_order() -> None:
    tasks, edges = _world()
    _add(tasks, edges, "B", "A")
    edges.edges[("A", "B")] = Dependency(taskId="A", dependsOn="B", type="blocks", createdAt="x")

    graph = task_graph(tasks, PROJECTS, edges, user_id="ada", project_id=None)

    assert (graph.topologicalOrder, graph.criticalPath, graph.criticalPathMinutes) == ([], [], 0)


def test_given_a_project_when_graphed_then_members_see_its_tasks_and_others_get_404() -> None:
    tasks, edges = _world(_facts("P", owner="x", projectId="P1", estimateMinutes=5))

    graph = task_graph(tasks, PROJECTS, edges, user_id="vic", project_id="P1")

    assert [n.id for n in graph.nodes] == ["P"] and graph.criticalPathMinutes == 5
    with pytest.raises(NotFound) as missing:
        task_graph(tasks, PROJECTS, edges, user_id="ada", project_id="P2")
    assert missing.value.detail == "project P2 not found"


def test_given_project_tasks_then_members_link_and_unlink_them_and_viewers_list_them_by_their_project_role() -> None:
    tasks, edges = _world(_facts("P", owner="x", projectId="P1"), _facts("Q", owner="x", projectId="P1"),
                          _facts("R", owner="x", projectId="P1"))
    _add(tasks, edges, "Q", "P")  # ada is a member of P1, not the owner of either task
    _add(tasks, edges, "R", "Q")

    listed = list_dependencies(tasks, PROJECTS, edges, user_id="vic", task_id="Q")

    assert ([d.dependsOn for d in listed.dependsOn], [d.taskId for d in listed.dependents]) == (["P"], ["R"])
    remove_dependency(tasks, PROJECTS, edges, user_id="ada", task_id="Q", other_id="P")
    assert edges.get("Q", "P") is None and edges.get("R", "Q") is not None

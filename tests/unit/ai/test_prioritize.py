"""Ordering open tasks: urgency and importance first, blockers down, started work and quick wins up,
each with reasons; the tasks are read through the tasks API as the caller (a fake invoke here)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import pytest

from deepiri_ai.dal.tasks_api import TaskGraphApi, TasksApi
from deepiri_ai.logic.prioritize import rank, waiting_on
from deepiri_ai.models.prioritize import OpenTask
from deepiri_common.identity import Caller
from deepiri_common.internal import UpstreamFailed

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)


def _task(title: str, **fields: Any) -> OpenTask:
    return OpenTask.model_validate({"id": title, "title": title, "status": "todo", **fields})


def test_given_open_tasks_then_overdue_and_important_come_first_and_blocked_last() -> None:
    tasks = [
        _task("someday", priority="low"),
        _task("blocked launch", priority="urgent", dueAt=NOW + timedelta(hours=2), status="blocked"),
        _task("report", priority="high", dueAt=NOW + timedelta(hours=20)),
        _task("late invoice", priority="medium", dueAt=NOW - timedelta(days=2)),
    ]

    ranked = rank(tasks, NOW)

    assert [task.title for task in ranked.tasks] == ["report", "late invoice", "someday", "blocked launch"]
    assert ranked.tasks[0].quadrant == "do now" and ranked.tasks[0].reasons[:2] == ["due in 20 h", "high priority"]
    assert ranked.tasks[1].reasons[0] == "overdue by 2 days"
    assert any(reason.startswith("blocked") for reason in ranked.tasks[-1].reasons)
    assert [task.rank for task in ranked.tasks] == [1, 2, 3, 4] and ranked.considered == 4


def test_given_undated_tasks_of_each_priority_then_each_weighs_its_importance_exactly() -> None:
    ranked = rank([_task(priority, priority=priority) for priority in ("low", "medium", "high", "urgent")], NOW)

    # 0.55 x 0.1 (no due date) + 0.45 x importance: urgent 1, high 0.75, medium 0.5, low 0.25
    assert {task.title: task.score for task in ranked.tasks} == {
        "urgent": 0.505, "high": 0.3925, "medium": 0.28, "low": 0.1675}


def test_given_equal_tasks_then_started_work_and_quick_wins_go_first() -> None:
    ranked = rank([_task("a"), _task("b", estimateMinutes=15), _task("c", status="in_progress")], NOW)
    assert [task.title for task in ranked.tasks] == ["c", "b", "a"]
    assert "quick win (15 min)" in ranked.tasks[1].reasons


def test_given_the_tasks_api_then_it_is_invoked_as_the_caller_for_their_open_tasks_page_by_page() -> None:
    calls: list[dict[str, Any]] = []
    pages = [{"items": [{"id": "t1", "title": "one", "status": "todo", "ownerId": "alice"}], "nextCursor": "c2"},
             {"items": [{"id": "t2", "title": "two", "status": "blocked"}], "nextCursor": None}]

    def invoke(**kwargs: Any) -> dict[str, Any]:
        calls.append(json.loads(kwargs["Payload"]))
        body = json.dumps(pages[len(calls) - 1])
        return {"StatusCode": 200, "Payload": io.BytesIO(json.dumps({"statusCode": 200, "body": body}).encode())}

    tasks, truncated = TasksApi("deepiri-test-tasks-api", invoke).open_tasks(Caller(user_id="alice", roles=("user",)))

    assert [task.id for task in tasks] == ["t1", "t2"] and truncated is False
    assert calls[0]["requestContext"]["authorizer"]["userId"] == "alice"
    assert calls[0]["queryStringParameters"]["status"] == "todo,in_progress,review,blocked"
    assert calls[1]["queryStringParameters"]["cursor"] == "c2"


def test_given_a_task_waiting_on_an_open_one_then_its_blocker_comes_first_and_the_reasons_say_so() -> None:
    tasks = [_task("launch", priority="urgent", dueAt=NOW + timedelta(hours=2)), _task("sign off", priority="low")]
    blockers = waiting_on([("launch", "sign off", "blocks")], ["launch", "sign off"])

    ranked = rank(tasks, NOW, blockers=blockers)

    assert [task.title for task in ranked.tasks] == ["sign off", "launch"]
    assert ranked.tasks[0].reasons[-1] == "unblocks 1 task"
    assert 'waits on 1 open task: "sign off"' in ranked.tasks[1].reasons
    assert ranked.tasks[1].score == round(0.55 * 0.9 + 0.45 * 1.0 - 0.5, 4)
    assert ranked.tasks[0].score == round(0.55 * 0.1 + 0.45 * 0.25 + 0.1, 4)


def test_given_a_task_many_wait_on_then_it_rises_by_the_number_it_unblocks_up_to_three() -> None:
    # design <- build <- test <- release <- announce: design unblocks four (counted through the chain)
    chain = ["design", "build", "test", "release", "announce"]
    edges = [(later, earlier, "precedes") for earlier, later in pairwise(chain)]
    tasks = [_task(title) for title in chain] + [_task("other", priority="high")]

    ranked = rank(tasks, NOW, blockers=waiting_on(edges, [task.id for task in tasks]))

    by_title = {task.title: task for task in ranked.tasks}
    assert "unblocks 4 tasks" in by_title["design"].reasons and "unblocks 1 task" in by_title["release"].reasons
    assert by_title["design"].score == round(0.55 * 0.1 + 0.45 * 0.5 + 0.3, 4)  # capped at three
    assert by_title["test"].score == round(0.55 * 0.1 + 0.45 * 0.5 - 0.5 + 0.2, 4)
    assert [task.title for task in ranked.tasks] == ["design", "other", "build", "test", "release", "announce"]


def test_given_edges_that_do_not_hold_a_task_back_then_they_are_not_weighed() -> None:
    edges = [("a", "b", "related"), ("a", "done-task", "blocks"), ("a", "a", "blocks"), ("a", "b", "subtask"),
             ("a", "b", "blocks"), ("c", "d", "blocks")]
    assert waiting_on(edges, ["a", "b", "c"]) == {"a": ["b"]}


@pytest.mark.parametrize("kind", ["blocks", "precedes", "subtask"])
def test_given_each_ordering_edge_alone_then_it_holds_its_task_back(kind: str) -> None:
    assert waiting_on([("a", "b", kind)], ["a", "b"]) == {"a": ["b"]}


def test_given_a_blocker_outside_the_weighed_list_then_the_task_is_still_placed() -> None:
    ranked = rank([_task("a")], NOW, blockers={"a": ["elsewhere"]})
    assert [task.title for task in ranked.tasks] == ["a"]
    assert ranked.tasks[0].reasons[-1] == 'waits on 1 open task: "elsewhere"'


def test_given_a_cycle_then_every_task_is_still_placed_once() -> None:
    ranked = rank([_task("a", priority="high"), _task("b")], NOW, blockers={"a": ["b"], "b": ["a"]})
    assert [task.title for task in ranked.tasks] == ["a", "b"]
    assert [task.reasons[-1] for task in ranked.tasks] == ["unblocks 1 task", "unblocks 1 task"]  # not itself


def test_given_a_blocker_placed_then_its_dependent_may_come_next_before_lower_tasks() -> None:
    tasks = [_task("launch", priority="urgent", dueAt=NOW + timedelta(hours=2)),  # 0.945 - 0.5
             _task("sign", priority="high"),  # 0.3925 + 0.1 (unblocks launch)
             _task("tidy", priority="medium")]  # 0.28
    ranked = rank(tasks, NOW, blockers={"launch": ["sign"]})
    assert [task.title for task in ranked.tasks] == ["sign", "launch", "tidy"]


def test_given_a_blocker_outside_the_list_then_it_does_not_hold_the_task_back() -> None:
    ranked = rank([_task("a", priority="urgent", dueAt=NOW + timedelta(hours=2)), _task("b", priority="low")], NOW,
                  blockers={"a": ["elsewhere"]})
    assert [task.title for task in ranked.tasks] == ["a", "b"]


def test_given_blockers_with_titles_then_up_to_three_are_named_by_title() -> None:
    tasks = [OpenTask.model_validate({"id": f"id{n}", "title": f"T{n}", "status": "todo"}) for n in range(5)]
    ranked = rank(tasks, NOW, blockers={"id0": ["id1", "id2", "id3", "id4"]})
    waiting = next(task for task in ranked.tasks if task.id == "id0")
    assert 'waits on 4 open tasks: "T1", "T2", "T3"' in waiting.reasons


@pytest.mark.parametrize(("due_in", "urgency", "reason"), [
    (timedelta(0), 0.9, "due in 1 min"),
    (timedelta(seconds=30), 0.9, "due in 1 min"),
    (timedelta(minutes=59, seconds=59), 0.9, "due in 59 min"),
    (timedelta(minutes=30), 0.9, "due in 30 min"),
    (timedelta(minutes=90), 0.9, "due in 1 h"),
    (timedelta(days=1), 0.9, "due in 24 h"),
    (timedelta(days=1, minutes=1), 0.7, "due in 24 h"),
    (timedelta(hours=47), 0.7, "due in 47 h"),
    (timedelta(days=3), 0.7, "due in 3 days"),
    (timedelta(days=3, minutes=1), 0.5, "due in 3 days"),
    (timedelta(days=7), 0.5, "due in 7 days"),
    (timedelta(days=7, minutes=1), 0.3, "due in 7 days"),
    (-timedelta(minutes=1), 1.0, "overdue by 1 min"),
    (-timedelta(hours=2), 1.0, "overdue by 2 h"),
])
def test_given_due_times_at_the_edges_then_urgency_and_its_reason(due_in: timedelta, urgency: float,
                                                                  reason: str) -> None:
    ranked = rank([_task("t", dueAt=NOW + due_in, priority="low")], NOW).tasks[0]
    assert ranked.score == round(0.55 * urgency + 0.45 * 0.25, 4) and ranked.reasons[0] == reason


@pytest.mark.parametrize(("due_in", "priority", "quadrant"), [
    (timedelta(days=3), "high", "do now"), (timedelta(days=3), "medium", "quick"),
    (timedelta(days=5), "urgent", "schedule"), (None, "high", "schedule"), (None, "medium", "later"),
    (timedelta(days=5), "low", "later"),
])
def test_given_urgency_and_importance_then_the_quadrant(due_in: timedelta | None, priority: str, quadrant: str) -> None:
    task = _task("t", priority=priority, dueAt=NOW + due_in if due_in is not None else None)
    assert rank([task], NOW).tasks[0].quadrant == quadrant


@pytest.mark.parametrize(("fields", "score", "reason"), [
    ({"status": "blocked"}, 0.28 - 1.0, "blocked: cannot be done until its blocker is cleared"),
    ({"status": "in_progress"}, 0.28 + 0.15, "already started: finishing it frees attention"),
    ({"status": "review"}, 0.28 + 0.15, "already started: finishing it frees attention"),
    ({"estimateMinutes": 30}, 0.28 + 0.05, "quick win (30 min)"),
    ({"estimateMinutes": 31}, 0.28, "medium priority"),
    ({"estimateMinutes": 239}, 0.28, "medium priority"),
    ({"estimateMinutes": 240}, 0.28, "large (4 h): start early or split it"),
    ({"estimateMinutes": 299}, 0.28, "large (4 h): start early or split it"),
    ({"priority": "someday"}, 0.28, "someday priority"),  # an unknown priority weighs as medium
])
def test_given_status_estimate_and_priority_then_the_adjustment_and_its_reason(fields: dict[str, Any], score: float,
                                                                               reason: str) -> None:
    ranked = rank([_task("t", **fields)], NOW)
    assert ranked.tasks[0].score == round(score, 4) and ranked.tasks[0].reasons[-1] == reason
    assert ranked.tasks[0].estimateMinutes == fields.get("estimateMinutes") and ranked.truncated is False


def test_given_equal_scores_then_the_earlier_due_date_goes_first_then_the_title() -> None:
    tasks = [_task("a", dueAt=NOW + timedelta(days=20)), _task("b", dueAt=NOW + timedelta(days=10)), _task("c"),
             _task("d", dueAt=NOW + timedelta(days=10))]
    ranked = rank(tasks, NOW)
    assert [task.title for task in ranked.tasks] == ["b", "d", "a", "c"]


def test_given_the_graph_route_then_it_is_invoked_as_the_caller_and_its_edges_read() -> None:
    calls: list[dict[str, Any]] = []
    graph = {"nodes": [], "edges": [{"from": "t1", "to": "t2", "type": "blocks"}, {"from": "t3"}],
             "topologicalOrder": [], "criticalPath": [], "criticalPathMinutes": 0}

    def invoke(**kwargs: Any) -> dict[str, Any]:
        calls.append(json.loads(kwargs["Payload"]))
        body = json.dumps(graph)
        return {"StatusCode": 200, "Payload": io.BytesIO(json.dumps({"statusCode": 200, "body": body}).encode())}

    edges = TaskGraphApi("deepiri-test-tasks-dependencies", invoke).edges(Caller(user_id="alice", roles=("user",)))

    assert edges == [("t1", "t2", "blocks")]
    assert (calls[0]["path"], calls[0]["requestContext"]["authorizer"]["userId"]) == ("/api/tasks/graph", "alice")


def test_given_the_graph_route_fails_then_a_502_problem() -> None:
    def invoke(**kwargs: Any) -> dict[str, Any]:
        return {"StatusCode": 200, "Payload": io.BytesIO(json.dumps({"statusCode": 403, "body": "{}"}).encode())}

    with pytest.raises(UpstreamFailed):
        TaskGraphApi("f", invoke).edges(Caller(user_id="alice", roles=("user",)))

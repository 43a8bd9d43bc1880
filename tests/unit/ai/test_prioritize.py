"""Ordering open tasks: urgency and importance first, blockers down, started work and quick wins up,
each with reasons; the tasks are read through the tasks API as the caller (a fake invoke here)."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from deepiri_ai.dal.tasks_api import TasksApi
from deepiri_ai.logic.prioritize import rank
from deepiri_ai.models.prioritize import OpenTask
from deepiri_common.identity import Caller

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

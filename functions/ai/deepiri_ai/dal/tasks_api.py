"""The caller's tasks and progress, read (and a task or a challenge created) through the owning services' API functions,
never their tables.

``deepiri_common.internal.call_route`` invokes ``deepiri-<stage>-tasks-api`` with the proxy event the
gateway would send for the same caller, so the tasks service's routes and authorization decide what is
returned: only the caller's own tasks, exactly as over HTTP.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from deepiri_ai.models.prioritize import OpenTask
from deepiri_common.identity import Caller
from deepiri_common.internal import UpstreamFailed, call_route

OPEN_STATUSES = "todo,in_progress,review,blocked"
PAGE, MAX_PAGES = 100, 5  # at most 500 open tasks are weighed; more is said in the answer


class TasksApi:
    """Reads a caller's open tasks from the tasks API function."""

    def __init__(self, function_name: str, invoke: Callable[..., Mapping[str, Any]] | None = None) -> None:
        self._function, self._invoke = function_name, invoke

    def open_tasks(self, caller: Caller, correlation_id: str | None = None) -> tuple[list[OpenTask], bool]:
        """The caller's open tasks (up to 500) and whether there were more."""
        found: list[OpenTask] = []
        cursor: str | None = None
        for _ in range(MAX_PAGES):
            query = {"status": OPEN_STATUSES, "limit": str(PAGE), "sort": "due", "order": "asc"}
            if cursor:
                query["cursor"] = cursor
            status, body = call_route(self._function, "GET", "/api/tasks", caller=caller, query=query,
                                      correlation_id=correlation_id, invoke=self._invoke)
            if status != 200 or not isinstance(body, dict):
                raise UpstreamFailed(f"tasks answered {status}")
            found += [OpenTask.model_validate(item, strict=False) for item in body.get("items", [])]
            cursor = body.get("nextCursor")
            if not cursor:
                return found, False
        return found, True

    def create_task(self, caller: Caller, body: dict[str, Any], correlation_id: str | None = None) -> dict[str, Any]:
        """Create a task as the caller through ``POST /api/tasks``; the created task. A refusal (4xx) raises
        ``UpstreamFailed`` naming its status: the draft came from this service, so a refusal is its fault."""
        status, answer = call_route(self._function, "POST", "/api/tasks", caller=caller, body=body,
                                    correlation_id=correlation_id, invoke=self._invoke)
        if status != 201 or not isinstance(answer, dict):
            raise UpstreamFailed(f"tasks answered {status}")
        return answer


class TaskGraphApi:
    """Reads the dependency graph of the caller's own tasks (``GET /api/tasks/graph``, the tasks service's
    dependencies function)."""

    def __init__(self, function_name: str, invoke: Callable[..., Mapping[str, Any]] | None = None) -> None:
        self._function, self._invoke = function_name, invoke

    def edges(self, caller: Caller, correlation_id: str | None = None) -> list[tuple[str, str, str]]:
        """Every edge ``(task, dependsOn, type)`` between the caller's personal tasks."""
        status, body = call_route(self._function, "GET", "/api/tasks/graph", caller=caller,
                                  correlation_id=correlation_id, invoke=self._invoke)
        if status != 200 or not isinstance(body, dict):
            raise UpstreamFailed(f"tasks answered {status}")
        return [(str(edge["from"]), str(edge["to"]), str(edge["type"])) for edge in body.get("edges", [])
                if isinstance(edge, dict) and {"from", "to", "type"} <= edge.keys()]


class EngagementApi:
    """Reads the caller's progress from the engagement API function."""

    def __init__(self, function_name: str, invoke: Callable[..., Mapping[str, Any]] | None = None) -> None:
        self._function, self._invoke = function_name, invoke

    def progress(self, caller: Caller, correlation_id: str | None = None) -> dict[str, Any] | None:
        """The caller's level, XP and streaks (``GET /api/gamification/me``), or None when unavailable."""
        try:
            status, answer = call_route(self._function, "GET", "/api/gamification/me", caller=caller,
                                        correlation_id=correlation_id, invoke=self._invoke)
        except UpstreamFailed:
            return None
        return answer if status == 200 and isinstance(answer, dict) else None


class ChallengesApi:
    """Makes a challenge from one of the caller's tasks through the challenges API function."""

    def __init__(self, function_name: str, invoke: Callable[..., Mapping[str, Any]] | None = None) -> None:
        self._function, self._invoke = function_name, invoke

    def generate(self, caller: Caller, task_id: str, challenge_type: str | None = None,
                 correlation_id: str | None = None) -> tuple[int, dict[str, Any]]:
        """``POST /api/challenges/generate`` as the caller: its status and body (201 and the challenge, or a
        problem: 404 for a task that is gone, 409 for a type that cannot be made now). Anything else raises
        ``UpstreamFailed``."""
        body: dict[str, Any] = {"taskId": task_id}
        if challenge_type:
            body["type"] = challenge_type
        status, answer = call_route(self._function, "POST", "/api/challenges/generate", caller=caller, body=body,
                                    correlation_id=correlation_id, invoke=self._invoke)
        if status not in (201, 404, 409) or not isinstance(answer, dict):
            raise UpstreamFailed(f"challenges answered {status}")
        return status, answer

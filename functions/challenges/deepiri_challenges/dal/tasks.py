"""The tasks a challenge is made from, read through the tasks service's own API function as the caller.

The challenges service never reads the tasks table: ``deepiri_common.internal.call_route`` invokes the
tasks API function with the proxy event the gateway would send for the same caller, so the tasks
service decides what the caller may see (another user's task is its own 404).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

from deepiri_common.identity import Caller
from deepiri_common.internal import call_route


class TaskView(BaseModel):
    """What a challenge reads of a task."""

    model_config = ConfigDict(extra="ignore")

    id: str
    title: str
    description: str = ""
    category: str = "manual"
    difficulty: str = "medium"
    estimateMinutes: int | None = None
    status: str = "todo"
    version: int = 1


class TasksApi:
    """Reads and completes the caller's tasks through the tasks API function."""

    def __init__(self, function_name: str, invoke: Callable[..., Mapping[str, Any]] | None = None) -> None:
        self._function, self._invoke = function_name, invoke

    def task(self, caller: Caller, task_id: str) -> TaskView | None:
        """The caller's task; None when the tasks service answers anything but 200 (another user's: 404)."""
        status, body = call_route(self._function, "GET", f"/api/tasks/{task_id}", caller=caller, invoke=self._invoke)
        return TaskView.model_validate(body) if status == 200 else None

    def complete(self, caller: Caller, task: TaskView) -> int:
        """Complete the task as the caller at the version read; the tasks service's status."""
        status, _ = call_route(self._function, "POST", f"/api/tasks/{task.id}/complete", caller=caller,
                               body={"version": task.version}, invoke=self._invoke)
        return status

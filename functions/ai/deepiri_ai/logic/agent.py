"""The routes' domain: parse a line into a draft, order the caller's open tasks (classify: ``engine``).

The caller's words are data: they are counted by the classifier and cut into fields by the parser,
and nothing in them selects what the engine does.
"""

from __future__ import annotations

from datetime import datetime

from deepiri_ai.dal.profiles import ProfileRepository
from deepiri_ai.dal.tasks_api import TasksApi
from deepiri_ai.logic import drafts, prioritize
from deepiri_ai.logic.classifier import LocalModel
from deepiri_ai.logic.profiles import timezone_of
from deepiri_ai.models.agent import TaskDraft
from deepiri_ai.models.prioritize import Prioritized
from deepiri_common.identity import Caller


def parse(model: LocalModel, profiles: ProfileRepository, user_id: str, text: str, now: datetime) -> TaskDraft:
    """The task draft ``text`` describes, its due time read in the caller's own timezone."""
    zone = timezone_of(profiles, user_id)
    draft = drafts.parse(text, now, zone, model)
    return TaskDraft.model_validate({
        "title": draft.title, "dueAt": draft.due_at, "timezone": zone, "priority": draft.priority,
        "category": draft.category, "difficulty": draft.difficulty, "tags": list(draft.tags),
        "estimateMinutes": draft.estimate_minutes, "recurrence": draft.recurrence})


def prioritized(tasks: TasksApi, caller: Caller, now: datetime, correlation_id: str | None = None) -> Prioritized:
    """The caller's own open tasks (read through the tasks API as the caller) in the order to do them."""
    open_tasks, truncated = tasks.open_tasks(caller, correlation_id)
    return prioritize.rank(open_tasks, now, truncated)

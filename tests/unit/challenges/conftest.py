"""The challenges logic against its repository on moto (the table as template.yaml declares it), with the
events each write publishes recorded, a task source and an AI draft source in memory."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from moto import mock_aws

from deepiri_challenges.dal.challenges import ChallengeRepository
from deepiri_challenges.dal.drafts import DraftTask
from deepiri_challenges.dal.tasks import TaskView
from deepiri_challenges.models.challenges import StoredQuestion
from deepiri_common.events import DomainEvent
from deepiri_common.identity import Caller
from tests.support import template


class RecordingRepository(ChallengeRepository):
    """The real repository, keeping every event it wrote (in order)."""

    def __init__(self, table_name: str, client: Any) -> None:
        super().__init__(table_name, client)
        self.published: list[DomainEvent] = []

    def save(self, items: Sequence[dict[str, Any]], events: Sequence[DomainEvent] = ()) -> None:
        super().save(items, events)
        self.published.extend(events)

    def kinds(self) -> list[str]:
        return [e.detail_type for e in self.published]


@dataclass
class MemoryTasks:
    """The tasks API as one caller sees it: their own tasks only; ``complete`` answers ``status``."""

    tasks: dict[tuple[str, str], TaskView] = field(default_factory=dict)
    status: int = 200
    completed: list[str] = field(default_factory=list)

    def add(self, user_id: str, **fields: Any) -> TaskView:
        task = TaskView(**{"id": f"T{len(self.tasks):025d}", "title": "Write the report", **fields})
        self.tasks[(user_id, task.id)] = task
        return task

    def task(self, caller: Caller, task_id: str) -> TaskView | None:
        return self.tasks.get((caller.user_id, task_id))

    def complete(self, caller: Caller, task: TaskView) -> int:
        if (caller.user_id, task.id) not in self.tasks:  # as the API: another caller's task is not found
            return 404
        self.completed.append(task.id)
        return self.status


@dataclass
class MemoryDrafts:
    """Questions whose correct answer is option ``n % 4`` (10 points each), or none when not ``able``."""

    able: bool = True
    asked: list[tuple[str, str, DraftTask, int]] = field(default_factory=list)

    def questions(self, user_id: str, kind: str, task: DraftTask, count: int) -> list[StoredQuestion] | None:
        self.asked.append((user_id, kind, task, count))
        if not self.able:
            return None
        return [StoredQuestion(question=f"{task.title} #{n}?", options=["a", "b", "c", "d"], correctAnswer=n % 4,
                               points=10) for n in range(count)]


@pytest.fixture
def repository(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingRepository]:
    template.fake_credentials(monkeypatch)
    with mock_aws():
        name = template.create("ChallengesTable")["ChallengesTable"]
        yield RecordingRepository(name, boto3.client("dynamodb", region_name=template.REGION))

"""Edges of the task use cases: a PATCH that names no version, a parent changed by PATCH, completion
through PATCH, the restore window to the instant, the overdue filter at the instant, searching a project,
and a search whose words each match more tasks than are read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from deepiri_common.problems import Conflict, NotFound, ValidationFailed
from deepiri_tasks.logic import tasks as uc
from deepiri_tasks.models.tasks import Task, TaskListQuery, TaskPatch
from tests.unit.tasks.fakes import Blockers, FakeProjects, MemoryTasks, services

PAST = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
PROJECTS = FakeProjects({"P1": {"mia": "member", "vic": "viewer"}})


def _task(**fields: object) -> Task:
    return Task.model_validate({"id": "T1", "ownerId": "alice", "title": "write the report", "createdAt": PAST,
                                "updatedAt": PAST, **fields})


@pytest.fixture
def frozen(monkeypatch: pytest.MonkeyPatch) -> datetime:
    """The use cases' clock stopped at NOW."""
    monkeypatch.setattr(uc, "utc_now", lambda: NOW)
    return NOW


def test_given_a_patch_with_neither_if_match_nor_version_then_422_and_nothing_is_written() -> None:
    store = MemoryTasks(_task(version=2))

    with pytest.raises(ValidationFailed) as missing:
        uc.update_task(services(store), "alice", "T1", TaskPatch(title="new title"), None)

    assert missing.value.errors == [{"field": "body.version", "message": "send the If-Match header or version"}]
    assert (store.tasks["T1"].title, store.writes) == ("write the report", 0)


def test_given_a_patch_that_moves_a_task_under_a_parent_then_the_parent_must_be_visible_to_the_caller() -> None:
    store = MemoryTasks(_task(), _task(id="MINE", title="plan"), _task(id="HIDDEN", ownerId="zoe"))
    svc = services(store)

    for parent_id in ("HIDDEN", "NONE"):
        with pytest.raises(ValidationFailed) as refused:
            uc.update_task(svc, "alice", "T1", TaskPatch(parentTaskId=parent_id), 1)
        assert refused.value.errors == [{"field": "body.parentTaskId",
                                         "message": "no such task in the same project"}]
    assert store.tasks["T1"].parentTaskId is None and store.writes == 0

    moved = uc.update_task(svc, "alice", "T1", TaskPatch(parentTaskId="MINE"), 1)

    assert (moved.parentTaskId, moved.version) == ("MINE", 2)
    assert store.data("TaskUpdated")["changed"] == ["parentTaskId"]


def test_given_a_patch_to_done_then_it_completes_at_that_instant_unless_open_blockers_refuse_it(
        frozen: datetime) -> None:
    store = MemoryTasks(_task(status="review"), _task(id="T2", status="review"))
    svc = services(store, blockers=Blockers({"T2": ["T9"]}))

    done = uc.update_task(svc, "alice", "T1", TaskPatch(status="done"), 1)

    assert (done.status, done.version, done.completedAt, done.updatedAt) == ("done", 2, frozen, frozen)
    assert store.types() == ["TaskStatusChanged", "TaskCompleted"]
    with pytest.raises(Conflict) as blocked:
        uc.update_task(svc, "alice", "T2", TaskPatch(status="done"), 1)
    assert blocked.value.detail.startswith("blocked by open tasks: T9")
    assert store.tasks["T2"].status == "review"


def test_given_restores_out_of_reach_then_each_404_reads_task_not_found() -> None:
    store = MemoryTasks(_task(id="OLD", deletedAt=datetime.now(UTC) - timedelta(days=31)),
                        _task(id="THEIRS", ownerId="zoe", deletedAt=datetime.now(UTC)))

    for task_id in ("OLD", "THEIRS", "NOPE"):
        with pytest.raises(NotFound) as gone:
            uc.restore_task(services(store), "alice", task_id)
        assert gone.value.detail == "task not found"


def test_given_the_last_instant_of_the_restore_window_then_the_task_restores_with_that_update_time(
        frozen: datetime) -> None:
    store = MemoryTasks(_task(version=4, deletedAt=frozen - timedelta(days=30)),
                        _task(id="LATE", version=4, deletedAt=frozen - timedelta(days=30, milliseconds=1)))

    restored = uc.restore_task(services(store), "alice", "T1")

    assert (restored.deletedAt, restored.updatedAt, restored.version) == (None, frozen, 5)
    assert store.tasks["T1"].updatedAt == frozen
    with pytest.raises(NotFound):
        uc.restore_task(services(store), "alice", "LATE")


def test_given_a_task_due_at_this_very_instant_then_an_overdue_search_does_not_count_it_yet(
        frozen: datetime) -> None:
    store = MemoryTasks(_task(id="NOW", title="pay rent", dueAt=frozen),
                        _task(id="PAST", title="pay rent", dueAt=frozen - timedelta(milliseconds=1)),
                        _task(id="DONE", title="pay rent", dueAt=PAST, status="done"))

    page = uc.list_tasks(services(store), "alice", TaskListQuery(q="pay", overdue=True))

    assert [t.id for t in page.items] == ["PAST"]


def test_given_a_search_in_a_project_then_its_members_find_the_project_tasks() -> None:
    store = MemoryTasks(_task(id="A", title="launch plan", projectId="P1", ownerId="mia"),
                        _task(id="B", title="launch party", ownerId="mia"))

    page = uc.list_tasks(services(store, PROJECTS), "vic", TaskListQuery(q="launch", projectId="P1"))

    assert [t.id for t in page.items] == ["A"]
    assert store.searched == [("PROJECT#P1", "launch")]


def test_given_words_that_each_match_more_tasks_than_are_read_then_the_task_with_both_is_still_found() -> None:
    # 600 tasks have "alpha", 600 others "beta", and only ZZZ (the last id in order) has both: the words'
    # matches must be intersected before the 500 candidates are read, whichever word comes last.
    tasks = [*(_task(id=f"A{n:03}", title="alpha") for n in range(600)),
             *(_task(id=f"B{n:03}", title="beta") for n in range(600)),
             _task(id="ZZZ", title="alpha beta")]
    store = MemoryTasks(*tasks)

    for q in ("alpha beta", "beta alpha"):
        page = uc.list_tasks(services(store), "alice", TaskListQuery(q=q))
        assert [t.id for t in page.items] == ["ZZZ"]
        assert store.asked_many == ["ZZZ"]

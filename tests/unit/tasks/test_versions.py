"""A task's history: listed newest first in pages, and restoring an earlier version as a new one."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from deepiri_common.pagination import PageQuery, decode_cursor
from deepiri_common.problems import Forbidden, NotFound
from deepiri_tasks.logic import versions
from deepiri_tasks.logic.tasks import update_task
from deepiri_tasks.logic.tasks_access import TaskServices
from deepiri_tasks.logic.versions import list_versions, restore_version
from deepiri_tasks.models.tasks import Task, TaskPatch, TaskVersion
from tests.unit.tasks.fakes import MemoryTasks, services

PAST = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
LATER = datetime(2030, 1, 1, 9, 0, tzinfo=UTC)


def _history() -> tuple[MemoryTasks, TaskServices]:
    store = MemoryTasks()
    svc = services(store)
    store.save(None, Task(id="T1", ownerId="alice", title="v1", priority="low", createdAt=PAST, updatedAt=PAST),
               _record(1), [])
    store.snapshots[("T1", 1)] = store.tasks["T1"]
    update_task(svc, "alice", "T1", TaskPatch(title="v2"), 1)
    update_task(svc, "alice", "T1", TaskPatch(title="v3", priority="high", status="in_progress"), 2)
    return store, svc


def _record(version: int) -> TaskVersion:
    return TaskVersion(version=version, changes={}, actor="alice", at=PAST)


def test_given_a_history_then_it_lists_newest_first_in_pages() -> None:
    _, svc = _history()

    first = list_versions(svc, "alice", "T1", PageQuery(limit=2))

    assert [v.version for v in first.items] == [3, 2]
    assert first.next_cursor is not None and decode_cursor(first.next_cursor) == {"version": 2}
    rest = list_versions(svc, "alice", "T1", PageQuery(limit=2, cursor=first.next_cursor))
    assert [v.version for v in rest.items] == [1] and rest.next_cursor is None
    with pytest.raises(NotFound):
        list_versions(svc, "zoe", "T1", PageQuery())


def test_given_an_earlier_version_when_restored_then_its_editable_fields_return_as_a_new_version(
        monkeypatch: pytest.MonkeyPatch) -> None:
    store, svc = _history()
    monkeypatch.setattr(versions, "utc_now", lambda: LATER)

    restored = restore_version(svc, "alice", "T1", 1)

    assert (restored.title, restored.priority, restored.version) == ("v1", "low", 4)
    assert restored.status == "in_progress"  # status moves only through the status machine
    assert restored.updatedAt == LATER and store.tasks["T1"].updatedAt == LATER
    record = store.history["T1"][-1]
    assert (record.reason, record.at) == ("restored version 1", LATER)
    assert {name: (change.old, change.new) for name, change in record.changes.items()} == {
        "title": ("v3", "v1"), "priority": ("high", "low")}
    assert store.data("TaskUpdated")["changed"] == ["title", "priority"]


def test_given_the_current_values_when_restoring_their_version_then_nothing_is_written() -> None:
    store, svc = _history()
    writes = store.writes

    assert restore_version(svc, "alice", "T1", 3).version == 3
    assert store.writes == writes


@pytest.mark.parametrize("version", [0, 5, 99])
def test_given_a_version_the_task_never_had_then_404_names_it(version: int) -> None:
    _, svc = _history()

    with pytest.raises(NotFound) as missing:
        restore_version(svc, "alice", "T1", version)
    assert missing.value.detail == f"version {version} not found"


def test_given_someone_who_may_not_change_the_task_then_restoring_is_refused() -> None:
    store, svc = _history()
    store.tasks["T1"] = store.tasks["T1"].model_copy(update={"assigneeIds": ["bob"]})

    with pytest.raises(Forbidden):
        restore_version(svc, "bob", "T1", 1)

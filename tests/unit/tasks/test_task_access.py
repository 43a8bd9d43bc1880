"""Who may see and change a task, as the caller reads the refusal: 404 hides, 403 and 409 explain."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from deepiri_common.problems import Conflict, Forbidden, NotFound
from deepiri_tasks.logic.tasks_access import (
    can_change,
    can_collaborate,
    check_writable,
    find_writable,
    is_visible,
    require_project_reader,
    require_project_writer,
    require_visible,
    require_writable,
)
from deepiri_tasks.models.tasks import Task
from tests.unit.tasks.fakes import FakeProjects, MemoryTasks, services

NOW = datetime(2030, 1, 1, tzinfo=UTC)
# mia is a member of P1 only, vic a viewer of P1, and P2 (where mia is a member too) is archived.
PROJECTS = FakeProjects({"P1": {"mia": "member", "vic": "viewer", "dave": "viewer"}, "P2": {"mia": "member"}},
                        archived={"P2"})


def _task(**fields: object) -> Task:
    return Task.model_validate({"id": "T1", "ownerId": "alice", "title": "t", "createdAt": NOW, "updatedAt": NOW,
                                **fields})


def test_given_a_project_task_then_rights_come_from_that_project_not_another() -> None:
    in_p3 = _task(projectId="P3", ownerId="mia")

    assert not is_visible(PROJECTS, in_p3, "mia")
    assert not can_change(PROJECTS, in_p3, "mia")
    assert is_visible(PROJECTS, _task(projectId="P1"), "vic")


def test_given_a_viewer_who_owns_the_task_then_they_may_change_it_but_not_a_stranger_owner() -> None:
    assert can_change(PROJECTS, _task(projectId="P1", ownerId="dave"), "dave")
    assert not can_change(PROJECTS, _task(projectId="P3", ownerId="dave"), "dave")


def test_given_an_assignee_then_they_collaborate_and_a_project_writer_does_too() -> None:
    assert can_collaborate(PROJECTS, _task(assigneeIds=["bob"]), "bob")
    assert can_collaborate(PROJECTS, _task(projectId="P1"), "mia")
    assert not can_collaborate(PROJECTS, _task(projectId="P1"), "vic")


@pytest.mark.parametrize(("task", "user", "collaborate", "detail"), [
    (_task(assigneeIds=["bob"]), "bob", False, "only the task's owner can change a personal task"),
    # check_writable alone: an assignee always collaborates, so only a stranger meets this refusal
    (_task(), "carol", True, "only the task's owner and assignees can work on a personal task"),
    (_task(projectId="P1"), "vic", False, "viewers cannot change the project's tasks"),
    (_task(projectId="P1"), "vic", True, "viewers cannot change the project's tasks"),
])
def test_given_someone_who_may_not_change_then_403_says_who_may(
    task: Task, user: str, collaborate: bool, detail: str
) -> None:
    with pytest.raises(Forbidden) as refused:
        check_writable(PROJECTS, task, user, collaborate=collaborate)

    assert refused.value.detail == detail


def test_given_an_assignee_who_may_not_change_then_find_writable_refuses_unless_collaborating() -> None:
    task = _task(assigneeIds=["bob"])

    with pytest.raises(Forbidden):
        find_writable(lambda _: task, PROJECTS, "T1", "bob")
    assert find_writable(lambda _: task, PROJECTS, "T1", "bob", collaborate=True) == task


def test_given_an_archived_project_then_its_tasks_are_read_only_for_everyone() -> None:
    with pytest.raises(Conflict) as refused:
        find_writable(lambda _: _task(projectId="P2"), PROJECTS, "T1", "mia")

    assert refused.value.detail == "the project is archived; its tasks are read-only"
    find_writable(lambda _: _task(projectId="P1"), PROJECTS, "T1", "mia")  # another project is not archived


def test_given_a_task_the_caller_cannot_see_or_that_is_gone_then_404_the_same_way() -> None:
    store = MemoryTasks(_task(projectId="P1"), _task(id="T2", deletedAt=NOW))
    for task_id, user in (("T1", "alice"), ("T2", "alice"), ("T9", "mia")):
        with pytest.raises(NotFound) as hidden:
            require_visible(services(store, PROJECTS), task_id, user)
        assert hidden.value.detail == "task not found"

    assert require_visible(services(store, PROJECTS), "T1", "vic").id == "T1"


def test_given_a_project_member_then_require_writable_uses_the_services_projects() -> None:
    store = MemoryTasks(_task(projectId="P1"))

    assert require_writable(services(store, PROJECTS), "T1", "mia").id == "T1"
    with pytest.raises(Forbidden):
        require_writable(services(store, PROJECTS), "T1", "vic")


def test_given_a_project_then_its_members_read_and_its_unarchived_non_viewers_write() -> None:
    require_project_reader(PROJECTS, "P1", "vic")
    require_project_writer(PROJECTS, "P1", "mia")


@pytest.mark.parametrize(("check", "project", "user", "refusal", "detail"), [
    (require_project_reader, "P1", "alice", NotFound, "project not found"),
    (require_project_writer, "P1", "alice", NotFound, "project not found"),
    (require_project_writer, "P1", "vic", Forbidden, "viewers cannot add tasks to the project"),
    (require_project_writer, "P2", "mia", Conflict, "the project is archived; its tasks are read-only"),
])
def test_given_a_stranger_a_viewer_or_an_archived_project_then_each_is_refused_with_its_reason(
        check: Callable[..., object], project: str, user: str, refusal: type[Exception], detail: str) -> None:
    with pytest.raises(refusal) as refused:
        check(PROJECTS, project, user)
    assert refused.value.detail == detail  # type: ignore[attr-defined]

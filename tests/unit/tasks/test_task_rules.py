"""Pure task rules: the status machine, completion figures, tags, search tokens, version diffs, access."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from deepiri_common.problems import Conflict, Forbidden
from deepiri_common.text import fold
from deepiri_tasks.dal import search_index
from deepiri_tasks.dal.search_index import index_tokens
from deepiri_tasks.dal.tasks import TaskRepository
from deepiri_tasks.logic.completion import efficiency, on_time
from deepiri_tasks.logic.search import matches, query_terms
from deepiri_tasks.logic.status import allowed_transitions, check_no_open_blockers, check_transition
from deepiri_tasks.logic.tasks import parse_if_match
from deepiri_tasks.logic.tasks_access import can_change, can_collaborate, check_writable, is_visible
from deepiri_tasks.logic.versions import diff
from deepiri_tasks.models.graph import TaskFacts
from deepiri_tasks.models.projects import Role
from deepiri_tasks.models.tasks import Task, TaskCreate, TaskVersion, normalize_tags

NOW = datetime(2030, 1, 1, tzinfo=UTC)


def _task(**fields: object) -> Task:
    return Task.model_validate({"id": "T1", "ownerId": "alice", "title": "t", "createdAt": NOW, "updatedAt": NOW,
                                **fields})


@pytest.mark.parametrize(("current", "allowed"), [
    ("todo", ["in_progress", "blocked", "cancelled"]),
    ("in_progress", ["review", "blocked", "cancelled"]),
    ("review", ["done", "blocked", "cancelled"]),
    ("blocked", ["todo", "in_progress", "cancelled"]),
    ("done", []),
    ("cancelled", []),
])
def test_given_each_status_then_the_machine_allows_exactly_these_moves(current: str, allowed: list[str]) -> None:
    assert allowed_transitions(current) == allowed
    for target in ("todo", "in_progress", "review", "done", "blocked", "cancelled"):
        if target in allowed:
            check_transition(current, target)
        else:
            with pytest.raises(Conflict) as refused:
                check_transition(current, target)
            assert refused.value.extensions["allowedStatuses"] == allowed


def test_given_open_blockers_when_becoming_done_then_409_names_them() -> None:
    class Two:
        def open_blockers(self, task_id: str) -> list[str]:
            return ["A", "B"]

    with pytest.raises(Conflict, match="A, B"):
        check_no_open_blockers(Two(), "T1")


@pytest.mark.parametrize(("estimate", "actual", "expected"), [
    (30, 60, 50.0), (60, 30, 100.0), (60, 60, 100.0), (20, 30, 66.7), (None, 30, None), (30, 0, None),
    (0, 30, None), (30, None, None),
])
def test_given_estimate_and_actual_then_efficiency_is_capped_and_null_when_unknown(
    estimate: int | None, actual: int | None, expected: float | None
) -> None:
    assert efficiency(estimate, actual) == expected


def test_given_due_dates_then_on_time_compares_and_is_null_without_one() -> None:
    assert on_time(NOW, NOW) is True
    assert on_time(NOW + timedelta(seconds=1), NOW) is False
    assert on_time(NOW, None) is None


def test_given_messy_tags_then_they_are_trimmed_lowercased_and_deduplicated() -> None:
    assert normalize_tags([" Work ", "work", "", "HOME", "home "]) == ["work", "home"]
    with pytest.raises(ValueError, match="20"):
        normalize_tags([f"t{n}" for n in range(21)])
    assert TaskCreate(title="x", tags=["A"] * 30).tags == ["a"]


def test_given_a_naive_date_then_the_model_refuses_it() -> None:
    with pytest.raises(ValidationError) as refused:
        TaskCreate(title="x", dueAt="2030-01-01T10:00:00")
    assert refused.value.errors()[0]["loc"] == ("dueAt",)
    assert TaskCreate(title="x", dueAt="2030-01-01T12:00:00+02:00").dueAt == datetime(
        2030, 1, 1, 10, tzinfo=UTC)


def test_given_accented_text_then_tokens_fold_case_and_accents() -> None:
    assert fold("Écrire ÇA Straße") == "ecrire ca strasse"
    assert index_tokens("Réviser le café", "Café, CAFÉ! a b") == ["reviser", "le", "cafe"]
    assert query_terms("Désí  doc x désí") == ["desi", "doc"]
    assert matches(["desi", "doc"], "Design", "the documentation")
    assert not matches(["desi", "zzz"], "Design", "the documentation")


def test_given_a_long_text_then_tokens_are_capped_title_first() -> None:
    tokens = index_tokens("title words", " ".join(f"word{n}" for n in range(100)))
    assert len(tokens) == 30 and tokens[:2] == ["title", "words"]


def test_given_two_versions_then_the_diff_names_each_changed_field_old_and_new() -> None:
    before = _task(priority="low", tags=["a"])
    after = before.model_copy(update={"priority": "high", "tags": ["a", "b"], "version": 2, "updatedAt": NOW})
    changes = diff(before, after)
    assert set(changes) == {"priority", "tags"}
    assert changes["priority"].old == "low" and changes["priority"].new == "high"
    assert set(diff(None, before)) == {"id", "ownerId", "title", "status", "priority", "difficulty", "category",
                                       "tags", "actualMinutes", "source", "createdAt"}


@pytest.mark.parametrize(("header", "version"), [('W/"3"', 3), ('"4"', 4), ("5", 5), (None, None), ("*", None)])
def test_given_if_match_headers_then_the_version_is_read(header: str | None, version: int | None) -> None:
    assert parse_if_match(header) == version


class FakeProjects:
    """An in-memory ProjectAccess."""

    def __init__(self, roles: dict[str, Role], archived: bool = False) -> None:
        self.roles, self.archived = roles, archived

    def role_of(self, project_id: str, user_id: str) -> Role | None:
        return self.roles.get(user_id)

    def is_archived(self, project_id: str) -> bool:
        return self.archived


def test_given_personal_and_project_tasks_then_visibility_and_write_rights_follow_the_rules() -> None:
    personal = _task(assigneeIds=["bob"])
    none = FakeProjects({})
    assert is_visible(none, personal, "alice") and is_visible(none, personal, "bob")
    assert not is_visible(none, personal, "carol")
    with pytest.raises(Forbidden):
        check_writable(none, personal, "bob")

    project_task = _task(projectId="P1", ownerId="dave")
    projects = FakeProjects({"mia": "member", "vic": "viewer"})
    assert is_visible(projects, project_task, "vic") and not is_visible(projects, project_task, "alice")
    check_writable(projects, project_task, "mia")
    with pytest.raises(Forbidden):
        check_writable(projects, project_task, "vic")
    with pytest.raises(Conflict, match="archived"):
        check_writable(FakeProjects({"mia": "member"}, archived=True), project_task, "mia")


def test_given_assignees_then_they_collaborate_but_only_writers_change_for_tasks_and_extras_facts_alike() -> None:
    # The one rule reads the core's Task and the extras' TaskFacts the same way
    personal = [_task(assigneeIds=["bob"]), TaskFacts(id="T1", ownerId="alice", assigneeIds=frozenset({"bob"}))]
    none = FakeProjects({})
    for task in personal:
        # Given a personal task assigned to bob: bob works on it (comments, timers) but cannot change it
        assert can_collaborate(none, task, "bob") and not can_change(none, task, "bob")
        check_writable(none, task, "bob", collaborate=True)
        with pytest.raises(Forbidden):
            check_writable(none, task, "bob")
        assert can_change(none, task, "alice") and not can_collaborate(none, task, "carol")

    projects = FakeProjects({"vic": "viewer", "val": "viewer", "mia": "member"})
    shared = [_task(projectId="P1", ownerId="dave", assigneeIds=["vic"]),
              TaskFacts(id="T2", ownerId="dave", projectId="P1", assigneeIds=frozenset({"vic"}))]
    for task in shared:
        # Given a project task assigned to a viewer: the assignee collaborates, another viewer does not
        assert can_collaborate(projects, task, "vic") and not can_change(projects, task, "vic")
        with pytest.raises(Forbidden):
            check_writable(projects, task, "val", collaborate=True)
        assert can_change(projects, task, "mia")
        with pytest.raises(Conflict, match="archived"):
            check_writable(FakeProjects({"vic": "viewer"}, archived=True), task, "vic", collaborate=True)


def _due_pointers(before: Task | None, after: Task) -> list[str]:
    """The due-index pointers (sk) in the transaction that turns ``before`` into ``after``."""
    record = TaskVersion(version=after.version, changes={}, actor="alice", at=after.updatedAt)
    items = TaskRepository("tasks", client=None).change_items(before, after, record, [])
    return [item["Put"]["Item"]["sk"]["S"] for item in items
            if "Put" in item and item["Put"]["Item"]["pk"]["S"].startswith("DUE#")]


def test_given_task_writes_then_those_that_set_move_or_revive_a_due_date_index_it() -> None:
    now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    due, later = now + timedelta(hours=2), now + timedelta(days=2)
    task = Task(id="T1", ownerId="alice", title="t", dueAt=due, createdAt=now, updatedAt=now)
    pointer = "2026-03-01T14:00:00.000Z#T1"

    def changed(base: Task, **fields: object) -> Task:
        return base.model_copy(update={**fields, "version": base.version + 1})

    # Created with a due date, moved, restored, version-restored, reopened: indexed
    assert _due_pointers(None, task) == [pointer]
    assert _due_pointers(changed(task, dueAt=later), task) == [pointer]
    assert _due_pointers(changed(task, deletedAt=now), changed(task, version=3)) == [pointer]
    assert _due_pointers(changed(task, status="done"), changed(task, version=3)) == [pointer]
    # Untouched due date, cleared, no due date, or deleted: nothing
    assert _due_pointers(task, changed(task, title="renamed")) == []
    assert _due_pointers(task, changed(task, dueAt=None)) == []
    assert _due_pointers(None, task.model_copy(update={"dueAt": None})) == []
    assert _due_pointers(task, changed(task, deletedAt=now)) == []


def test_given_search_limits_then_two_letter_terms_count_and_long_words_are_cut_to_forty() -> None:
    assert (search_index.MIN_TERM_LENGTH, search_index.MAX_TOKEN_LENGTH, search_index.MAX_TOKENS) == (2, 40, 30)
    assert query_terms("ux a") == ["ux"]
    assert index_tokens("x" * 50, "") == ["x" * 40]
    assert query_terms("y" * 50) == ["y" * 40]

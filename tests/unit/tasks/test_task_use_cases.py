"""The task use cases over in-memory collaborators: create, change with versions, status moves, soft
delete and restore, listing (the Query asked for) and search."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from deepiri_common.clock import utc_now
from deepiri_common.pagination import decode_cursor, encode_cursor
from deepiri_common.problems import BadRequest, Conflict, Forbidden, NotFound, PreconditionFailed, ValidationFailed
from deepiri_tasks.logic import tasks as uc
from deepiri_tasks.logic.tasks_access import TaskServices
from deepiri_tasks.models.tasks import StatusChange, Task, TaskCreate, TaskListQuery, TaskPatch
from tests.unit.tasks.fakes import Blockers, FakeProjects, MemoryTasks, services

PAST = datetime(2026, 1, 1, 9, 0, tzinfo=UTC)
PROJECTS = FakeProjects({"P1": {"mia": "member", "vic": "viewer", "max": "member"}}, archived={"P9"})


def _task(**fields: object) -> Task:
    return Task.model_validate({"id": "T1", "ownerId": "alice", "title": "write the report", "createdAt": PAST,
                                "updatedAt": PAST, **fields})


def _svc(*tasks: Task, blockers: Blockers | None = None) -> tuple[MemoryTasks, TaskServices]:
    store = MemoryTasks(*tasks)
    return store, services(store, PROJECTS, blockers)


# ------------------------------------------------------------------ versions

def test_given_etags_then_they_are_weak_and_if_match_reads_them_back() -> None:
    assert uc.etag(_task(version=7)) == 'W/"7"'
    assert uc.parse_if_match(' W/"7" ') == 7
    with pytest.raises(BadRequest) as unreadable:
        uc.parse_if_match("W/abc")
    assert unreadable.value.detail == 'If-Match must be an ETag of this API, for example W/"3"'
    assert uc.parse_if_match("   ") is None


def test_given_if_match_and_a_body_version_then_they_must_agree_and_one_is_required_when_asked() -> None:
    assert uc.expected_version(3, 3, required=True) == 3
    assert uc.expected_version(None, 4, required=True) == 4
    assert uc.expected_version(5, None, required=True) == 5
    assert uc.expected_version(None, None, required=False) is None
    with pytest.raises(PreconditionFailed) as disagree:
        uc.expected_version(3, 4, required=False)
    assert disagree.value.detail == "If-Match and version name different versions"
    with pytest.raises(ValidationFailed) as missing:
        uc.expected_version(None, None, required=True)
    assert missing.value.errors == [{"field": "body.version", "message": "send the If-Match header or version"}]


# ------------------------------------------------------------------ create and read

def test_given_a_new_personal_task_then_it_is_stored_at_version_one_and_task_created_is_emitted() -> None:
    store, svc = _svc()
    before = utc_now()

    task = uc.create_task(svc, "alice", TaskCreate(title="Plan", tags=["Work"]), source="github",
                          external_ref="gh#1")

    assert store.tasks[task.id] == task and uc.get_task(svc, "alice", task.id) == task
    assert (task.ownerId, task.title, task.tags, task.version) == ("alice", "Plan", ["work"], 1)
    assert (task.source, task.externalRef) == ("github", "gh#1")
    # stored to the millisecond
    assert before - timedelta(milliseconds=1) <= task.createdAt == task.updatedAt <= utc_now()
    assert store.types() == ["TaskCreated"] and store.history[task.id][0].actor == "alice"


def test_given_a_project_task_then_only_writers_create_it_and_assignees_must_be_members() -> None:
    _, svc = _svc()

    task = uc.create_task(svc, "mia", TaskCreate(title="x", projectId="P1", assigneeIds=["vic"]))
    assert task.projectId == "P1"
    with pytest.raises(Forbidden):
        uc.create_task(svc, "vic", TaskCreate(title="x", projectId="P1"))
    with pytest.raises(ValidationFailed) as strangers:
        uc.create_task(svc, "mia", TaskCreate(title="x", projectId="P1", assigneeIds=["zed", "vic", "bob"]))
    assert strangers.value.errors == [{"field": "body.assigneeIds", "message": "not project members: zed, bob"}]


def test_given_a_personal_task_then_its_only_possible_assignee_is_its_owner() -> None:
    store, svc = _svc()

    mine = uc.create_task(svc, "alice", TaskCreate(title="solo", assigneeIds=["alice"]))
    with pytest.raises(ValidationFailed) as others:
        uc.create_task(svc, "alice", TaskCreate(title="x", assigneeIds=["alice", "bob", "zed"]))

    assert mine.assigneeIds == ["alice"]
    assert others.value.errors == [{"field": "body.assigneeIds",
                                    "message": "a personal task has no assignees but its owner: bob, zed"}]
    assert list(store.tasks) == [mine.id]  # nothing stored for the refused one


def test_given_a_personal_task_when_someone_else_is_assigned_later_then_422_and_it_is_unchanged() -> None:
    store, svc = _svc(_task())

    with pytest.raises(ValidationFailed, match="assigneeIds"):
        uc.update_task(svc, "alice", "T1", TaskPatch(assigneeIds=["bob"]), 1)

    assert store.tasks["T1"].assigneeIds == [] and store.tasks["T1"].version == 1
    assert uc.update_task(svc, "alice", "T1", TaskPatch(assigneeIds=["alice"]), 1).assigneeIds == ["alice"]


def test_given_a_parent_elsewhere_then_the_subtask_is_refused() -> None:
    parent = _task(id="PARENT")
    project_parent = _task(id="PP", projectId="P1")
    _, svc = _svc(parent, project_parent, _task(id="HIDDEN", ownerId="zoe"))

    uc.create_task(svc, "alice", TaskCreate(title="child", parentTaskId="PARENT"))
    for parent_id, project in (("PP", None), ("PARENT", "P1"), ("HIDDEN", None), ("NONE", None)):
        with pytest.raises(ValidationFailed) as refused:
            uc.create_task(svc, "alice" if project is None else "mia",
                           TaskCreate(title="child", parentTaskId=parent_id, projectId=project))
        assert refused.value.errors == [{"field": "body.parentTaskId",
                                         "message": "no such task in the same project"}]


# ------------------------------------------------------------------ update

def test_given_a_patch_at_the_current_version_then_changed_fields_make_one_version_and_task_updated() -> None:
    store, svc = _svc(_task(version=2, priority="low"))

    after = uc.update_task(svc, "alice", "T1", TaskPatch(priority="high", title="write the report",
                                                         reason="urgent"), if_match=2)

    assert (after.priority, after.version) == ("high", 3) and after.updatedAt > PAST
    assert store.types() == ["TaskUpdated"] and store.data("TaskUpdated")["changed"] == ["priority"]
    assert store.history["T1"][-1].reason == "urgent"


def test_given_a_stale_version_then_412_says_the_current_one_and_nothing_changes() -> None:
    store, svc = _svc(_task(version=2))

    with pytest.raises(PreconditionFailed) as stale:
        uc.update_task(svc, "alice", "T1", TaskPatch(title="x", version=1), if_match=None)

    assert stale.value.detail == "the task is at version 2, not 1"
    assert stale.value.extensions == {"currentVersion": 2}
    assert store.writes == 0


def test_given_a_patch_that_changes_nothing_then_no_version_is_written() -> None:
    store, svc = _svc(_task(priority="low"))

    assert uc.update_task(svc, "alice", "T1", TaskPatch(priority="low", status="todo"), 1).version == 1
    assert store.writes == 0


def test_given_a_patch_with_a_status_then_the_move_and_the_edit_are_one_version() -> None:
    store, svc = _svc(_task(status="todo"))

    after = uc.update_task(svc, "alice", "T1", TaskPatch(status="in_progress", title="new"), 1)

    assert (after.status, after.title, after.version) == ("in_progress", "new", 2)
    assert store.types() == ["TaskUpdated", "TaskStatusChanged"]
    with pytest.raises(Conflict):
        uc.update_task(svc, "alice", "T1", TaskPatch(status="done"), 2)


def test_given_a_status_only_patch_then_only_the_status_event_is_emitted() -> None:
    store, svc = _svc(_task(status="todo"))

    uc.update_task(svc, "alice", "T1", TaskPatch(status="blocked"), 1)

    assert store.types() == ["TaskStatusChanged"]


def test_given_new_assignees_in_a_patch_then_they_are_checked_against_the_project() -> None:
    _, svc = _svc(_task(projectId="P1"))

    with pytest.raises(ValidationFailed, match="assigneeIds"):
        uc.update_task(svc, "mia", "T1", TaskPatch(assigneeIds=["zed"]), 1)
    assert uc.update_task(svc, "mia", "T1", TaskPatch(assigneeIds=["vic"]), 1).assigneeIds == ["vic"]


# ------------------------------------------------------------------ status

def test_given_a_status_change_then_the_task_moves_with_a_reason_and_a_new_version() -> None:
    store, svc = _svc(_task(status="in_progress", version=4))

    after = uc.change_status(svc, "alice", "T1", StatusChange(status="review", reason="ready"), if_match=4)

    assert (after.status, after.version) == ("review", 5) and after.updatedAt > PAST
    assert store.data("TaskStatusChanged")["from"] == "in_progress"
    assert store.history["T1"][-1].reason == "ready"
    assert uc.change_status(svc, "alice", "T1", StatusChange(status="review"), None).version == 5
    with pytest.raises(PreconditionFailed):
        uc.change_status(svc, "alice", "T1", StatusChange(status="done", version=4), None)


def test_given_a_move_to_done_then_it_is_a_completion_and_open_blockers_refuse_it() -> None:
    store, svc = _svc(_task(status="review", version=2), _task(id="T2", status="review"),
                      blockers=Blockers({"T2": ["T9"]}))

    done = uc.change_status(svc, "alice", "T1", StatusChange(status="done"), None)

    assert (done.status, done.version) == ("done", 3) and done.completedAt is not None
    assert store.types() == ["TaskStatusChanged", "TaskCompleted"]
    with pytest.raises(Conflict, match="blocked by open tasks: T9"):
        uc.change_status(svc, "alice", "T2", StatusChange(status="done"), None)


# ------------------------------------------------------------------ delete and restore

def test_given_a_deleted_task_then_it_is_hidden_expires_after_the_window_and_restores_within_it() -> None:
    store, svc = _svc(_task(version=3))
    before = utc_now()

    uc.delete_task(svc, "alice", "T1", if_match=3)

    deleted = store.tasks["T1"]
    assert deleted.deletedAt is not None and deleted.version == 4 and store.types() == ["TaskDeleted"]
    expected = int((deleted.deletedAt + timedelta(days=30)).timestamp())
    assert store.expiry["T1"] == expected and expected >= int((before + timedelta(days=30)).timestamp())
    with pytest.raises(NotFound):
        uc.get_task(svc, "alice", "T1")

    restored = uc.restore_task(svc, "alice", "T1")

    assert (restored.deletedAt, restored.version) == (None, 5)
    assert store.data("TaskUpdated")["changed"] == ["deletedAt"]
    assert store.history["T1"][-1].reason == "restored"


def test_given_a_stale_delete_then_412() -> None:
    _, svc = _svc(_task(version=3))

    with pytest.raises(PreconditionFailed):
        uc.delete_task(svc, "alice", "T1", if_match=2)


def test_given_restores_that_cannot_be_then_404_409_or_403() -> None:
    long_ago = utc_now() - timedelta(days=31)
    _, svc = _svc(_task(id="OLD", deletedAt=long_ago), _task(id="LIVE"), _task(id="THEIRS", ownerId="zoe",
                                                                              deletedAt=utc_now()),
                  _task(id="SHARED", projectId="P1", ownerId="mia", deletedAt=utc_now()))

    for task_id in ("OLD", "THEIRS", "NOPE"):
        with pytest.raises(NotFound, match="task not found"):
            uc.restore_task(svc, "alice", task_id)
    with pytest.raises(Conflict) as live:
        uc.restore_task(svc, "alice", "LIVE")
    assert live.value.detail == "the task is not deleted"
    with pytest.raises(Forbidden):
        uc.restore_task(svc, "vic", "SHARED")


def test_given_a_task_deleted_just_inside_the_window_then_it_restores() -> None:
    _, svc = _svc(_task(deletedAt=utc_now() - timedelta(days=29, hours=23)))

    assert uc.restore_task(svc, "alice", "T1").deletedAt is None


# ------------------------------------------------------------------ listing

def _listed(store: MemoryTasks, svc: TaskServices, user: str = "alice", **query: object) -> dict[str, object]:
    uc.list_tasks(svc, user, TaskListQuery.model_validate(query))
    return store.listed[-1]


def test_given_no_filter_then_the_callers_personal_tasks_newest_first_on_the_created_index() -> None:
    store, svc = _svc(_task())

    asked = _listed(store, svc)

    assert (asked["index"], asked["scope"], asked["ascending"], asked["limit"], asked["start"]) == (
        "gsi1", "OWNER#alice", False, 20, None)
    assert asked["where"].expression == "" and asked["where"].names == {} and asked["where"].values == {}


@pytest.mark.parametrize(("sort", "order", "index", "ascending"), [
    ("due", None, "gsi2", True), ("priority", None, "gsi3", False), ("created", "asc", "gsi1", True),
    ("due", "desc", "gsi2", False),
])
def test_given_a_sort_then_its_index_and_default_order(sort: str, order: str | None, index: str,
                                                        ascending: bool) -> None:
    store, svc = _svc()

    asked = _listed(store, svc, sort=sort, order=order)

    assert (asked["index"], asked["ascending"]) == (index, ascending)


def test_given_every_filter_then_the_query_carries_one_condition_each() -> None:
    store, svc = _svc()
    due_from, due_to = datetime(2026, 3, 1, tzinfo=UTC), datetime(2026, 3, 31, tzinfo=UTC)
    before = utc_now()

    where = _listed(store, svc, status=["todo", "review"], priority="high", category="code", tag=" Work ",
                    dueFrom=due_from, dueTo=due_to, overdue=True)["where"]

    assert where.expression == (
        "#status IN (:status0, :status1) AND #priority = :priority AND #category = :category AND "
        "contains(#tags, :tag) AND #dueAt >= :dueFrom AND #dueAt <= :dueTo AND "
        "#dueAt < :now AND NOT #status IN (:done, :cancelled)")
    assert where.names == {"#status": "status", "#priority": "priority", "#category": "category",
                           "#tags": "tags", "#dueAt": "dueAt"}
    now = where.values.pop(":now")["S"]
    assert now >= before.isoformat()[:19]
    assert where.values == {
        ":status0": {"S": "todo"}, ":status1": {"S": "review"}, ":priority": {"S": "high"},
        ":category": {"S": "code"}, ":tag": {"S": "work"}, ":dueFrom": {"S": "2026-03-01T00:00:00.000Z"},
        ":dueTo": {"S": "2026-03-31T00:00:00.000Z"}, ":done": {"S": "done"}, ":cancelled": {"S": "cancelled"}}


def test_given_only_a_due_window_end_then_due_at_is_named_once() -> None:
    store, svc = _svc()

    where = _listed(store, svc, dueTo=datetime(2026, 3, 31, tzinfo=UTC))["where"]

    assert where.expression == "#dueAt <= :dueTo" and where.names == {"#dueAt": "dueAt"}


def test_given_scopes_then_project_and_assignee_lists_query_their_partition() -> None:
    store, svc = _svc()

    assert _listed(store, svc, "mia", projectId="P1")["scope"] == "PROJECT#P1"
    assert _listed(store, svc, "mia", assignee="me")["scope"] == "ASSIGNEE#mia"
    assert _listed(store, svc, "mia", assignee="mia")["scope"] == "ASSIGNEE#mia"
    asked = _listed(store, svc, "mia", assignee="vic", projectId="P1")
    assert asked["scope"] == "ASSIGNEE#vic"
    assert asked["where"].expression == "#projectId = :projectId"
    assert asked["where"].values == {":projectId": {"S": "P1"}}
    with pytest.raises(ValidationFailed) as outside:
        _listed(store, svc, "mia", assignee="vic")
    assert outside.value.errors == [{"field": "query.assignee",
                                     "message": "another user's assignments are listed within a projectId"}]
    with pytest.raises(NotFound):
        _listed(store, svc, "zoe", projectId="P1")


def test_given_a_full_page_then_the_next_cursor_continues_from_its_last_key() -> None:
    store, svc = _svc(_task(id="A"), _task(id="B"))

    page = uc.list_tasks(svc, "alice", TaskListQuery(limit=2))

    assert [t.id for t in page.items] == ["A", "B"]
    assert page.next_cursor is not None and decode_cursor(page.next_cursor) == {"pk": {"S": "B"}}
    uc.list_tasks(svc, "alice", TaskListQuery(limit=2, cursor=page.next_cursor))
    assert store.listed[-1]["start"] == {"pk": {"S": "B"}}
    assert uc.list_tasks(svc, "alice", TaskListQuery(limit=5)).next_cursor is None


# ------------------------------------------------------------------ search

def test_given_words_then_search_finds_tasks_with_every_word_sorted_and_paged_by_offset() -> None:
    store, svc = _svc(
        _task(id="A", title="Report draft", createdAt=PAST),
        _task(id="B", title="Report final", description="draft two", createdAt=PAST + timedelta(hours=1)),
        _task(id="C", title="Groceries", createdAt=PAST + timedelta(hours=2)),
        _task(id="D", title="Report draft", ownerId="zoe"),
    )

    first = uc.list_tasks(svc, "alice", TaskListQuery(q="rep dra", limit=1))

    assert [t.id for t in first.items] == ["B"]  # newest first by default
    assert first.next_cursor == encode_cursor({"offset": 1})
    second = uc.list_tasks(svc, "alice", TaskListQuery(q="rep dra", limit=1, cursor=first.next_cursor))
    assert [t.id for t in second.items] == ["A"] and second.next_cursor is None
    assert store.searched[:2] == [("OWNER#alice", "rep"), ("OWNER#alice", "dra")]


def test_given_a_word_nothing_has_then_search_stops_early_and_finds_nothing() -> None:
    store, svc = _svc(_task(title="Report"))

    page = uc.list_tasks(svc, "alice", TaskListQuery(q="zzz report"))

    assert page.items == [] and store.searched == [("OWNER#alice", "zzz")]


def test_given_search_filters_then_matches_are_filtered_like_the_list_would_be() -> None:
    due = datetime(2026, 2, 1, tzinfo=UTC)
    _, svc = _svc(
        _task(id="A", title="fix bug", status="todo", priority="high", category="code", tags=["work"], dueAt=due),
        _task(id="B", title="fix bug", status="done", priority="high", category="code", tags=["work"], dueAt=due),
        _task(id="C", title="fix bug", status="todo", priority="low", category="code", tags=["work"], dueAt=due),
        _task(id="D", title="fix bug", status="todo", priority="high", category="code", tags=["home"], dueAt=due),
        _task(id="E", title="fix bug", status="todo", priority="high", category="code", tags=["work"]),
    )

    def found(**query: object) -> list[str]:
        page = uc.list_tasks(svc, "alice", TaskListQuery.model_validate({"q": "fix", **query}))
        return sorted(t.id for t in page.items)

    assert found(status=["todo"], priority="high", category="code", tag="Work ") == ["A", "E"]
    assert found(dueFrom=due, dueTo=due) == ["A", "B", "C", "D"]
    assert found(overdue=True) == ["A", "C", "D"]
    assert found(category="meeting") == []
    assert found(dueFrom=due + timedelta(days=1)) == []
    assert found(dueTo=due - timedelta(days=1)) == []


def test_given_search_in_an_assignee_list_then_only_that_assignees_visible_tasks_match() -> None:
    _, svc = _svc(_task(id="A", title="fix bug", projectId="P1", assigneeIds=["vic"]),
                  _task(id="B", title="fix bug", projectId="P1", assigneeIds=["max"]))

    page = uc.list_tasks(svc, "mia", TaskListQuery(q="fix", assignee="vic", projectId="P1"))

    assert [t.id for t in page.items] == ["A"]


@pytest.mark.parametrize(("sort", "order", "ids"), [
    ("due", None, ["LATE", "SOON", "HIGH"]),  # no due date last, ties by id
    ("priority", None, ["HIGH", "SOON", "NODUE"]),  # equal rank: newest first
    ("created", "asc", ["SOON", "LATE", "NODUE"]),
])
def test_given_search_sorts_then_matches_follow_the_lists_order(sort: str, order: str | None,
                                                                 ids: list[str]) -> None:
    _, svc = _svc(
        _task(id="SOON", title="plan", dueAt=PAST + timedelta(days=2), priority="medium", createdAt=PAST),
        _task(id="LATE", title="plan", dueAt=PAST + timedelta(days=1), priority="low",
              createdAt=PAST + timedelta(hours=1)),
        _task(id="NODUE", title="plan", priority="low", createdAt=PAST + timedelta(hours=2)),
        _task(id="HIGH", title="plan", priority="urgent", createdAt=PAST + timedelta(hours=3)),
    )

    page = uc.list_tasks(svc, "alice", TaskListQuery(q="plan", sort=sort, order=order, limit=3))

    assert [t.id for t in page.items] == ids


def test_given_a_search_without_a_usable_word_then_422() -> None:
    _, svc = _svc()

    with pytest.raises(ValidationFailed) as refused:
        uc.list_tasks(svc, "alice", TaskListQuery(q="a !"))
    assert refused.value.errors == [{"field": "query.q", "message": "needs a word of at least 2 letters or digits"}]


def test_given_many_matches_then_at_most_five_hundred_are_read() -> None:
    assert uc.MAX_SEARCH_MATCHES == 500
    store, svc = _svc(*(_task(id=f"T{n:03}", title="same") for n in range(502)))

    uc.list_tasks(svc, "alice", TaskListQuery(q="same"))

    assert len(store.asked_many) == 500 and store.asked_many == sorted(store.asked_many)


def test_given_a_change_that_breaks_a_task_rule_then_422_names_the_body_field() -> None:
    with pytest.raises(ValidationFailed) as invalid:
        uc._validated(_task(), {"title": "", "estimateMinutes": -5})

    assert [e["field"] for e in invalid.value.errors] == ["body.title", "body.estimateMinutes"]
    assert all(e["message"] and "input" not in e for e in invalid.value.errors)


def test_given_a_status_filter_alone_then_status_is_named_for_the_query() -> None:
    store, svc = _svc()

    where = _listed(store, svc, status=["todo"])["where"]

    assert (where.expression, where.names, where.values) == ("#status IN (:status0)", {"#status": "status"},
                                                             {":status0": {"S": "todo"}})


def test_given_my_assignments_in_one_project_when_searching_then_other_places_are_left_out() -> None:
    _, svc = _svc(_task(id="A", title="fix bug", projectId="P1", assigneeIds=["vic"]),
                  _task(id="B", title="fix bug", ownerId="alice", assigneeIds=["vic"]))

    page = uc.list_tasks(svc, "vic", TaskListQuery(q="fix", assignee="me", projectId="P1"))

    assert [t.id for t in page.items] == ["A"]


def test_given_a_list_cursor_sent_with_a_search_then_the_search_starts_from_the_top() -> None:
    _, svc = _svc(_task(id="A", title="plan"))

    page = uc.list_tasks(svc, "alice", TaskListQuery(q="plan", cursor=encode_cursor({"pk": "x"})))

    assert [t.id for t in page.items] == ["A"]


def test_given_a_stale_if_match_on_a_status_change_then_412() -> None:
    _, svc = _svc(_task(version=3))

    with pytest.raises(PreconditionFailed):
        uc.change_status(svc, "alice", "T1", StatusChange(status="in_progress"), if_match=2)


def test_given_a_deleted_task_then_its_update_time_is_the_deletion_time() -> None:
    store, svc = _svc(_task())

    uc.delete_task(svc, "alice", "T1", if_match=None)

    assert store.tasks["T1"].updatedAt == store.tasks["T1"].deletedAt

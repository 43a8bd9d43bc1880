"""Role rules (who may do what in a project) and template due-date offset math."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime

import pytest

from deepiri_common.problems import Conflict, Forbidden
from deepiri_tasks.dal.templates import in_transactions
from deepiri_tasks.logic.access import can_manage, can_read, can_write_tasks, is_owner
from deepiri_tasks.logic.consumers import successor
from deepiri_tasks.logic.members import check_invite, check_leave, check_removal, check_role_change
from deepiri_tasks.logic.templates import BUILTIN_TEMPLATES, due_at, due_offsets
from deepiri_tasks.models.projects import Member


@pytest.mark.parametrize(("role", "read", "write", "manage", "own"), [
    ("owner", True, True, True, True),
    ("admin", True, True, True, False),
    ("member", True, True, False, False),
    ("viewer", True, False, False, False),
    (None, False, False, False, False),
])
def test_given_a_role_then_its_rights_follow_the_table(role, read, write, manage, own) -> None:
    assert (can_read(role), can_write_tasks(role), can_manage(role), is_owner(role)) == (read, write, manage, own)


@pytest.mark.parametrize(("actor", "target", "new", "outcome"), [
    ("owner", "member", "admin", None),
    ("owner", "admin", "viewer", None),
    ("admin", "member", "viewer", None),
    ("admin", "viewer", "member", None),
    ("admin", "member", "admin", Forbidden),
    ("admin", "admin", "member", Forbidden),
    ("owner", "owner", "admin", Conflict),
    ("member", "viewer", "member", Forbidden),
    ("viewer", "member", "viewer", Forbidden),
])
def test_given_actor_and_target_when_changing_role_then_allowed_or_refused(actor, target, new, outcome) -> None:
    if outcome is None:
        check_role_change(actor, target, new)
    else:
        with pytest.raises(outcome):
            check_role_change(actor, target, new)


@pytest.mark.parametrize(("actor", "target", "outcome"), [
    ("owner", "admin", None), ("admin", "member", None), ("admin", "viewer", None),
    ("admin", "admin", Forbidden), ("member", "viewer", Forbidden), ("owner", "owner", Conflict),
])
def test_given_actor_and_target_when_removing_then_allowed_or_refused(actor, target, outcome) -> None:
    if outcome is None:
        check_removal(actor, target)
    else:
        with pytest.raises(outcome):
            check_removal(actor, target)


def test_given_roles_when_inviting_then_only_owner_invites_admins_and_members_cannot_invite() -> None:
    check_invite("owner", "admin")
    check_invite("admin", "member")
    with pytest.raises(Forbidden):
        check_invite("admin", "admin")
    with pytest.raises(Forbidden):
        check_invite("member", "viewer")


def test_given_the_owner_when_leaving_then_conflict_until_transferred() -> None:
    with pytest.raises(Conflict):
        check_leave("owner")
    check_leave("admin")


def test_given_members_when_owner_leaves_then_longest_standing_admin_else_member_inherits() -> None:
    members = [Member(userId="o", role="owner", joinedAt="2024-01-01T00:00:00.000Z"),
               Member(userId="m1", role="member", joinedAt="2024-01-02T00:00:00.000Z"),
               Member(userId="a2", role="admin", joinedAt="2024-03-01T00:00:00.000Z"),
               Member(userId="a1", role="admin", joinedAt="2024-02-01T00:00:00.000Z")]
    assert successor(members, "o").userId == "a1"
    assert successor([m for m in members if m.role != "admin"], "o").userId == "m1"
    assert successor([members[0], Member(userId="v", role="viewer", joinedAt="x")], "o") is None


def test_given_a_start_date_when_saving_then_offsets_count_days_from_it() -> None:
    dues = [datetime(2024, 5, 3, 15, tzinfo=UTC), None, datetime(2024, 5, 1, 23, 59, tzinfo=UTC)]
    assert due_offsets(date(2024, 5, 1), dues) == [2, None, 0]


def test_given_no_start_date_when_saving_then_offsets_count_from_the_earliest_due_date() -> None:
    dues = [datetime(2024, 5, 10, tzinfo=UTC), datetime(2024, 5, 7, 8, tzinfo=UTC)]
    assert due_offsets(None, dues) == [3, 0]
    assert due_offsets(None, [None, None]) == [None, None]


def test_given_an_offset_when_instantiating_then_due_at_is_start_plus_offset_at_midnight_utc() -> None:
    assert due_at(date(2024, 2, 27), 3) == datetime(2024, 3, 1, tzinfo=UTC)
    assert due_at(date(2024, 2, 27), None) is None


def test_given_the_builtin_sprint_then_planning_six_dev_tasks_review_retro_over_two_weeks() -> None:
    sprint = BUILTIN_TEMPLATES["sprint"]
    titles = [t.title for t in sprint.tasks]
    assert titles[0] == "Sprint planning" and titles[-2:] == ["Sprint review", "Sprint retrospective"]
    assert sum(t.startswith("Development") for t in titles) == 6
    assert [t.dueOffsetDays for t in sprint.tasks] == [0, 3, 5, 7, 9, 11, 13, 13, 13]
    assert [t.estimateMinutes for t in sprint.tasks] == [90, *[240] * 6, 60, 60]
    # planning blocks each development task, which all block the review, which blocks the retrospective
    assert [(d.task, d.dependsOn, d.type) for d in sprint.dependencies] == [
        *[(i, 0, "blocks") for i in range(1, 7)], *[(7, i, "blocks") for i in range(1, 7)], (8, 7, "blocks")]
    assert set(BUILTIN_TEMPLATES) == {"sprint", "study-plan", "writing-project"}


def test_given_the_builtin_study_plan_and_writing_project_then_their_steps_fall_on_fixed_days() -> None:
    study, writing = BUILTIN_TEMPLATES["study-plan"], BUILTIN_TEMPLATES["writing-project"]

    assert [t.dueOffsetDays for t in study.tasks] == [0, 2, 4, 6, 8, 10, 12, 13]
    assert [t.estimateMinutes for t in study.tasks][1:] == [90, 90, 90, 90, 90, 120, 90]
    assert [(t.title, t.dueOffsetDays, t.estimateMinutes) for t in writing.tasks] == [
        ("Outline", 0, 60), ("Research", 3, 180), ("First draft", 10, 480), ("Revise", 14, 240),
        ("Proofread and publish", 17, 90)]
    for template in (study, writing):  # each step waits for the one before
        steps = range(1, len(template.tasks))
        assert [(d.task, d.dependsOn) for d in template.dependencies] == [(i, i - 1) for i in steps]


def test_given_task_writes_when_packed_then_no_transaction_exceeds_100_and_no_task_is_split() -> None:
    # Given 30 tasks of 7 actions each (task, tokens, due pointer, version, event) after a 3-action project
    groups = [[{"n": f"{task}-{action}"} for action in range(7)] for task in range(30)]
    # When packed
    batches = in_transactions(groups, first_room=97)
    # Then every group stays whole and in order, the first batch leaves room for the project
    assert [len(b) for b in batches] == [91, 98, 21]
    assert [item for batch in batches for item in batch] == [item for group in groups for item in group]
    assert all(len({item["n"].split("-")[0] for item in batch}) * 7 == len(batch) for batch in batches)


@pytest.mark.parametrize(("check", "problem", "detail"), [
    (lambda: check_invite("member", "viewer"), Forbidden, "your role (member) may not invite"),
    (lambda: check_invite(None, "viewer"), Forbidden, "your role (None) may not invite"),
    (lambda: check_invite("admin", "admin"), Forbidden, "only the owner may make admins"),
    (lambda: check_role_change("member", "viewer", "member"), Forbidden, "your role (member) may not change roles"),
    (lambda: check_role_change("admin", "owner", "member"), Conflict, "the owner role moves only by transfer"),
    (lambda: check_role_change("admin", "member", "admin"), Forbidden, "only the owner may make or demote admins"),
    (lambda: check_removal("viewer", "member"), Forbidden, "your role (viewer) may not remove members"),
    (lambda: check_removal("owner", "owner"), Conflict, "the owner cannot be removed; transfer the project first"),
    (lambda: check_removal("admin", "admin"), Forbidden, "only the owner may remove admins"),
    (lambda: check_leave("owner"), Conflict, "the owner must transfer the project before leaving"),
])
def test_given_a_refused_membership_change_then_the_problem_tells_the_member_why(
    check: Callable[[], None], problem: type[Exception], detail: str
) -> None:
    with pytest.raises(problem) as refused:
        check()

    assert refused.value.detail == detail  # type: ignore[attr-defined]

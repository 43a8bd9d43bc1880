"""Projects and their members through the use cases, over an in-memory repository: who may do what,
what is stored, and the events every change emits."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from deepiri_common.clock import utc_now
from deepiri_common.problems import Conflict, Forbidden, NotFound
from deepiri_tasks.logic import members as m
from deepiri_tasks.logic import projects as p
from deepiri_tasks.models.projects import InvitationCreate, Project, ProjectCreate, ProjectPatch
from tests.unit.tasks_projects.fakes import JOINED, MemoryDirectory, MemoryProjects, launch_project

STAMP = "2026-03-01T12:00:00.000Z"
PEOPLE = MemoryDirectory("olga", "adam", "mia", "vic", "ann", "bea")


def _world() -> tuple[MemoryProjects, Any]:
    return launch_project(adam="admin", mia="member", vic="viewer")


def test_given_a_new_project_then_its_creator_owns_it_and_project_created_is_emitted() -> None:
    store, repo = _world()
    before = utc_now().isoformat()[:19]

    project = p.create_project(repo, "ada", ProjectCreate(name="Thesis", description="d", startDate=date(2026, 4, 1)))

    assert (project.name, project.description, project.startDate) == ("Thesis", "d", date(2026, 4, 1))
    assert (project.ownerId, project.role, project.archived, project.version) == ("ada", "owner", False, 1)
    assert project.createdAt == project.updatedAt and project.createdAt[:19] >= before
    assert store.role_of(project.id, "ada") == "owner"
    assert store.events[-1].detail_type == "ProjectCreated"
    assert store.events[-1].detail.data == {"projectId": project.id, "name": "Thesis", "ownerId": "ada"}
    assert store.events[-1].detail.actor == "ada"


def test_given_members_when_reading_then_each_sees_their_role_and_strangers_get_404() -> None:
    _, repo = _world()

    assert p.get_project(repo, "vic", "P1").role == "viewer"
    assert p.get_project(repo, "olga", "P1").role == "owner"
    with pytest.raises(NotFound) as hidden:
        p.get_project(repo, "zoe", "P1")
    assert hidden.value.detail == "no such project"


def test_given_a_membership_of_a_vanished_project_then_reading_it_is_404() -> None:
    store, repo = _world()
    del store.projects["P1"]

    with pytest.raises(NotFound, match="no such project"):
        p.get_project(repo, "olga", "P1")


def test_given_a_user_when_listing_then_their_projects_page_with_the_cursor() -> None:
    store, repo = _world()

    page = p.list_projects(repo, "mia", 10, "c1")

    assert [(x.id, x.role) for x in page.items] == [("P1", "member")] and page.nextCursor is None
    assert store.calls[-1] == ("projects_of", "mia", 10, "c1")


def test_given_an_admin_when_editing_then_named_fields_change_at_the_next_version() -> None:
    store, repo = _world()

    updated = p.update_project(repo, "adam", "P1", ProjectPatch(version=1, description="new", name=None))

    assert (updated.name, updated.description, updated.version) == ("Launch", "new", 2)
    assert store.projects["P1"].version == 2 and updated.updatedAt != STAMP
    assert store.events[-1].detail.data == {"projectId": "P1", "version": 2, "changed": ["description"]}


def test_given_a_member_when_editing_then_403_names_their_role() -> None:
    _, repo = _world()

    with pytest.raises(Forbidden) as refused:
        p.update_project(repo, "mia", "P1", ProjectPatch(version=1, name="x"))

    assert refused.value.detail == "your role (member) may not edit the project"


@pytest.mark.parametrize(("archived", "detail_type"), [(True, "ProjectArchived"), (False, "ProjectUnarchived")])
def test_given_an_admin_when_archiving_or_not_then_the_project_says_so_and_the_event_follows(
    archived: bool, detail_type: str
) -> None:
    store, repo = _world()

    project = p.set_archived(repo, "adam", "P1", archived)

    assert project.archived is archived and project.role == "admin"
    assert store.events[-1].detail_type == detail_type
    assert store.events[-1].detail.data == {"projectId": "P1", "archived": archived}
    with pytest.raises(Forbidden):
        p.set_archived(repo, "mia", "P1", archived)


def test_given_the_owner_when_deleting_then_project_deleted_names_every_member() -> None:
    store, repo = _world()

    with pytest.raises(Forbidden, match=r"your role \(admin\) may not delete the project"):
        p.delete_project(repo, "adam", "P1")
    p.delete_project(repo, "olga", "P1")

    assert "P1" not in store.projects
    event = store.events[-1]
    assert (event.detail_type, event.detail.actor) == ("ProjectDeleted", "olga")
    assert event.detail.data == {"projectId": "P1", "ownerId": "olga", "memberIds": ["adam", "mia", "olga", "vic"]}


def test_given_the_system_when_deleting_then_no_role_is_needed_and_the_actor_is_named() -> None:
    store, repo = _world()

    p.delete_project(repo, None, "P1", actor="consumer:users")

    assert store.events[-1].detail.actor == "consumer:users"
    assert store.calls[-1] == ("delete", "P1", None)
    with pytest.raises(NotFound):
        p.delete_project(repo, None, "P1")


def test_given_the_system_without_an_actor_then_the_event_names_the_system() -> None:
    store, repo = _world()

    p.delete_project(repo, None, "P1")

    assert store.events[-1].detail.actor == "system"


# ------------------------------------------------------------------ members


def test_given_an_admin_when_inviting_then_the_invitation_names_project_role_and_inviter() -> None:
    store, repo = _world()

    invitation = m.invite(repo, PEOPLE, "adam", "P1", InvitationCreate(userId="bea", role="member"))

    assert (invitation.projectId, invitation.projectName, invitation.userId) == ("P1", "Launch", "bea")
    assert (invitation.role, invitation.invitedBy) == ("member", "adam")
    assert store.invitation("P1", "bea") == invitation
    assert m.my_invitations(repo, "bea", 5, None).items == [invitation]
    assert store.calls[-1] == ("invitations_of", "bea", 5, None)


def test_given_an_invitation_when_accepted_then_the_user_is_a_member_with_its_role() -> None:
    store, repo = _world()
    m.invite(repo, PEOPLE, "olga", "P1", InvitationCreate(userId="bea", role="admin"))

    member = m.accept(repo, "bea", "P1")

    assert (member.userId, member.role, member.joinedAt) == ("bea", "admin", JOINED)
    assert store.invitation("P1", "bea") is None
    assert store.events[-1].detail_type == "MemberAdded"
    assert store.events[-1].detail.data == {"projectId": "P1", "userId": "bea", "role": "admin"}


def test_given_no_invitation_when_accepting_then_404() -> None:
    _, repo = _world()

    with pytest.raises(NotFound) as missing:
        m.accept(repo, "bea", "P1")
    assert missing.value.detail == "no such invitation"


def test_given_an_invitation_accepted_into_a_vanished_membership_then_404() -> None:
    store, repo = _world()
    m.invite(repo, PEOPLE, "olga", "P1", InvitationCreate(userId="bea", role="member"))
    store.member = lambda project_id, user_id: None  # type: ignore[method-assign]

    with pytest.raises(NotFound, match="no such project"):
        m.accept(repo, "bea", "P1")


def test_given_an_invitation_when_declined_then_it_is_gone() -> None:
    store, repo = _world()
    m.invite(repo, PEOPLE, "olga", "P1", InvitationCreate(userId="bea", role="member"))

    m.decline(repo, "bea", "P1")

    assert store.invitation("P1", "bea") is None


def test_given_members_when_listed_then_members_see_them_and_strangers_get_404() -> None:
    store, repo = _world()

    page = m.list_members(repo, "vic", "P1", 2, "c")

    assert [x.userId for x in page.items] == ["adam", "mia"]
    assert store.calls[-1] == ("members_page", "P1", 2, "c")
    with pytest.raises(NotFound):
        m.list_members(repo, "zoe", "P1", 2, None)


def test_given_an_admin_when_changing_a_members_role_then_admins_may_act_and_the_event_says_from_what() -> None:
    store, repo = _world()

    member = m.change_role(repo, "adam", "P1", "mia", "viewer")

    assert (member.userId, member.role) == ("mia", "viewer")
    assert store.calls[-1] == ("change_role", "P1", "mia", "member", "viewer", "adam", ("owner", "admin"))
    assert store.events[-1].detail.data == {"projectId": "P1", "userId": "mia", "oldRole": "member",
                                            "newRole": "viewer"}


def test_given_the_owner_when_making_an_admin_then_only_the_owner_may_be_the_acting_role() -> None:
    store, repo = _world()

    m.change_role(repo, "olga", "P1", "mia", "admin")

    assert store.calls[-1][-1] == ("owner",)


def test_given_the_same_role_when_changing_then_nothing_is_written() -> None:
    store, repo = _world()

    assert m.change_role(repo, "adam", "P1", "mia", "member").role == "member"
    assert store.events == []


def test_given_an_unknown_member_when_changing_or_removing_then_404_says_no_such_member() -> None:
    _, repo = _world()

    for action in (lambda: m.change_role(repo, "adam", "P1", "bea", "viewer"),
                   lambda: m.remove_member(repo, "adam", "P1", "bea"),
                   lambda: m.transfer(repo, "olga", "P1", "bea")):
        with pytest.raises(NotFound) as missing:
            action()
        assert missing.value.detail == "no such member"


@pytest.mark.parametrize(("actor", "target", "acting"), [("adam", "mia", ("owner", "admin")),
                                                         ("olga", "adam", ("owner",))])
def test_given_a_removal_then_the_member_goes_and_the_acting_roles_follow_the_targets_rank(
    actor: str, target: str, acting: tuple[str, ...]
) -> None:
    store, repo = _world()
    role = store.role_of("P1", target)

    m.remove_member(repo, actor, "P1", target)

    assert store.role_of("P1", target) is None
    assert store.calls[-1] == ("remove_member", "P1", target, role, actor, acting)
    assert store.events[-1].detail.data == {"projectId": "P1", "userId": target, "reason": "removed"}
    assert store.events[-1].detail.actor == actor


def test_given_a_member_removing_themselves_then_they_leave() -> None:
    store, repo = _world()

    m.remove_member(repo, "mia", "P1", "mia")

    assert store.calls[-1] == ("remove_member", "P1", "mia", "member", None, ())
    assert store.events[-1].detail.data == {"projectId": "P1", "userId": "mia", "reason": "left"}


def test_given_a_member_leaving_for_a_reason_then_the_event_carries_it() -> None:
    store, repo = _world()

    m.leave(repo, "vic", "P1", reason="userDeleted")

    assert store.events[-1].detail.data["reason"] == "userDeleted"
    with pytest.raises(Conflict, match="must transfer"):
        m.leave(repo, "olga", "P1")


def test_given_the_owner_when_transferring_then_the_new_owner_owns_and_the_old_one_is_admin() -> None:
    store, repo = _world()

    member = m.transfer(repo, "olga", "P1", "mia")

    assert (member.userId, member.role) == ("mia", "owner")
    assert (store.role_of("P1", "mia"), store.role_of("P1", "olga")) == ("owner", "admin")
    assert [e.detail.data for e in store.events[-2:]] == [
        {"projectId": "P1", "userId": "mia", "oldRole": "member", "newRole": "owner"},
        {"projectId": "P1", "userId": "olga", "oldRole": "owner", "newRole": "admin"},
    ]
    assert {e.detail.actor for e in store.events[-2:]} == {"olga"}


def test_given_a_transfer_to_oneself_or_by_an_admin_then_it_is_refused() -> None:
    _, repo = _world()

    with pytest.raises(Conflict) as refused:
        m.transfer(repo, "olga", "P1", "olga")
    assert refused.value.detail == "you already own the project"
    with pytest.raises(Forbidden, match=r"your role \(admin\) may not transfer the project"):
        m.transfer(repo, "adam", "P1", "mia")


def test_given_writes_then_the_repository_is_told_who_acted() -> None:
    store, repo = _world()

    p.update_project(repo, "adam", "P1", ProjectPatch(version=1, description="only this"))
    p.set_archived(repo, "olga", "P1", True)
    p.delete_project(repo, "olga", "P1")

    assert ("update", "P1", 1, "adam") in store.calls
    assert ("set_archived", "P1", True, "olga") in store.calls
    assert store.calls[-1] == ("delete", "P1", "olga")
    assert store.events[0].detail.data["changed"] == ["description"]


def test_given_a_page_of_projects_then_its_cursor_is_passed_on() -> None:
    store, repo = _world()
    store.add(Project(id="P2", name="Two", ownerId="mia", version=1, createdAt=STAMP, updatedAt=STAMP))

    assert p.list_projects(repo, "mia", 1, None).nextCursor == "next"


def test_given_a_vanished_project_when_deleting_then_404_says_so() -> None:
    store, repo = _world()
    del store.projects["P1"]

    with pytest.raises(NotFound) as missing:
        p.delete_project(repo, "olga", "P1")
    assert missing.value.detail == "no such project"


def test_given_an_admin_then_they_may_neither_invite_admins_nor_re_role_an_admin() -> None:
    store, repo = _world()
    store.roles["P1"]["ann"] = "admin"

    with pytest.raises(Forbidden, match="only the owner may make admins"):
        m.invite(repo, PEOPLE, "adam", "P1", InvitationCreate(userId="bea", role="admin"))
    with pytest.raises(Forbidden, match="only the owner may make or demote admins"):
        m.change_role(repo, "adam", "P1", "ann", "member")
    with pytest.raises(Forbidden, match="only the owner may make or demote admins"):
        m.change_role(repo, "adam", "P1", "mia", "admin")
    assert store.events == []

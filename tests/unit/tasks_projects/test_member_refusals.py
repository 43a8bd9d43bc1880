"""Member use cases that refuse, with the exact detail a client reads, and the invitation page a client
asks for by its cursor."""

from __future__ import annotations

from typing import Any

import pytest

from deepiri_common.problems import Conflict, Forbidden, NotFound
from deepiri_tasks.logic import members as m
from deepiri_tasks.models.projects import InvitationCreate
from tests.unit.tasks_projects.fakes import MemoryDirectory, MemoryProjects, launch_project

STAMP = "2026-03-01T12:00:00.000Z"


def _world() -> tuple[MemoryProjects, Any]:
    return launch_project(adam="admin", abel="admin", mia="member")


def test_given_an_owner_inviting_themselves_then_409_says_they_are_a_member_already() -> None:
    _, repo = _world()

    with pytest.raises(Conflict) as refused:
        m.invite(repo, MemoryDirectory("olga"), "olga", "P1", InvitationCreate(userId="olga", role="member"))
    assert refused.value.detail == "the user is already a member of the project"


def test_given_an_invitation_accepted_into_a_vanished_project_then_404_names_the_project() -> None:
    store, repo = _world()
    m.invite(repo, MemoryDirectory("olga", "bea"), "olga", "P1", InvitationCreate(userId="bea", role="member"))
    store.member = lambda project_id, user_id: None  # type: ignore[method-assign]

    with pytest.raises(NotFound) as missing:
        m.accept(repo, "bea", "P1")
    assert missing.value.detail == "no such project"


def test_given_a_cursor_when_listing_my_invitations_then_the_page_after_it_is_asked_for() -> None:
    store, repo = _world()

    m.my_invitations(repo, "bea", 10, "cursor-of-page-2")

    assert store.calls[-1] == ("invitations_of", "bea", 10, "cursor-of-page-2")


@pytest.mark.parametrize(("target", "refusal", "detail"), [
    ("abel", Forbidden, "only the owner may remove admins"),
    ("olga", Conflict, "the owner cannot be removed; transfer the project first"),
])
def test_given_an_admin_removing_another_admin_or_the_owner_then_it_is_refused_and_they_stay(
        target: str, refusal: type[Exception], detail: str) -> None:
    store, repo = _world()
    role = store.role_of("P1", target)

    with pytest.raises(refusal) as refused:
        m.remove_member(repo, "adam", "P1", target)
    assert refused.value.detail == detail  # type: ignore[attr-defined]
    assert store.role_of("P1", target) == role

"""Who may be invited to a project: the tasks service's users directory, fed by the users service's events,
decides; a stranger, a deleted user and a user with a block either way all get the same 404."""

from __future__ import annotations

from typing import cast

import pytest

from deepiri_common.problems import Conflict, NotFound
from deepiri_tasks.dal.projects import ProjectRepository
from deepiri_tasks.logic import directory
from deepiri_tasks.logic import members as m
from deepiri_tasks.models.projects import InvitationCreate, Project
from tests.unit.tasks_projects.fakes import MemoryDirectory, MemoryProjects

STAMP = "2026-03-01T12:00:00.000Z"
EARLY = directory.event_order("2026-03-01T12:00:00.000Z", "01JAAAAAAAAAAAAAAAAAAAAAAA")
LATE = directory.event_order("2026-03-01T12:00:00.001Z", "01JAAAAAAAAAAAAAAAAAAAAAAA")


def _world(*users: str) -> tuple[MemoryProjects, MemoryDirectory]:
    store = MemoryProjects()
    store.add(Project(id="P1", name="Launch", ownerId="olga", version=1, createdAt=STAMP, updatedAt=STAMP))
    return store, MemoryDirectory("olga", *users)


def _invite(store: MemoryProjects, people: MemoryDirectory, user_id: str) -> None:
    m.invite(cast(ProjectRepository, store), people, "olga", "P1", InvitationCreate(userId=user_id))


def _refusal(store: MemoryProjects, people: MemoryDirectory, user_id: str) -> str:
    with pytest.raises(NotFound) as refused:
        _invite(store, people, user_id)
    return str(refused.value.detail)


def test_given_a_known_user_with_no_block_when_invited_then_the_invitation_is_stored() -> None:
    store, people = _world("bea")
    _invite(store, people, "bea")
    assert store.invitation("P1", "bea") is not None


def test_given_a_stranger_a_deleted_user_or_a_block_either_way_then_the_same_404_and_nothing_stored() -> None:
    store, people = _world("gone", "hater", "hated")
    people.forget("gone")
    directory.block_changed(people, "hater", "olga", blocking=True, at=EARLY)
    directory.block_changed(people, "olga", "hated", blocking=True, at=EARLY)

    answers = {user: _refusal(store, people, user) for user in ("nobody", "gone", "hater", "hated")}

    assert answers == {user: f"user {user} not found" for user in answers}
    assert store.invites == {}


def test_given_a_block_lifted_when_invited_then_accepted() -> None:
    store, people = _world("bea")
    directory.block_changed(people, "bea", "olga", blocking=True, at=EARLY)
    directory.block_changed(people, "bea", "olga", blocking=False, at=LATE)
    _invite(store, people, "bea")
    assert store.invitation("P1", "bea") is not None


def test_given_self_invitation_then_409_before_the_directory_is_asked() -> None:
    store, _ = _world()
    with pytest.raises(Conflict):
        m.invite(cast(ProjectRepository, store), MemoryDirectory(), "olga", "P1", InvitationCreate(userId="olga"))
    assert store.invites == {}


def test_given_events_at_the_same_instant_then_the_order_follows_the_event_id() -> None:
    first = directory.event_order(STAMP, "01JAAAAAAAAAAAAAAAAAAAAAAA")
    second = directory.event_order(STAMP, "01JAAAAAAAAAAAAAAAAAAAAAAB")
    assert first < second < LATE


def test_given_a_registration_twice_then_the_second_changes_nothing() -> None:
    people = MemoryDirectory()
    assert directory.user_registered(people, "bea") is True
    assert directory.user_registered(people, "bea") is False
    assert people.exists("bea")

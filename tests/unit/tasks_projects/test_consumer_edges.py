"""Edges of the tasks consumer: every pending invitation of a deleted user goes, however many pages they
fill; an imported description is kept; a create lost to a concurrent delivery updates the task that
delivery made; a later import is one new version, at its own time, conditioned on the version it read."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import cast

import pytest

from deepiri_common.events import DomainEvent
from deepiri_common.problems import PreconditionFailed
from deepiri_tasks.dal.consumers import TaskMaintenance
from deepiri_tasks.dal.projects import ProjectRepository
from deepiri_tasks.logic import consumers
from deepiri_tasks.models.consumers import IntegrationItemImportedData
from deepiri_tasks.models.projects import Invitation, InvitationPage
from deepiri_tasks.models.tasks import Task, TaskVersion
from tests.unit.tasks_projects.fakes import MemoryDirectory, MemoryProjects
from tests.unit.tasks_projects.test_consumer_rules import Maintenance

STAMP = "2026-03-01T12:00:00.000Z"
IMPORTED_AT = datetime(2026, 5, 1, 8, 0, tzinfo=UTC)
UPDATED_AT = datetime(2026, 5, 2, 8, 0, tzinfo=UTC)


class VersionedMaintenance(Maintenance):
    """Writes an update only over the version it was read at, as the table's condition does (412)."""

    def update_imported(self, before: Task, after: Task, record: TaskVersion, events: list[DomainEvent]) -> None:
        stored = self.tasks.get(after.id)
        if before is None or stored is None or stored.version != before.version:
            raise PreconditionFailed("stale version")
        super().update_imported(before, after, record, events)


class RacedMaintenance(Maintenance):
    """A create refused because a concurrent delivery of the item's previous state created ``RACED`` first."""

    def create_imported(self, task: Task, provider: str, record: TaskVersion, events: list[DomainEvent]) -> bool:
        self.imported[(provider, task.externalRef or "")] = "RACED"
        self.tasks["RACED"] = task.model_copy(update={"id": "RACED", "title": "Fix login"})
        return False


def _item(**fields: object) -> IntegrationItemImportedData:
    return IntegrationItemImportedData.model_validate({"userId": "ada", "provider": "github",
                                                      "externalRef": "repo#7", "title": "Fix login", **fields})


def test_given_a_deleted_user_with_more_invitations_than_a_page_then_every_one_is_declined() -> None:
    store = MemoryProjects()
    for n in range(250):
        store.invites[(f"P{n:03}", "ola")] = Invitation(projectId=f"P{n:03}", projectName="p", userId="ola",
                                                        role="member", invitedBy="zed", invitedAt=STAMP)
    store.invites[("P000", "mia")] = Invitation(projectId="P000", projectName="p", userId="mia", role="member",
                                                invitedBy="zed", invitedAt=STAMP)

    consumers.user_deleted(cast(ProjectRepository, store), cast(TaskMaintenance, Maintenance()),
                           MemoryDirectory("ola"), "ola")

    assert list(store.invites) == [("P000", "mia")]


class LaggingInvitations(MemoryProjects):
    """Declines that the invitee index does not show yet (a GSI is eventually consistent): the listing
    still holds a declined invitation, so only its cursor moves a reader on."""

    def __init__(self) -> None:
        super().__init__()
        self.declined: list[str] = []
        self.listings = 0

    def invitations_of(self, user_id: str, limit: int, cursor: str | None) -> InvitationPage:
        self.listings += 1
        assert self.listings <= 10, "the invitations were listed from the top again and again"
        return super().invitations_of(user_id, limit, cursor)

    def decline(self, project_id: str, user_id: str) -> None:
        self.declined.append(project_id)


def test_given_an_index_that_lags_behind_declines_then_each_invitation_is_declined_once_page_after_page() -> None:
    store = LaggingInvitations()
    for n in range(250):
        store.invites[(f"P{n:03}", "ola")] = Invitation(projectId=f"P{n:03}", projectName="p", userId="ola",
                                                        role="member", invitedBy="zed", invitedAt=STAMP)

    consumers.user_deleted(cast(ProjectRepository, store), cast(TaskMaintenance, Maintenance()),
                           MemoryDirectory("ola"), "ola")

    assert store.declined == [f"P{n:03}" for n in range(250)]
    assert store.listings == 3


def test_given_an_imported_item_with_a_description_then_the_task_keeps_it() -> None:
    tasks = Maintenance()

    consumers.integration_item_imported(cast(TaskMaintenance, tasks), _item(description="Steps in the issue"))

    (task,) = tasks.tasks.values()
    assert (task.title, task.description) == ("Fix login", "Steps in the issue")


def test_given_a_create_lost_to_a_concurrent_delivery_then_the_task_it_made_is_updated() -> None:
    tasks = RacedMaintenance()

    outcome = consumers.integration_item_imported(cast(TaskMaintenance, tasks), _item(title="Fix login page"))

    assert outcome == "updated"
    assert [(t.id, t.title, t.version) for t in tasks.tasks.values()] == [("RACED", "Fix login page", 2)]
    assert [kind for kind, _, _ in tasks.writes] == ["update"]


def test_given_a_later_import_then_it_is_one_version_at_its_own_time_over_the_version_read(
        monkeypatch: pytest.MonkeyPatch) -> None:
    tasks = VersionedMaintenance()
    monkeypatch.setattr(consumers, "utc_now", lambda: IMPORTED_AT)
    consumers.integration_item_imported(cast(TaskMaintenance, tasks), _item(description="old"))
    monkeypatch.setattr(consumers, "utc_now", lambda: UPDATED_AT)

    assert consumers.integration_item_imported(cast(TaskMaintenance, tasks), _item(title="Fix login page",
                                                                                   description="old")) == "updated"

    (task,) = tasks.tasks.values()
    assert (task.title, task.version, task.createdAt, task.updatedAt) == ("Fix login page", 2, IMPORTED_AT,
                                                                          UPDATED_AT)
    kind, record, _ = tasks.writes[-1]
    assert (kind, record.version, record.at) == ("update", 2, UPDATED_AT)
    assert {name: (change.old, change.new) for name, change in record.changes.items()} == {
        "title": ("Fix login", "Fix login page")}

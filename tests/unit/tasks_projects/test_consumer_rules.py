"""What the tasks service does with other services' events: a deleted user's projects pass on or go,
imported items become tasks once and follow later imports, a deleted project's tasks become personal."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, cast

import pytest

from deepiri_common.events import DomainEvent
from deepiri_common.problems import Conflict
from deepiri_tasks.dal.consumers import TaskMaintenance
from deepiri_tasks.dal.projects import ProjectRepository
from deepiri_tasks.logic import consumers
from deepiri_tasks.models.consumers import IntegrationItemImportedData
from deepiri_tasks.models.projects import Invitation, Member, Project
from deepiri_tasks.models.tasks import Task, TaskVersion
from tests.unit.tasks_projects.fakes import MemoryDirectory, MemoryProjects

STAMP = "2026-03-01T12:00:00.000Z"


class Maintenance:
    """A TaskMaintenance over task items (``pk``, ``ownerId``, ``projectId``) and imported tasks."""

    def __init__(self, **items: tuple[str, str | None]) -> None:
        self.items = {tid: {"pk": {"S": f"TASK#{tid}"}, "ownerId": {"S": owner},
                            **({"projectId": {"S": project}} if project else {})}
                      for tid, (owner, project) in items.items()}
        self.purged: list[str] = []
        self.detached: list[tuple[str, str]] = []
        self.imported: dict[tuple[str, str], str] = {}
        self.tasks: dict[str, Task] = {}
        self.writes: list[tuple[str, TaskVersion, list[DomainEvent]]] = []
        self.refuse_create = False

    def scope_task_items(self, scope: str) -> list[dict[str, Any]]:
        kind, _, key = scope.partition("#")
        if kind == "OWNER":
            return [i for i in self.items.values() if i["ownerId"]["S"] == key and "projectId" not in i]
        return [i for i in self.items.values() if i.get("projectId", {}).get("S") == key]

    def purge_task(self, task_id: str) -> None:
        self.purged.append(task_id)
        self.items.pop(task_id, None)

    def detach(self, item: dict[str, Any], project_id: str) -> bool:
        self.detached.append((item["pk"]["S"], project_id))
        return item["pk"]["S"] != "TASK#ALREADY"

    def imported_task_id(self, provider: str, external_ref: str) -> str | None:
        return self.imported.get((provider, external_ref))

    def task(self, task_id: str) -> Task | None:
        return self.tasks.get(task_id)

    def create_imported(self, task: Task, provider: str, record: TaskVersion, events: list[DomainEvent]) -> bool:
        if self.refuse_create:
            return False
        self.imported[(provider, task.externalRef or "")] = task.id
        self.tasks[task.id] = task
        self.writes.append(("create", record, events))
        return True

    def update_imported(self, before: Task, after: Task, record: TaskVersion, events: list[DomainEvent]) -> None:
        self.tasks[after.id] = after
        self.writes.append(("update", record, events))


def _member(user: str, role: str, joined: str) -> Member:
    return Member.model_validate({"userId": user, "role": role, "joinedAt": joined})


def test_given_members_then_the_longest_standing_admin_inherits_else_a_member_never_a_viewer() -> None:
    team = [_member("ola", "owner", "1"), _member("vic", "viewer", "0"), _member("mia", "member", "1"),
            _member("max", "member", "1"), _member("ann", "admin", "5"), _member("abe", "admin", "3")]

    assert consumers.successor(team, "ola").userId == "abe"  # type: ignore[union-attr]
    assert consumers.successor(team[:5], "ola").userId == "ann"  # type: ignore[union-attr]
    assert consumers.successor(team[:4], "ola").userId == "max"  # type: ignore[union-attr]  # same day: by id
    assert consumers.successor(team[:2], "ola") is None
    assert consumers.successor([_member("ann", "admin", "1")], "ann") is None


def _projects() -> MemoryProjects:
    store = MemoryProjects()
    store.add(Project(id="KEEP", name="k", ownerId="ola", version=1, createdAt=STAMP, updatedAt=STAMP),
              mia="member", vic="viewer")
    store.add(Project(id="SOLO", name="s", ownerId="ola", version=1, createdAt=STAMP, updatedAt=STAMP),
              vic="viewer")
    store.add(Project(id="OTHER", name="o", ownerId="zed", version=1, createdAt=STAMP, updatedAt=STAMP),
              ola="member")
    store.invites[("X", "ola")] = Invitation(projectId="X", projectName="x", userId="ola", role="member",
                                             invitedBy="zed", invitedAt=STAMP)
    return store


def test_given_a_deleted_user_then_invitations_go_personal_tasks_are_purged_and_projects_pass_on_or_go() -> None:
    store = _projects()
    people = MemoryDirectory("ola", "mia")
    tasks = Maintenance(own=("ola", None), mine_in_solo=("ola", "SOLO"), vics=("vic", "SOLO"), other=("mia", None))

    consumers.user_deleted(cast(ProjectRepository, store), cast(TaskMaintenance, tasks), people, "ola")

    assert not people.exists("ola") and people.exists("mia")
    assert people.register("ola") is False  # a late UserRegistered does not bring the user back
    assert store.invites == {}
    assert sorted(tasks.purged) == ["mine_in_solo", "own"]
    assert store.roles["KEEP"] == {"mia": "owner", "vic": "viewer"}  # mia inherited, ola left
    assert "SOLO" not in store.projects  # only a viewer was left: deleted
    assert store.roles["OTHER"] == {"zed": "owner"}
    changes = [e.detail.data for e in store.events if e.detail_type == "MemberRoleChanged"]
    assert changes == [{"projectId": "KEEP", "userId": "mia", "oldRole": "member", "newRole": "owner"},
                       {"projectId": "KEEP", "userId": "ola", "oldRole": "owner", "newRole": "admin"}]
    removed = [e.detail.data for e in store.events if e.detail_type == "MemberRemoved"]
    assert removed == [{"projectId": "KEEP", "userId": "ola", "reason": "userDeleted"},
                       {"projectId": "OTHER", "userId": "ola", "reason": "userDeleted"}]
    deleted = next(e for e in store.events if e.detail_type == "ProjectDeleted")
    assert (deleted.detail.data["projectId"], deleted.detail.actor) == ("SOLO", "ola")
    assert {e.detail.actor for e in store.events} == {"ola"}


def test_given_a_redelivered_user_deletion_then_nothing_fails_twice() -> None:
    store = _projects()
    tasks = Maintenance(own=("ola", None))
    repo, maintenance = cast(ProjectRepository, store), cast(TaskMaintenance, tasks)
    consumers.user_deleted(repo, maintenance, MemoryDirectory(), "ola")

    def gone(*args: object) -> None:
        raise Conflict("already removed")

    store.remove_member = gone  # type: ignore[method-assign]
    store.roles["OTHER"]["ola"] = "member"
    consumers.user_deleted(repo, maintenance, MemoryDirectory(), "ola")  # does not raise


def test_given_a_project_already_deleted_when_its_owner_is_deleted_again_then_it_is_skipped() -> None:
    store = _projects()
    store.projects.pop("SOLO")

    consumers.user_deleted(cast(ProjectRepository, store), cast(TaskMaintenance, Maintenance()), MemoryDirectory(),
                           "ola")

    assert all(e.detail_type != "ProjectDeleted" for e in store.events)


def test_given_a_deleted_project_then_its_tasks_are_detached_and_counted() -> None:
    tasks = Maintenance(a=("mia", "P1"), ALREADY=("mia", "P1"), b=("vic", "P2"))

    assert consumers.project_deleted(cast(TaskMaintenance, tasks), "P1") == 1
    assert sorted(tasks.detached) == [("TASK#ALREADY", "P1"), ("TASK#a", "P1")]


def _item(**fields: object) -> IntegrationItemImportedData:
    return IntegrationItemImportedData.model_validate({"userId": "ada", "provider": "github",
                                                      "externalRef": "repo#7", "title": "Fix login", **fields})


def test_given_a_new_item_then_one_task_is_created_with_its_source_and_history() -> None:
    tasks = Maintenance()
    due = datetime(2026, 4, 1, 12, tzinfo=UTC)

    outcome = consumers.integration_item_imported(cast(TaskMaintenance, tasks),
                                                  _item(description=None, dueAt=due, status="in_progress"))

    assert outcome == "created"
    task = next(iter(tasks.tasks.values()))
    assert (task.ownerId, task.title, task.description, task.status) == ("ada", "Fix login", "", "in_progress")
    assert (task.source, task.externalRef, task.dueAt) == ("github", "repo#7", due)
    kind, record, events = tasks.writes[0]
    assert (kind, record.actor, record.reason) == ("create", "ada", "imported from github")
    assert [e.detail_type for e in events] == ["TaskCreated"] and events[0].detail.actor == "ada"


def test_given_an_unknown_status_then_the_imported_task_is_todo() -> None:
    assert consumers.imported_task(_item(status="Open"), "T1").status == "todo"


def test_given_a_later_import_then_changed_fields_update_the_task_and_identical_ones_change_nothing() -> None:
    tasks = Maintenance()
    m = cast(TaskMaintenance, tasks)
    consumers.integration_item_imported(m, _item())

    assert consumers.integration_item_imported(m, _item(status="done")) == "unchanged"
    assert consumers.integration_item_imported(m, _item(title="Fix login page", description="d")) == "updated"

    task = next(iter(tasks.tasks.values()))
    assert (task.title, task.description, task.version, task.status) == ("Fix login page", "d", 2, "todo")
    kind, record, events = tasks.writes[-1]
    assert (kind, record.reason, record.actor) == ("update", "imported from github", "ada")
    assert events[0].detail.data["changed"] == ["title", "description"]


def test_given_a_task_deleted_by_its_owner_then_an_import_does_not_bring_it_back() -> None:
    tasks = Maintenance()
    consumers.integration_item_imported(cast(TaskMaintenance, tasks), _item())
    tasks.tasks.clear()

    assert consumers.integration_item_imported(cast(TaskMaintenance, tasks), _item(title="new")) == "unchanged"


def test_given_a_create_refused_by_a_concurrent_delivery_then_that_task_is_updated() -> None:
    tasks = Maintenance()
    consumers.integration_item_imported(cast(TaskMaintenance, tasks), _item())
    (provider_ref, task_id), = tasks.imported.items()
    tasks.refuse_create = True
    tasks.imported.clear()

    calls = iter([None, task_id])
    tasks.imported_task_id = lambda provider, ref: next(calls)  # type: ignore[method-assign]

    assert consumers.integration_item_imported(cast(TaskMaintenance, tasks), _item(title="raced")) == "updated"
    assert provider_ref == ("github", "repo#7")


def test_given_a_create_refused_with_no_task_to_show_then_the_queue_retries() -> None:
    tasks = Maintenance()
    tasks.refuse_create = True

    with pytest.raises(Conflict) as retry:
        consumers.integration_item_imported(cast(TaskMaintenance, tasks), _item())
    assert retry.value.detail == "the imported task could not be created; retry"


def test_given_labels_as_tags_and_a_google_item_then_the_task_carries_them_and_a_changed_label_updates_it() -> None:
    tasks = Maintenance()
    m = cast(TaskMaintenance, tasks)

    consumers.integration_item_imported(m, _item(tags=["Bug", "p1"]))
    assert consumers.integration_item_imported(m, _item(tags=["bug", "p1"])) == "unchanged"
    assert consumers.integration_item_imported(m, _item(tags=["bug"])) == "updated"

    task = next(iter(tasks.tasks.values()))
    assert task.tags == ["bug"]
    assert tasks.writes[-1][2][0].detail.data["changed"] == ["tags"]
    assert consumers.imported_task(_item(provider="google", externalRef="cal#ev1"), "T2").source == "google"

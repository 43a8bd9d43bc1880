"""What the tasks service does when other services' events arrive (and on its own ProjectDeleted).

- UserDeleted: the user leaves the directory for good (see ``logic.directory``); pending invitations are
  dropped; personal tasks are purged; each project the user owned passes to its longest-standing admin
  (else member), or is deleted when there is none (the user's own tasks in it are purged first, the
  rest detached by ProjectDeleted); other memberships are removed.
- UserRegistered, UserBlocked, UserUnblocked: kept in the directory (``logic.directory``).
- IntegrationItemImported: one task per (provider, externalRef), written as the core writes any task
  (indexes, search tokens, due pointer, history, TaskCreated / TaskUpdated in the outbox): created with
  its pointer in one transaction, updated (title, description, dueAt, tags) on a later import that changes
  them. A status is applied on creation only: later status changes go through the status machine and
  its events. The user whose integration imported the item is the actor.
- ProjectDeleted: the project's tasks become personal tasks of their owners.

Every step is idempotent, so a redelivered or replayed event changes nothing twice.
"""

from __future__ import annotations

from contextlib import suppress
from typing import get_args

from deepiri_common.clock import utc_now
from deepiri_common.events import DomainEvent
from deepiri_common.ids import new_ulid
from deepiri_common.problems import Conflict, NotFound
from deepiri_tasks.dal.consumers import TaskMaintenance
from deepiri_tasks.dal.projects import ProjectRepository
from deepiri_tasks.logic import tasks_events, versions
from deepiri_tasks.logic.directory import Directory
from deepiri_tasks.logic.projects import delete_project
from deepiri_tasks.models.consumers import IntegrationItemImportedData
from deepiri_tasks.models.projects import SERVICE, Member, MemberRemovedData, MemberRoleChangedData
from deepiri_tasks.models.tasks import Status, Task

SUCCESSOR_ROLES = ("admin", "member")


def successor(members: list[Member], leaving: str) -> Member | None:
    """The longest-standing admin, else the longest-standing member; viewers never inherit."""
    for role in SUCCESSOR_ROLES:
        candidates = sorted((m for m in members if m.role == role and m.userId != leaving),
                            key=lambda m: (m.joinedAt, m.userId))
        if candidates:
            return candidates[0]
    return None


def user_deleted(projects: ProjectRepository, tasks: TaskMaintenance, directory: Directory, user_id: str) -> None:
    directory.forget(user_id)  # first, so no new invitation names the user while the rest is cleaned up
    # the repository reads an empty first cursor as none (equivalent)
    cursor: str | None = None
    while True:  # every page: a user may have more pending invitations than one page holds
        # every page is read by its cursor, so any page size reads them all (equivalent)
        page = projects.invitations_of(user_id, 100, cursor)
        for invitation in page.items:
            projects.decline(invitation.projectId, user_id)
        if page.nextCursor is None:
            break
        cursor = page.nextCursor
    for item in tasks.scope_task_items(f"OWNER#{user_id}"):
        tasks.purge_task(item["pk"]["S"].removeprefix("TASK#"))
    for project_id, role in projects.memberships_of(user_id):
        if role == "owner":
            _hand_over(projects, tasks, project_id, user_id)
        else:
            _remove(projects, project_id, Member(userId=user_id, role=role, joinedAt=""))  # role only (equivalent)


def _hand_over(projects: ProjectRepository, tasks: TaskMaintenance, project_id: str, user_id: str) -> None:
    # the leaving user is the owner, and only admins then members inherit: naming nobody is equivalent
    heir = successor(projects.members(project_id), user_id)
    if heir is None:
        for item in tasks.scope_task_items(f"PROJECT#{project_id}"):
            # every task item has ownerId (a required field, and whole items are answered): equivalent defaults
            if item.get("ownerId", {}).get("S") == user_id:
                tasks.purge_task(item["pk"]["S"].removeprefix("TASK#"))
        with suppress(NotFound):  # already gone: a redelivery
            delete_project(projects, None, project_id, actor=user_id)
        return
    events = [
        DomainEvent.new(SERVICE, "MemberRoleChanged", MemberRoleChangedData(
            projectId=project_id, userId=heir.userId, oldRole=heir.role, newRole="owner"), actor=user_id),
        DomainEvent.new(SERVICE, "MemberRoleChanged", MemberRoleChangedData(
            projectId=project_id, userId=user_id, oldRole="owner", newRole="admin"), actor=user_id),
    ]
    projects.transfer(project_id, user_id, heir, events)
    _remove(projects, project_id, Member(userId=user_id, role="admin", joinedAt=""))  # role only (equivalent)


def _remove(projects: ProjectRepository, project_id: str, member: Member) -> None:
    data = MemberRemovedData(projectId=project_id, userId=member.userId, reason="userDeleted")
    with suppress(Conflict):  # the membership is already gone or changed: nothing left to remove
        projects.remove_member(project_id, member, None, (),
                               DomainEvent.new(SERVICE, "MemberRemoved", data, actor=member.userId))


def project_deleted(tasks: TaskMaintenance, project_id: str) -> int:
    """Detach the project's tasks; returns how many changed."""
    return sum(tasks.detach(item, project_id) for item in tasks.scope_task_items(f"PROJECT#{project_id}"))


def imported_task(data: IntegrationItemImportedData, task_id: str) -> Task:
    now = utc_now()
    status = data.status if data.status in get_args(Status) else "todo"
    return Task.model_validate({
        "id": task_id, "ownerId": data.userId, "title": data.title, "description": data.description or "",
        "status": status, "dueAt": data.dueAt, "tags": data.tags, "source": data.provider,
        "externalRef": data.externalRef,
        "createdAt": now, "updatedAt": now})


def integration_item_imported(tasks: TaskMaintenance, data: IntegrationItemImportedData) -> str:
    """Create or update the task of an imported item; returns "created", "updated" or "unchanged"."""
    task_id = tasks.imported_task_id(data.provider, data.externalRef)
    if task_id is None:
        task = imported_task(data, new_ulid())
        record = versions.record(None, task, data.userId, f"imported from {data.provider}", task.createdAt)
        if tasks.create_imported(task, data.provider, record, [tasks_events.created(task, data.userId)]):
            return "created"
        task_id = tasks.imported_task_id(data.provider, data.externalRef)
        if task_id is None:  # refused, yet no other delivery created it: let the queue retry
            raise Conflict("the imported task could not be created; retry")
    current = tasks.task(task_id)
    if current is None:
        return "unchanged"  # the task was deleted by its owner; an import does not resurrect it
    changes = {"title": data.title, "description": data.description or "", "dueAt": data.dueAt, "tags": data.tags}
    # Validated as a task first, so a due date compares at the precision the task stores.
    incoming = Task.model_validate({**current.model_dump(), **changes})
    changed = [name for name in changes if getattr(current, name) != getattr(incoming, name)]
    if not changed:
        return "unchanged"
    now = utc_now()
    updated = incoming.model_copy(update={"version": current.version + 1, "updatedAt": now})
    record = versions.record(current, updated, data.userId, f"imported from {data.provider}", now)
    tasks.update_imported(current, updated, record, [tasks_events.updated(updated, changed, data.userId)])
    return "updated"

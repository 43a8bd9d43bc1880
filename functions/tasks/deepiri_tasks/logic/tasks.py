"""Task use cases: create, read, change (optimistic concurrency), status moves, soft delete and restore,
listing and search.

Assignees: a project task's assignees are current members of its project; a personal task has no
assignee but its owner (422 naming the others).

Concurrency: a change names the version it was based on, by ``If-Match`` (``W/"<n>"`` or ``"<n>"``) or
``version`` in the body; a stale one answers 412 and changes nothing. Responses carry ``ETag: W/"<n>"``.

Listing (every list is a DynamoDB Query, never a Scan): a list runs in one scope, ``OWNER#<caller>``
(personal tasks, the default), ``PROJECT#<projectId>`` (needs membership) or ``ASSIGNEE#<userId>``
(``assignee=me``; another user's assignments only within a project, filtered by ``projectId``). The sort
picks the index: created → gsi1, due → gsi2 (no due date sorts last), priority → gsi3 (rank, then
creation). Filters (status, priority, category, tag, dueFrom/dueTo, overdue, projectId within an
assignee scope) are FilterExpressions on that Query. Deleted tasks have no index keys, so they never
appear. ``q`` searches word prefixes through the token index described in ``logic.search``; its
matches are then filtered and sorted in memory and paged by offset.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from deepiri_common.clock import epoch_seconds, to_iso, utc_now
from deepiri_common.ids import new_ulid
from deepiri_common.pagination import Page, decode_cursor, encode_cursor
from deepiri_common.problems import BadRequest, Conflict, NotFound, PreconditionFailed, ValidationFailed, field_errors
from deepiri_tasks.dal.items import INDEX_BY_SORT, assignee_scope, owner_scope, project_scope
from deepiri_tasks.dal.tasks import ListFilter
from deepiri_tasks.logic import search
from deepiri_tasks.logic import tasks_events as events
from deepiri_tasks.logic.completion import mark_done
from deepiri_tasks.logic.status import check_no_open_blockers, check_transition
from deepiri_tasks.logic.tasks_access import (
    TaskServices,
    check_writable,
    is_visible,
    require_project_reader,
    require_project_writer,
    require_visible,
    require_writable,
)
from deepiri_tasks.logic.versions import commit
from deepiri_tasks.models.tasks import (
    PRIORITY_RANK,
    Source,
    StatusChange,
    Task,
    TaskCreate,
    TaskListQuery,
    TaskPatch,
)

_ETAG = re.compile(r'^(?:W/)?"?(\d{1,12})"?$')
_DEFAULT_ASCENDING = {"created": False, "due": True, "priority": False}
MAX_SEARCH_MATCHES = 500


def etag(task: Task) -> str:
    """The weak ETag of a task's version."""
    return f'W/"{task.version}"'


def parse_if_match(header: str | None) -> int | None:
    """The version an ``If-Match`` header names; ``None`` when absent or ``*``; 400 when unreadable."""
    if header is None or header.strip() in ("", "*"):
        return None
    match = _ETAG.match(header.strip())
    if match is None:
        raise BadRequest('If-Match must be an ETag of this API, for example W/"3"')
    return int(match.group(1))


def expected_version(if_match: int | None, body_version: int | None, *, required: bool) -> int | None:
    """The version a change is based on, from If-Match or the body (which must agree)."""
    if if_match is not None and body_version is not None and if_match != body_version:
        raise PreconditionFailed("If-Match and version name different versions")
    version = if_match if if_match is not None else body_version
    if version is None and required:
        raise ValidationFailed([{"field": "body.version", "message": "send the If-Match header or version"}])
    return version


def _check_version(task: Task, expected: int | None) -> None:
    if expected is not None and expected != task.version:
        raise PreconditionFailed(f"the task is at version {task.version}, not {expected}",
                                 currentVersion=task.version)


def _check_references(services: TaskServices, user_id: str, owner_id: str, project_id: str | None, *,
                      parent_id: str | None, assignee_ids: list[str]) -> None:
    errors = []
    if parent_id is not None:
        parent = services.tasks.get(parent_id)
        if parent is None or not is_visible(services.projects, parent, user_id) or parent.projectId != project_id:
            errors.append({"field": "body.parentTaskId", "message": "no such task in the same project"})
    assignees_error = _assignees_error(services, owner_id, project_id, assignee_ids)
    if assignees_error is not None:
        errors.append({"field": "body.assigneeIds", "message": assignees_error})
    if errors:
        raise ValidationFailed(errors)


def _assignees_error(services: TaskServices, owner_id: str, project_id: str | None,
                     assignee_ids: list[str]) -> str | None:
    """Assignees are current members of the task's project; a personal task has none but its owner."""
    if project_id is None:
        others = [a for a in assignee_ids if a != owner_id]
        return f"a personal task has no assignees but its owner: {', '.join(others)}" if others else None
    strangers = [a for a in assignee_ids if services.projects.role_of(project_id, a) is None]
    return f"not project members: {', '.join(strangers)}" if strangers else None


# ---------------------------------------------------------------------------------------------- CRUD
def create_task(
    services: TaskServices, user_id: str, body: TaskCreate, *, source: Source = "manual",
    external_ref: str | None = None,
) -> Task:
    """Create a task owned by ``user_id`` (in a project the caller may write to); emits TaskCreated."""
    if body.projectId is not None:
        require_project_writer(services.projects, body.projectId, user_id)
    _check_references(services, user_id, user_id, body.projectId, parent_id=body.parentTaskId,
                      assignee_ids=body.assigneeIds)
    now = utc_now()
    task = Task(id=new_ulid(), ownerId=user_id, createdAt=now, updatedAt=now, source=source,
                externalRef=external_ref, **body.model_dump())
    return commit(services, None, task, user_id, None, published=[events.created(task, user_id)])


def get_task(services: TaskServices, user_id: str, task_id: str) -> Task:
    return require_visible(services, task_id, user_id)


def update_task(services: TaskServices, user_id: str, task_id: str, patch: TaskPatch, if_match: int | None) -> Task:
    """Apply a PATCH: field changes and/or a status move, as one version with its events."""
    expected = expected_version(if_match, patch.version, required=True)
    task = require_writable(services, task_id, user_id)
    _check_version(task, expected)
    changes = patch.changes()
    if "parentTaskId" in changes or "assigneeIds" in changes:
        merged = _validated(task, changes)
        _check_references(services, user_id, task.ownerId, task.projectId, parent_id=merged.parentTaskId,
                          assignee_ids=merged.assigneeIds)
    changed = [name for name, value in changes.items() if getattr(task, name) != value]
    moving = patch.status is not None and patch.status != task.status
    if not changed and not moving:
        return task
    now = utc_now()
    edited = _validated(task, {name: changes[name] for name in changed})
    published = [events.updated(edited, changed, user_id)] if changed else []
    after = edited.model_copy(update={"updatedAt": now, "version": task.version + 1})
    if moving:
        assert patch.status is not None
        after, status_events = _move(services, after, patch.status, actor=user_id, now=now, before=task)
        published += status_events
    return commit(services, task, after, user_id, patch.reason, published=published)


def change_status(services: TaskServices, user_id: str, task_id: str, body: StatusChange, if_match: int | None) -> Task:
    """``POST /status``: move the task through the status machine; emits TaskStatusChanged."""
    expected = expected_version(if_match, body.version, required=False)  # None is as false (equivalent)
    task = require_writable(services, task_id, user_id)
    _check_version(task, expected)
    if body.status == task.status:
        return task
    now = utc_now()
    after, published = _move(services, task.model_copy(update={"updatedAt": now, "version": task.version + 1}),
                             body.status, actor=user_id, now=now, before=task)
    return commit(services, task, after, user_id, body.reason, published=published)


def _move(services: TaskServices, task: Task, target: str, *, actor: str, now: datetime,
          before: Task) -> tuple[Task, list[Any]]:
    """``task`` (already at its new version) moved to ``target``; becoming done is a completion."""
    check_transition(before.status, target)
    if target == "done":
        check_no_open_blockers(services.blockers, task.id)
        done, published, _ = mark_done(task.model_copy(update={"version": before.version}), actor, now)
        return done, published
    after = task.model_copy(update={"status": target})
    return after, [events.status_changed(after, before.status, actor)]


def _validated(task: Task, changes: dict[str, Any]) -> Task:
    try:
        return Task.model_validate({**task.model_dump(), **changes})
    except ValidationError as exc:
        # field_errors builds each error from its location and message only: these flags are equivalent
        raise ValidationFailed(field_errors(exc.errors(include_input=False, include_url=False), "body")) from None


def delete_task(services: TaskServices, user_id: str, task_id: str, if_match: int | None) -> None:
    """Soft delete: hidden from lists and reads, restorable for the configured days, then purged by TTL."""
    task = require_writable(services, task_id, user_id)
    _check_version(task, if_match)
    now = utc_now()
    after = task.model_copy(update={"deletedAt": now, "updatedAt": now, "version": task.version + 1})
    expires = epoch_seconds(now + timedelta(days=services.soft_delete_days))
    commit(services, task, after, user_id, None, published=[events.deleted(after, user_id)], expires_at=expires)


def restore_task(services: TaskServices, user_id: str, task_id: str) -> Task:
    """Bring a soft-deleted task back (with its index keys, assignments and search tokens)."""
    task = services.tasks.get_including_deleted(task_id)
    if task is None or not is_visible(services.projects, task, user_id):
        raise NotFound("task not found")
    if task.deletedAt is None:
        raise Conflict("the task is not deleted")
    now = utc_now()
    if now > task.deletedAt + timedelta(days=services.soft_delete_days):
        raise NotFound("task not found")
    check_writable(services.projects, task, user_id)
    after = task.model_copy(update={"deletedAt": None, "updatedAt": now, "version": task.version + 1})
    return commit(services, task, after, user_id, "restored",
                  published=[events.updated(after, ["deletedAt"], user_id)])


# ------------------------------------------------------------------------------------ lists and search
def _scope(services: TaskServices, user_id: str, query: TaskListQuery) -> tuple[str, str | None]:
    """The listing scope and the project to filter on inside it (for assignee lists)."""
    if query.projectId is not None:
        require_project_reader(services.projects, query.projectId, user_id)
    if query.assignee is not None:
        assignee = user_id if query.assignee in ("me", user_id) else query.assignee
        if assignee != user_id and query.projectId is None:
            raise ValidationFailed([{"field": "query.assignee",
                                     "message": "another user's assignments are listed within a projectId"}])
        return assignee_scope(assignee), query.projectId
    if query.projectId is not None:
        return project_scope(query.projectId), None
    return owner_scope(user_id), None


def _filter(query: TaskListQuery, project_id: str | None, now: datetime) -> ListFilter:
    parts: list[str] = []
    names: dict[str, str] = {}
    values: dict[str, Any] = {}

    def equal(attribute: str, value: str) -> None:
        names[f"#{attribute}"] = attribute
        values[f":{attribute}"] = {"S": value}
        parts.append(f"#{attribute} = :{attribute}")

    if query.status:
        names["#status"] = "status"
        placeholders = []
        for n, status in enumerate(query.status):
            values[f":status{n}"] = {"S": status}
            placeholders.append(f":status{n}")
        parts.append(f"#status IN ({', '.join(placeholders)})")
    if query.priority:
        equal("priority", query.priority)
    if query.category:
        equal("category", query.category)
    if project_id:
        equal("projectId", project_id)
    if query.tag:
        names["#tags"], values[":tag"] = "tags", {"S": query.tag.strip().lower()}
        parts.append("contains(#tags, :tag)")
    if query.dueFrom or query.dueTo or query.overdue:
        names["#dueAt"] = "dueAt"
    if query.dueFrom:
        values[":dueFrom"] = {"S": to_iso(query.dueFrom)}
        parts.append("#dueAt >= :dueFrom")
    if query.dueTo:
        values[":dueTo"] = {"S": to_iso(query.dueTo)}
        parts.append("#dueAt <= :dueTo")
    if query.overdue:
        names["#status"] = "status"
        values.update({":now": {"S": to_iso(now)}, ":done": {"S": "done"}, ":cancelled": {"S": "cancelled"}})
        parts.append("#dueAt < :now AND NOT #status IN (:done, :cancelled)")
    return ListFilter(" AND ".join(parts), names, values)


def _accepts(query: TaskListQuery, project_id: str | None, now: datetime, task: Task) -> bool:
    """The in-memory twin of :func:`_filter`, for search matches."""
    checks = [
        not query.status or task.status in query.status,
        query.priority is None or task.priority == query.priority,
        query.category is None or task.category == query.category,
        project_id is None or task.projectId == project_id,
        query.tag is None or query.tag.strip().lower() in task.tags,
        query.dueFrom is None or (task.dueAt is not None and task.dueAt >= query.dueFrom),
        query.dueTo is None or (task.dueAt is not None and task.dueAt <= query.dueTo),
        not query.overdue or (task.dueAt is not None and task.dueAt < now and not task.is_closed),
    ]
    return all(checks)


def _sort_key(sort: str, task: Task) -> tuple[Any, ...]:
    if sort == "due":
        return (to_iso(task.dueAt) if task.dueAt else "9999", task.id)  # any text after "9" sorts last (equivalent)
    if sort == "priority":
        return (PRIORITY_RANK[task.priority], to_iso(task.createdAt), task.id)
    return (to_iso(task.createdAt), task.id)


def list_tasks(services: TaskServices, user_id: str, query: TaskListQuery) -> Page[Task]:
    """A page of the tasks in the caller's scope, filtered and sorted (a Query on one index)."""
    scope, project_filter = _scope(services, user_id, query)
    ascending = _DEFAULT_ASCENDING[query.sort] if query.order is None else query.order == "asc"
    now = utc_now()
    if query.q is not None:
        # A search with a projectId reads that project's text index only, so the project filter it passes on is
        # never what leaves a task out (dropping it is equivalent).
        return _search(services, user_id, query, scope=scope, project_filter=project_filter, ascending=ascending,
                       now=now)
    start = decode_cursor(query.cursor) if query.cursor else None
    tasks, last = services.tasks.list_page(INDEX_BY_SORT[query.sort], scope, ascending=ascending,
                                           where=_filter(query, project_filter, now), limit=query.limit, start=start)
    return Page(items=tasks, next_cursor=encode_cursor(last) if last else None)


def _search(services: TaskServices, user_id: str, query: TaskListQuery, *, scope: str, project_filter: str | None,
            ascending: bool, now: datetime) -> Page[Task]:
    terms = search.query_terms(query.q or "")  # a search always has q: the default is never read (equivalent)
    if not terms:
        raise ValidationFailed([{"field": "query.q", "message": "needs a word of at least 2 letters or digits"}])
    # Assignment lists have no token index of their own: search the underlying scope, then filter.
    text_scope = project_scope(query.projectId) if query.projectId else owner_scope(user_id)
    ids: set[str] | None = None
    for term in terms:
        found = services.tasks.search_ids(text_scope, term)
        ids = found if ids is None else ids & found
        if not ids:
            break
    candidates = services.tasks.get_many(sorted(ids or ())[:MAX_SEARCH_MATCHES]).values()
    assignee = scope.removeprefix("ASSIGNEE#") if scope.startswith("ASSIGNEE#") else None
    # With a projectId the candidates are that project's tasks already: its filter here is equivalent.
    matches = [
        task for task in candidates
        if search.matches(terms, task.title, task.description) and _accepts(query, project_filter, now, task)
        and (assignee is None or assignee in task.assigneeIds) and is_visible(services.projects, task, user_id)
    ]
    matches.sort(key=lambda task: _sort_key(query.sort, task), reverse=not ascending)
    offset = int(decode_cursor(query.cursor).get("offset", 0)) if query.cursor else 0
    page = matches[offset : offset + query.limit]
    more = offset + query.limit < len(matches)
    return Page(items=page, next_cursor=encode_cursor({"offset": offset + query.limit}) if more else None)

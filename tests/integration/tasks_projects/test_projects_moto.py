"""Project routes and the projects consumer in-process against moto: membership lifecycle, roles,
archiving, templates, outbox events, UserDeleted, IntegrationItemImported and ProjectDeleted, and the users
directory (UserRegistered, UserDeleted, UserBlocked, UserUnblocked: twice, out of order) that decides who
may be invited, with the assignment rule through the tasks routes."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import boto3
import pytest

from deepiri_common.clock import parse_iso, to_iso
from deepiri_common.events import DomainEvent
from deepiri_common.outbox import outbox_events
from deepiri_common.settings import reset_settings_cache
from deepiri_tasks import wiring
from deepiri_tasks.handlers import consumers, projects, tasks
from tests.support import flows, template
from tests.support.apigw import rest_event
from tests.support.lambda_context import FakeLambdaContext


@pytest.fixture
def table(aws, monkeypatch) -> str:
    created = template.create_env(
        monkeypatch, EVENT_BUS_NAME="EventBus", TASKS_TABLE="TasksTable", IDEMPOTENCY_TABLE="IdempotencyTable")
    _reset()
    yield created["TasksTable"]
    _reset()


def _reset() -> None:
    wiring.reset()
    reset_settings_cache()


def call(method: str, resource: str, caller: str, body: Any = None, scopes: str | None = None,
         **params: str) -> tuple[int, Any]:
    """Call ``resource`` (API Gateway form, ``{projectId}``) as ``caller``, with its path parameters."""
    authorizer: dict[str, Any] = {"userId": caller, "roles": "user"}
    if scopes is not None:
        authorizer["scopes"] = scopes
    event = rest_event(method, resource.format(**params), body=body, authorizer=authorizer, resource=resource,
                       path_params=params or None)
    response = projects.handler(event, FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"]) if response.get("body") else None


def listed(caller: str, **query: str) -> list[dict[str, Any]]:
    """The tasks ``GET /api/tasks`` lists for ``caller`` with ``query`` (through the tasks handler)."""
    event = rest_event("GET", "/api/tasks", authorizer={"userId": caller, "roles": "user"}, query=query)
    response = tasks.handler(event, FakeLambdaContext())
    assert response["statusCode"] == 200, response["body"]
    return list(json.loads(response["body"])["items"])


def task_ids(caller: str, **query: str) -> list[str]:
    return [t["id"] for t in listed(caller, **query)]


P = "/api/projects/{projectId}"
MEMBER = P + "/members/{userId}"


def make_project(owner: str = "olivia", **body: Any) -> str:
    status, project = call("POST", "/api/projects", owner, {"name": "Launch", **body})
    assert status == 201, project
    return str(project["id"])


def registered(*users: str) -> None:
    """The users service announced ``users``: the tasks consumer adds them to its directory."""
    events = [DomainEvent.new("users", "UserRegistered", {"userId": u, "email": f"{u}@example.com",
                                                          "displayName": u}, actor=u) for u in users]
    assert consume(*events) == {"batchItemFailures": []}


def join(pid: str, user: str, role: str, by: str = "olivia") -> None:
    registered(user)
    status, answer = call("POST", P + "/invitations", by, {"userId": user, "role": role}, projectId=pid)
    assert status == 201, answer
    assert call("POST", P + "/invitations/accept", user, projectId=pid)[0] == 200


def roles(pid: str, caller: str = "olivia") -> dict[str, str]:
    status, page = call("GET", P + "/members", caller, projectId=pid)
    assert status == 200, page
    return {m["userId"]: m["role"] for m in page["items"]}


def published(table_name: str) -> list[tuple[str, dict[str, Any]]]:
    return [(e.detail_type, e.detail.data) for e in outbox_events(flows.stream_event(table_name)["Records"])]


def put_task(table_name: str, task_id: str, owner: str, project_id: str | None, due: str | None = None) -> None:
    """A task item as the core writes it (the fields the projects code reads)."""
    scope = f"PROJECT#{project_id}" if project_id else f"OWNER#{owner}"
    item: dict[str, Any] = {
        "pk": f"TASK#{task_id}", "sk": "TASK", "kind": "task", "id": task_id, "ownerId": owner,
        "title": f"Task {task_id}", "description": "", "status": "todo", "priority": "high",
        "difficulty": "hard", "category": "code", "tags": ["x"], "estimateMinutes": 30,
        "createdAt": "2024-05-01T00:00:00.000Z", "updatedAt": "2024-05-01T00:00:00.000Z", "version": 1,
        "gsi1pk": scope, "gsi1sk": f"CREATED#2024-05-01T00:00:00.000Z#{task_id}", "gsi2pk": scope, "gsi2sk": "DUE"}
    if project_id:
        item["projectId"] = project_id
    if due:
        item["dueAt"] = due
    boto3.resource("dynamodb", region_name=template.REGION).Table(table_name).put_item(Item=item)


def task(table_name: str, task_id: str) -> dict[str, Any] | None:
    table = boto3.resource("dynamodb", region_name=template.REGION).Table(table_name)
    return table.get_item(Key={"pk": f"TASK#{task_id}", "sk": "TASK"}).get("Item")


def scope_items(table_name: str, scope: str) -> list[dict[str, Any]]:
    table = boto3.resource("dynamodb", region_name=template.REGION).Table(table_name)
    return table.query(IndexName="gsi1", KeyConditionExpression="gsi1pk = :s",
                       ExpressionAttributeValues={":s": scope})["Items"]


def consume(*events: DomainEvent) -> dict[str, Any]:
    return consumers.handler(flows.sqs_of_events(*events), FakeLambdaContext())


def test_given_a_project_when_members_join_then_roles_rule_reads_writes_and_non_members_get_404(table) -> None:
    # Given olivia's project with an admin, a member and a viewer who accepted invitations
    pid = make_project()
    for user, role in (("adam", "admin"), ("mia", "member"), ("vic", "viewer")):
        join(pid, user, role)
    # Then the viewer sees it in her list, with her role, and reads it
    mine = call("GET", "/api/projects", "vic")[1]["items"]
    assert [(p["id"], p["role"], p["name"]) for p in mine] == [(pid, "viewer", "Launch")]
    assert call("GET", P, "vic", projectId=pid)[0] == 200
    # But a viewer's write is 403, and a stranger gets 404 for reads and writes alike
    assert call("PATCH", P, "vic", {"version": 1, "name": "x"}, projectId=pid)[0] == 403
    assert call("GET", P, "stranger", projectId=pid)[0] == 404
    assert call("POST", P + "/archive", "stranger", projectId=pid)[0] == 404
    assert call("GET", P + "/members", "stranger", projectId=pid)[0] == 404
    # And an admin re-roles members but cannot make admins; the owner role moves only by transfer
    assert call("PATCH", MEMBER, "adam", {"role": "admin"}, projectId=pid, userId="mia")[0] == 403
    assert call("PATCH", MEMBER, "adam", {"role": "member"}, projectId=pid, userId="vic")[0] == 200
    assert call("PATCH", MEMBER, "olivia", {"role": "admin"}, projectId=pid, userId="adam")[0] == 200
    assert call("PATCH", MEMBER, "adam", {"role": "viewer"}, projectId=pid, userId="olivia")[0] == 409
    status, problem = call("PATCH", MEMBER, "olivia", {"role": "owner"}, projectId=pid, userId="mia")
    assert status == 422 and problem["errors"][0]["field"] == "body.role"
    assert roles(pid) == {"olivia": "owner", "adam": "admin", "mia": "member", "vic": "member"}
    # And the owner can neither leave nor be removed before a transfer
    assert call("POST", P + "/leave", "olivia", projectId=pid)[0] == 409
    assert call("DELETE", MEMBER, "adam", projectId=pid, userId="olivia")[0] == 409
    # When she transfers to mia, mia owns it and olivia, now an admin, may leave
    assert call("POST", P + "/transfer", "olivia", {"userId": "nobody"}, projectId=pid)[0] == 404
    status, member = call("POST", P + "/transfer", "olivia", {"userId": "mia"}, projectId=pid)
    assert (status, member["role"]) == (200, "owner")
    assert roles(pid, "mia")["olivia"] == "admin"
    assert call("GET", P, "mia", projectId=pid)[1]["ownerId"] == "mia"
    assert call("POST", P + "/leave", "olivia", projectId=pid)[0] == 204
    assert call("GET", P, "olivia", projectId=pid)[0] == 404
    # And the membership changes are in the outbox
    events = published(table)
    kinds = [kind for kind, _ in events]
    assert kinds.count("MemberAdded") == 3 and "ProjectCreated" in kinds
    assert ("MemberRoleChanged", {"projectId": pid, "userId": "mia", "oldRole": "member",
                                  "newRole": "owner"}) in events
    assert ("MemberRemoved", {"projectId": pid, "userId": "olivia", "reason": "left"}) in events


def test_given_invitations_when_listed_declined_or_repeated_then_only_the_invitee_acts(table) -> None:
    pid = make_project()
    registered("ines")
    assert call("POST", P + "/invitations", "olivia", {"userId": "ines"}, projectId=pid)[0] == 201
    assert call("POST", P + "/invitations", "olivia", {"userId": "ines"}, projectId=pid)[0] == 409
    status, page = call("GET", "/api/projects/invitations", "ines")
    assert status == 200 and [(i["projectId"], i["role"], i["projectName"]) for i in page["items"]] == [
        (pid, "member", "Launch")]
    assert call("POST", P + "/invitations/accept", "someone", projectId=pid)[0] == 404
    assert call("POST", P + "/invitations/decline", "ines", projectId=pid)[0] == 204
    assert call("POST", P + "/invitations/accept", "ines", projectId=pid)[0] == 404
    assert call("GET", "/api/projects/invitations", "ines")[1]["items"] == []


def test_given_a_stale_version_when_patching_then_412_and_archive_flags_the_project(table) -> None:
    pid = make_project(description="d")
    status, patched = call("PATCH", P, "olivia", {"version": 1, "name": "Renamed", "description": None},
                           projectId=pid)
    assert status == 200 and (patched["name"], patched["version"], patched.get("description")) == ("Renamed", 2, None)
    assert call("PATCH", P, "olivia", {"version": 1, "name": "Again"}, projectId=pid)[0] == 412
    status, archived = call("POST", P + "/archive", "olivia", projectId=pid)
    assert status == 200 and archived["archived"] is True
    assert wiring.project_repository().is_archived(pid) is True
    assert call("POST", P + "/unarchive", "olivia", projectId=pid)[1]["archived"] is False
    assert ("ProjectArchived", {"projectId": pid, "archived": True}) in published(table)


def test_given_bad_input_then_422_names_each_field_and_scopes_limit_third_parties(table) -> None:
    status, problem = call("POST", "/api/projects", "olivia", {"name": "", "startDate": "soon", "x": 1})
    assert status == 422
    assert {e["field"] for e in problem["errors"]} >= {"body.name", "body.startDate", "body.x"}
    assert call("GET", "/api/projects", "olivia", scopes="tasks:read")[0] == 200
    assert call("POST", "/api/projects", "olivia", {"name": "n"}, scopes="tasks:read")[0] == 403
    assert call("POST", "/api/projects", "olivia", {"name": "n"}, scopes="tasks:write")[0] == 201


def test_given_project_tasks_when_saved_as_template_and_instantiated_then_due_dates_shift(table) -> None:
    # Given a project starting 2024-05-01 with two due tasks, one undated, and a dependency
    pid = make_project(startDate="2024-05-01")
    put_task(table, "T1", "olivia", pid, due="2024-05-03T10:00:00.000Z")
    put_task(table, "T2", "olivia", pid, due="2024-05-08T10:00:00.000Z")
    put_task(table, "T3", "olivia", pid)
    boto3.resource("dynamodb", region_name=template.REGION).Table(table).put_item(
        Item={"pk": "TASK#T2", "sk": "DEP#T1", "kind": "dependency", "taskId": "T2", "dependsOn": "T1",
              "type": "blocks"})
    # When she saves it as a template
    status, saved = call("POST", P + "/template", "olivia", {"name": "My launch"}, projectId=pid)
    assert status == 201, saved
    assert [t["dueOffsetDays"] for t in saved["tasks"]] == [2, 7, None]
    assert saved["dependencies"] == [{"task": 1, "dependsOn": 0, "type": "blocks"}]
    # Then her list holds it next to the built-ins, and another user does not see it
    listed = {t["id"]: t for t in call("GET", "/api/projects/templates", "olivia")[1]["items"]}
    assert {"sprint", "study-plan", "writing-project", saved["id"]} <= set(listed)
    assert saved["id"] not in {t["id"] for t in call("GET", "/api/projects/templates", "zed")[1]["items"]}
    assert call("POST", "/api/projects/from-template", "zed",
                {"templateId": saved["id"], "name": "Copy", "startDate": "2024-06-01"})[0] == 404
    # When she instantiates it from 2024-06-10
    status, copy = call("POST", "/api/projects/from-template", "olivia",
                        {"templateId": saved["id"], "name": "Launch 2", "startDate": "2024-06-10"})
    assert status == 201 and copy["startDate"] == "2024-06-10"
    # Then the new project's tasks are due at start + offset, with the dependency between the copies
    items = {i["title"]: i for i in scope_items(table, f"PROJECT#{copy['id']}")}
    assert {t: i.get("dueAt") for t, i in items.items()} == {
        "Task T1": "2024-06-12T00:00:00.000Z", "Task T2": "2024-06-17T00:00:00.000Z", "Task T3": None}
    assert items["Task T2"]["priority"] == "high" and items["Task T2"]["projectId"] == copy["id"]
    dep = boto3.resource("dynamodb", region_name=template.REGION).Table(table).get_item(
        Key={"pk": f"TASK#{items['Task T2']['id']}", "sk": f"DEP#{items['Task T1']['id']}"}).get("Item")
    assert dep is not None and dep["type"] == "blocks"


def test_given_the_builtin_sprint_when_instantiated_then_nine_tasks_over_two_weeks(table) -> None:
    status, project = call("POST", "/api/projects/from-template", "olivia",
                           {"templateId": "sprint", "name": "Sprint 1", "startDate": "2024-07-01"})
    assert status == 201
    items = scope_items(table, f"PROJECT#{project['id']}")
    assert len(items) == 9
    dues = sorted(i["dueAt"] for i in items)
    assert dues[0].startswith("2024-07-01") and dues[-1].startswith("2024-07-14")


def test_given_a_project_from_the_sprint_template_then_its_tasks_list_by_due_date_and_are_searchable(
    table,
) -> None:
    # Given a project created from the built-in sprint template
    status, project = call("POST", "/api/projects/from-template", "olivia",
                           {"templateId": "sprint", "name": "Sprint 1", "startDate": "2024-07-01"})
    assert status == 201, project
    pid = project["id"]
    # Then its tasks are listed by due date (and by priority), like any task
    due_order = listed("olivia", projectId=pid, sort="due", limit="100")
    by_due = [t["id"] for t in due_order]
    titles = {t["taskId"]: t["title"] for kind, t in published(table) if kind == "TaskCreated"}
    assert len(by_due) == 9 and set(by_due) == set(titles)
    dues = [t["dueAt"] for t in due_order]
    assert dues == sorted(dues) and dues[0].startswith("2024-07-01") and dues[-1].startswith("2024-07-14")
    assert due_order[0]["title"] == "Sprint planning"
    assert sorted(task_ids("olivia", projectId=pid, sort="priority", limit="100")) == sorted(by_due)
    # And found by search; each was created with its history and one TaskCreated
    found = task_ids("olivia", projectId=pid, q="retro")
    assert [titles[i] for i in found] == ["Sprint retrospective"]
    assert len(task_ids("olivia", projectId=pid, q="develop")) == 6
    first = boto3.client("dynamodb", region_name=template.REGION).get_item(
        TableName=table, Key={"pk": {"S": f"TASK#{by_due[0]}"}, "sk": {"S": "VER#0000000001"}})
    assert "Item" in first
    # And the member-only rules hold: a stranger lists nothing
    assert task_ids("zed", q="sprint") == []


def test_given_a_project_when_deleted_then_its_tasks_become_personal_once(table) -> None:
    pid = make_project()
    join(pid, "mia", "member")
    put_task(table, "T1", "mia", pid)
    assert call("DELETE", P, "mia", projectId=pid)[0] == 403
    assert call("DELETE", P, "olivia", projectId=pid)[0] == 204
    assert call("GET", P, "olivia", projectId=pid)[0] == 404
    deleted = [e for e in outbox_events(flows.stream_event(table)["Records"]) if e.detail_type == "ProjectDeleted"]
    assert deleted and set(deleted[0].detail.data["memberIds"]) == {"olivia", "mia"}
    # When the consumer receives ProjectDeleted (twice)
    assert consume(deleted[0], deleted[0]) == {"batchItemFailures": []}
    item = task(table, "T1")
    assert item is not None and "projectId" not in item
    assert (item["gsi1pk"], item["gsi2pk"]) == ("OWNER#mia", "OWNER#mia")


def user_deleted(user: str) -> DomainEvent:
    return DomainEvent.new("users", "UserDeleted", {"userId": user}, actor=user)


def test_given_a_deleted_user_then_personal_tasks_purged_projects_handed_over_or_deleted(table) -> None:
    # Given olivia owns a shared project (adam admin) and a solo one, is a member elsewhere, has a task
    shared = make_project()
    join(shared, "adam", "admin")
    join(shared, "mia", "member")
    solo = make_project()
    other = make_project("mia")
    join(other, "olivia", "member", by="mia")
    put_task(table, "P1", "olivia", None)
    put_task(table, "S1", "olivia", solo)
    # When UserDeleted arrives
    assert consume(user_deleted("olivia")) == {"batchItemFailures": []}
    # Then the shared project passed to adam, the solo one is gone, and she left mia's project
    assert roles(shared, "adam") == {"adam": "owner", "mia": "member"}
    assert call("GET", P, "olivia", projectId=solo)[0] == 404
    assert call("GET", P, "mia", projectId=other)[0] == 200 and "olivia" not in roles(other, "mia")
    assert task(table, "P1") is None and task(table, "S1") is None
    assert call("GET", "/api/projects", "olivia")[1]["items"] == []


def imported(**data: Any) -> DomainEvent:
    payload = {"userId": "olivia", "provider": "github", "externalRef": "acme/app#12", "title": "Fix bug", **data}
    return DomainEvent.new("integrations", "IntegrationItemImported", payload, actor="olivia")


def test_given_an_item_imported_twice_then_one_task_updated_by_the_second_import(table) -> None:
    assert consume(imported(), imported()) == {"batchItemFailures": []}
    tasks = scope_items(table, "OWNER#olivia")
    assert len(tasks) == 1 and tasks[0]["source"] == "github" and tasks[0]["externalRef"] == "acme/app#12"
    assert consume(imported(title="Fix the bug", dueAt="2024-09-01T12:00:00Z")) == {"batchItemFailures": []}
    tasks = scope_items(table, "OWNER#olivia")
    assert len(tasks) == 1
    assert (tasks[0]["title"], tasks[0]["dueAt"], tasks[0]["version"]) == ("Fix the bug", "2024-09-01T12:00:00.000Z", 2)


def test_given_an_import_delivered_twice_then_one_task_listed_searchable_and_one_task_created(table) -> None:
    # Given the same item delivered twice (two bus events, one provider reference)
    assert consume(imported(dueAt="2030-01-01T09:00:00Z"), imported(dueAt="2030-01-01T09:00:00Z")) == {
        "batchItemFailures": []}
    # Then one task is listed for the user, by every sort, and found by search
    listed = task_ids("olivia")
    assert len(listed) == 1
    assert task_ids("olivia", sort="due") == task_ids("olivia", sort="priority") == listed
    assert task_ids("olivia", q="fix bug") == listed
    # And exactly one TaskCreated, from the importing user
    created = [data for kind, data in published(table) if kind == "TaskCreated"]
    assert [(c["taskId"], c["source"], c["dueAt"]) for c in created] == [
        (listed[0], "github", "2030-01-01T09:00:00.000Z")]
    # When a later import renames it, then one TaskUpdated and the new title is what search finds
    assert consume(imported(title="Fix the login crash", dueAt="2030-01-01T09:00:00Z")) == {
        "batchItemFailures": []}
    assert [u["changed"] for kind, u in published(table) if kind == "TaskUpdated"] == [["title"]]
    assert task_ids("olivia", q="login") == listed and task_ids("olivia", q="bug") == []


def test_given_an_owner_inviting_themselves_then_409_and_no_invitation(table) -> None:
    pid = make_project("olivia")

    status, answer = call("POST", P + "/invitations", "olivia", {"userId": "olivia"}, projectId=pid)

    assert (status, answer["status"]) == (409, 409)
    assert "already a member" in answer["detail"]
    assert call("GET", "/api/projects/invitations", "olivia")[1]["items"] == []


# ------------------------------------------------------------------ users directory and assignment rule

def invite(pid: str, user: str, by: str = "olivia") -> tuple[int, Any]:
    return call("POST", P + "/invitations", by, {"userId": user}, projectId=pid)


def block_event(kind: str, blocker: str, blocked: str, *, later_by_ms: int = 0) -> DomainEvent:
    event = DomainEvent.new("users", kind, {"blockerId": blocker, "blockedId": blocked}, actor=blocker)
    if not later_by_ms:
        return event
    occurred = to_iso(parse_iso(event.detail.occurredAt) + timedelta(milliseconds=later_by_ms))
    return event.model_copy(update={"detail": event.detail.model_copy(update={"occurredAt": occurred})})


def _without(problem: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in problem.items() if k not in names}


def create_task(caller: str, body: dict[str, Any]) -> tuple[int, Any]:
    event = rest_event("POST", "/api/tasks", body=body, authorizer={"userId": caller, "roles": "user"})
    response = tasks.handler(event, FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"])


def test_given_users_unknown_deleted_or_registered_when_invited_then_only_the_registered_one_is(table) -> None:
    pid = make_project()
    registered("ines", "gone")
    assert consume(DomainEvent.new("users", "UserDeleted", {"userId": "gone"}, actor="gone")) == {
        "batchItemFailures": []}
    registered("gone")  # a late or replayed registration does not bring a deleted user back

    answers = {user: invite(pid, user) for user in ("nobody", "gone", "ines")}

    assert answers["ines"][0] == 201
    for user in ("nobody", "gone"):
        status, problem = answers[user]
        assert (status, problem["detail"]) == (404, f"user {user} not found")
    assert [i["projectId"] for i in call("GET", "/api/projects/invitations", "ines")[1]["items"]] == [pid]
    assert call("GET", "/api/projects/invitations", "nobody")[1]["items"] == []


def test_given_a_block_either_way_then_404_like_a_stranger_until_the_block_is_lifted(table) -> None:
    pid = make_project()
    registered("ines", "hugo")
    blocked = block_event("UserBlocked", "ines", "olivia")
    assert consume(blocked, blocked, block_event("UserBlocked", "olivia", "hugo")) == {"batchItemFailures": []}

    status, problem = invite(pid, "ines")
    _, stranger = invite(pid, "nobody")
    assert (status, problem["detail"]) == (404, "user ines not found")
    assert _without(problem, "detail") == _without(stranger, "detail")  # nothing tells a block from nobody
    assert invite(pid, "hugo")[0] == 404

    assert consume(block_event("UserUnblocked", "ines", "olivia", later_by_ms=5)) == {"batchItemFailures": []}
    assert invite(pid, "ines")[0] == 201
    assert invite(pid, "hugo")[0] == 404  # olivia's own block of hugo still holds


def test_given_block_events_out_of_order_then_the_latest_one_wins(table) -> None:
    pid = make_project()
    registered("ines")
    earlier_block = block_event("UserBlocked", "ines", "olivia")
    later_unblock = block_event("UserUnblocked", "ines", "olivia", later_by_ms=5)

    # The unblock arrives first, the older block after it: ines has lifted her block, so she is invitable
    assert consume(later_unblock) == {"batchItemFailures": []}
    assert consume(earlier_block) == {"batchItemFailures": []}

    assert invite(pid, "ines")[0] == 201


def test_given_a_personal_task_when_another_user_is_assigned_then_422_and_a_project_member_can_be(table) -> None:
    status, problem = create_task("olivia", {"title": "Mine", "assigneeIds": ["mia"]})
    assert status == 422
    assert problem["errors"] == [{"field": "body.assigneeIds",
                                  "message": "a personal task has no assignees but its owner: mia"}]
    assert create_task("olivia", {"title": "Mine", "assigneeIds": ["olivia"]})[0] == 201

    pid = make_project()
    registered("mia")
    assert invite(pid, "mia")[0] == 201
    assert create_task("olivia", {"title": "Ours", "projectId": pid, "assigneeIds": ["mia"]})[0] == 422  # invited only
    assert call("POST", P + "/invitations/accept", "mia", projectId=pid)[0] == 200
    status, task = create_task("olivia", {"title": "Ours", "projectId": pid, "assigneeIds": ["mia"]})
    assert (status, task["assigneeIds"]) == (201, ["mia"])

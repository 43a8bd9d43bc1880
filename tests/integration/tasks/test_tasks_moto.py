"""Tasks end to end in-process: handlers → logic → DynamoDB (moto), the table from template.yaml."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import pytest

from deepiri_tasks.dal.items import task_av_key
from tests.integration.tasks.conftest import Api


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def test_given_a_task_when_patched_with_a_stale_version_then_412_and_nothing_changes(api: Api) -> None:
    # Given a created task
    task = api.create(tags=[" Docs ", "docs", "Work"])
    assert task["tags"] == ["docs", "work"] and task["version"] == 1 and task["status"] == "todo"
    got = api.call("GET", f"/api/tasks/{task['id']}")
    assert got.status == 200 and got.headers["ETag"] == 'W/"1"'

    # When it is patched with its ETag, then the version moves on
    ok = api.call("PATCH", f"/api/tasks/{task['id']}", {"title": "Write the DESIGN doc", "reason": "typo"},
                  headers={"If-Match": 'W/"1"'})
    assert ok.status == 200 and ok.body["version"] == 2 and ok.headers["ETag"] == 'W/"2"'

    # When a stale version is sent (header or body), then 412 and the task is unchanged
    stale = api.call("PATCH", f"/api/tasks/{task['id']}", {"title": "Lost update"}, headers={"If-Match": '"1"'})
    assert stale.status == 412
    assert api.call("PATCH", f"/api/tasks/{task['id']}", {"title": "Lost", "version": 1}).status == 412
    after = api.call("GET", f"/api/tasks/{task['id']}").body
    assert after["title"] == "Write the DESIGN doc" and after["version"] == 2
    assert api.events("TaskUpdated") == [{
        "taskId": task["id"], "changed": ["title"], "values": {"title": "Write the DESIGN doc"}, "ownerId": "alice",
        "projectId": None, "assigneeIds": [], "userId": "alice",
    }]


def test_given_a_task_when_it_moves_through_the_machine_and_completes_then_one_first_completion(api: Api) -> None:
    due = datetime.now(UTC) + timedelta(days=1)
    task = api.create(estimateMinutes=30, dueAt=_iso(due), difficulty="hard", category="code")
    path = f"/api/tasks/{task['id']}"

    # Illegal move → 409 naming the allowed ones
    illegal = api.call("POST", f"{path}/status", {"status": "done"})
    assert illegal.status == 409
    assert illegal.body["allowedStatuses"] == ["in_progress", "blocked", "cancelled"]
    assert "in_progress" in illegal.body["detail"]

    assert api.call("POST", f"{path}/status", {"status": "in_progress"}).body["status"] == "in_progress"
    assert api.call("PATCH", path, {"status": "blocked", "version": 2}).body["status"] == "blocked"
    assert api.call("POST", f"{path}/status", {"status": "in_progress"}).status == 200
    assert [e["to"] for e in api.events("TaskStatusChanged")] == ["in_progress", "blocked", "in_progress"]
    assert api.events("TaskStatusChanged")[0]["from"] == "todo"

    # When completed, then exactly one TaskCompleted with firstCompletion true
    done = api.call("POST", f"{path}/complete", {"actualMinutes": 60, "notes": "finally"})
    assert done.status == 200, done.body
    assert done.body["efficiency"] == 50.0 and done.body["onTime"] is True and done.body["firstCompletion"] is True
    completed = api.events("TaskCompleted")
    assert len(completed) == 1
    assert completed[0] | {} == {
        "taskId": task["id"], "userId": "alice", "actorId": "alice", "projectId": None, "category": "code",
        "difficulty": "hard", "priority": "medium", "efficiency": 50.0, "onTime": True, "estimateMinutes": 30,
        "actualMinutes": 60, "firstCompletion": True,
        "completedAt": done.body["task"]["completedAt"][:23] + "Z",  # milliseconds on the bus
        "source": "manual", "externalRef": None,  # an imported task names its provider and key (write-back)
    }
    # Completing a done task → 409
    assert api.call("POST", f"{path}/complete", {}).status == 409

    # When reopened and completed again, then the second TaskCompleted is not a first completion
    reopened = api.call("POST", f"{path}/reopen")
    assert reopened.status == 200 and reopened.body["status"] == "todo" and reopened.body["completedAt"] is None
    assert len(api.events("TaskReopened")) == 1
    again = api.call("POST", f"{path}/complete", {})
    assert again.status == 200 and again.body["firstCompletion"] is False
    assert [e["firstCompletion"] for e in api.events("TaskCompleted")] == [True, False]


def test_given_changes_when_listing_versions_and_restoring_one_then_fields_come_back_as_a_new_version(
    api: Api,
) -> None:
    task = api.create(priority="low")
    path = f"/api/tasks/{task['id']}"
    api.call("PATCH", path, {"title": "Second title", "priority": "high", "version": 1, "reason": "rescope"})
    api.call("PATCH", path, {"title": "Third title", "version": 2})

    page = api.call("GET", f"{path}/versions", query={"limit": "2"})
    assert page.status == 200
    assert [v["version"] for v in page.body["items"]] == [3, 2]
    assert page.body["items"][1]["changes"]["priority"] == {"old": "low", "new": "high"}
    assert page.body["items"][1]["reason"] == "rescope" and page.body["items"][1]["actor"] == "alice"
    rest = api.call("GET", f"{path}/versions", query={"cursor": page.body["nextCursor"]})
    assert [v["version"] for v in rest.body["items"]] == [1]

    restored = api.call("POST", f"{path}/versions/1/restore")
    assert restored.status == 200
    assert restored.body["title"] == "Write the design doc" and restored.body["priority"] == "low"
    assert restored.body["version"] == 4
    assert api.call("POST", f"{path}/versions/99/restore").status == 404


def test_given_a_deleted_task_then_it_is_hidden_until_restored_and_expires_by_ttl(api: Api) -> None:
    task = api.create(title="Throwaway idea")
    path = f"/api/tasks/{task['id']}"

    assert api.call("DELETE", path).status == 204
    assert api.call("GET", path).status == 404
    assert api.call("GET", "/api/tasks").body["items"] == []
    assert api.call("GET", "/api/tasks", query={"q": "throw"}).body["items"] == []
    item = boto3.client("dynamodb").get_item(TableName=api.created["TasksTable"], Key=task_av_key(task["id"]))["Item"]
    assert "expiresAt" in item and "gsi1pk" not in item
    assert len(api.events("TaskDeleted")) == 1

    restored = api.call("POST", f"{path}/restore")
    assert restored.status == 200 and restored.body["deletedAt"] is None
    assert [t["id"] for t in api.call("GET", "/api/tasks").body["items"]] == [task["id"]]
    assert [t["id"] for t in api.call("GET", "/api/tasks", query={"q": "throw"}).body["items"]] == [task["id"]]
    assert api.call("POST", f"{path}/restore").status == 409


def test_given_accented_titles_when_searching_by_prefix_then_matches_ignore_case_and_accents(api: Api) -> None:
    cafe = api.create(title="Réviser le Café français", description="Écrire la documentation")
    api.create(title="Buy groceries")
    api.create(user="bob", title="Réviser aussi")

    def found(q: str) -> list[str]:
        reply = api.call("GET", "/api/tasks", query={"q": q})
        assert reply.status == 200, reply.body
        return [t["id"] for t in reply.body["items"]]

    assert found("cafe") == [cafe["id"]]
    assert found("REVI ecri") == [cafe["id"]]
    assert found("écrir FRANÇ") == [cafe["id"]]
    assert found("revi groc") == []
    assert "Scan" not in api.operations
    assert api.call("GET", "/api/tasks", query={"q": "a"}).status == 422


def test_given_tasks_when_listing_with_filters_and_sorts_then_every_list_is_a_query(api: Api) -> None:
    now = datetime.now(UTC)
    late = api.create(title="Late", dueAt=_iso(now - timedelta(days=1)), priority="urgent", tags=["x"])
    soon = api.create(title="Soon", dueAt=_iso(now + timedelta(days=1)), priority="low", category="study")
    none = api.create(title="Whenever", priority="high", assigneeIds=["alice"])

    def ids(**query: str) -> list[str]:
        reply = api.call("GET", "/api/tasks", query=query)
        assert reply.status == 200, reply.body
        return [t["id"] for t in reply.body["items"]]

    assert ids() == [none["id"], soon["id"], late["id"]]
    assert ids(sort="created", order="asc") == [late["id"], soon["id"], none["id"]]
    assert ids(sort="due") == [late["id"], soon["id"], none["id"]]
    assert ids(sort="priority") == [late["id"], none["id"], soon["id"]]
    assert ids(overdue="true") == [late["id"]]
    assert ids(category="study") == [soon["id"]]
    assert ids(tag="X") == [late["id"]]
    assert ids(status="todo,done", priority="high") == [none["id"]]
    assert ids(dueFrom=_iso(now), dueTo=_iso(now + timedelta(days=2))) == [soon["id"]]
    first = api.call("GET", "/api/tasks", query={"limit": "2"}).body
    assert len(first["items"]) == 2
    assert [t["id"] for t in api.call("GET", "/api/tasks", query={"cursor": first["nextCursor"]}).body["items"]] == [
        late["id"]]

    # The owner, the only possible assignee of a personal task, finds it through their assignment list
    mine = api.call("GET", "/api/tasks", query={"assignee": "me"}).body["items"]
    assert [t["id"] for t in mine] == [none["id"]]
    assert api.call("GET", "/api/tasks", user="bob", query={"assignee": "me"}).body["items"] == []
    assert api.call("GET", f"/api/tasks/{none['id']}", user="bob").status == 404
    assert "Query" in api.operations and "Scan" not in api.operations


def test_given_another_users_task_then_it_answers_404_everywhere(api: Api) -> None:
    task = api.create(user="bob")
    path = f"/api/tasks/{task['id']}"
    assert api.call("GET", path).status == 404
    assert api.call("PATCH", path, {"title": "mine now", "version": 1}).status == 404
    assert api.call("POST", f"{path}/complete", {}).status == 404
    assert api.call("DELETE", path).status == 404
    assert api.call("GET", f"{path}/versions").status == 404
    assert api.call("GET", "/api/tasks").body["items"] == []
    assert api.call("GET", "/api/tasks/01JUNKNOWN0000000000000000").status == 404


def test_given_bad_input_then_422_names_each_field(api: Api) -> None:
    reply = api.call("POST", "/api/tasks", {
        "title": "", "priority": "someday", "category": "chores", "dueAt": "2030-01-01T10:00:00",
        "tags": ["t"] * 1 + [f"t{n}" for n in range(25)], "colour": "red", "description": "x" * 20_001,
    })
    assert reply.status == 422
    fields = {e["field"] for e in reply.body["errors"]}
    assert {"body.title", "body.priority", "body.category", "body.dueAt", "body.tags", "body.colour",
            "body.description"} <= fields

    task = api.create()
    bad_patch = api.call("PATCH", f"/api/tasks/{task['id']}", {"status": "finished", "version": 1})
    assert bad_patch.status == 422 and {e["field"] for e in bad_patch.body["errors"]} == {"body.status"}
    no_version = api.call("PATCH", f"/api/tasks/{task['id']}", {"title": "t"})
    assert no_version.status == 422 and no_version.body["errors"][0]["field"] == "body.version"
    assert api.call("GET", "/api/tasks", query={"sort": "random", "limit": "500"}).status == 422
    bad_query = api.call("GET", "/api/tasks", query={"dueFrom": "2030-01-01"}).body
    assert bad_query["errors"][0]["field"] == "query.dueFrom"


def test_given_a_scoped_token_then_reads_need_tasks_read_and_writes_tasks_write(api: Api) -> None:
    assert api.call("GET", "/api/tasks", scopes="tasks:read").status == 200
    assert api.call("POST", "/api/tasks", {"title": "x"}, scopes="tasks:read").status == 403
    assert api.call("POST", "/api/tasks", {"title": "x"}, scopes="tasks:write").status == 201


@pytest.mark.parametrize("title", ["Pay\x00 rent", "Pay \x1b[2J rent", "Pay\r\nrent", "Pay \u202erent"])
def test_given_control_or_hidden_characters_in_a_title_then_422_names_it_and_nothing_is_stored(
        api: Api, title: str) -> None:
    reply = api.call("POST", "/api/tasks", {"title": title})

    assert reply.status == 422
    assert [e["field"] for e in reply.body["errors"]] == ["body.title"]
    assert api.call("GET", "/api/tasks").body["items"] == []

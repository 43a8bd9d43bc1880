"""The assignment rule through the deployed stack: the tasks service learns who exists and who blocked
whom from the users service's events (its own directory, fed asynchronously), and then strangers and
users who blocked the inviter can be neither invited nor assigned, while members can."""

from __future__ import annotations

from typing import Any

from deepiri_common.ids import new_ulid

PROBLEM = "application/problem+json"


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    return dict(response.json())


def test_given_strangers_and_a_blocker_then_neither_is_invited_nor_assigned_and_a_member_is(
    api, account, tasks_directory
) -> None:
    owner, member, stranger, blocker = (account(f"rule-{n}") for n in ("owner", "member", "stranger", "blocker"))
    nobody = new_ulid()
    assert api("POST", f"/api/users/me/blocks/{owner.id}", token=blocker.token).status_code == 204
    # Given the tasks service has heard of the three users and of the block (bounded wait)
    tasks_directory(member.id, stranger.id, blocker.id, blocks=((blocker.id, owner.id),))
    project = api("POST", "/api/projects", token=owner.token, json={"name": "Rules"})
    assert project.status_code == 201, project.text
    invitations = f"/api/projects/{project.json()['id']}/invitations"

    # When the owner invites a user who does not exist and one who blocked them: the same 404
    absent = _problem(api("POST", invitations, token=owner.token, json={"userId": nobody}), 404)
    blocked = _problem(api("POST", invitations, token=owner.token, json={"userId": blocker.id}), 404)
    assert blocked["detail"] == f"user {blocker.id} not found"
    assert {k: v for k, v in blocked.items() if k != "detail"} == {k: v for k, v in absent.items() if k != "detail"}

    # And the member is invited and joins
    assert api("POST", invitations, token=owner.token, json={"userId": member.id}).status_code == 201
    assert api("POST", f"{invitations}/accept", token=member.token).status_code == 200

    # Then on a project task only the member can be assigned
    pid = project.json()["id"]
    for outsider in (stranger.id, blocker.id, nobody):
        refused = _problem(api("POST", "/api/tasks", token=owner.token,
                               json={"title": "Ours", "projectId": pid, "assigneeIds": [outsider]}), 422)
        assert refused["errors"] == [{"field": "body.assigneeIds", "message": f"not project members: {outsider}"}]
    shared = api("POST", "/api/tasks", token=owner.token,
                 json={"title": "Ours", "projectId": pid, "assigneeIds": [member.id]})
    assert shared.status_code == 201 and shared.json()["assigneeIds"] == [member.id], shared.text

    # And a personal task takes nobody but its owner
    for other in (member.id, stranger.id, blocker.id):
        _problem(api("POST", "/api/tasks", token=owner.token, json={"title": "Mine", "assigneeIds": [other]}), 422)
    mine = api("POST", "/api/tasks", token=owner.token, json={"title": "Mine", "assigneeIds": [owner.id]})
    assert mine.status_code == 201, mine.text

    # And nothing reached the refused users
    for outsider in (stranger, blocker):
        assert api("GET", "/api/projects/invitations", token=outsider.token).json()["items"] == []
        assert api("GET", "/api/tasks", token=outsider.token, params={"assignee": "me"}).json()["items"] == []
    assert [t["id"] for t in api("GET", "/api/tasks", token=member.token, params={"assignee": "me"}).json()["items"]
            ] == [shared.json()["id"]]

"""Social graph handlers in-process against moto: requests, friendships, follows, blocks, lists, outbox."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from deepiri_common.outbox import outbox_events
from deepiri_common.settings import reset_settings_cache
from deepiri_users import wiring
from deepiri_users.dal.social import SocialRepository
from deepiri_users.handlers import social
from tests.support import flows, template
from tests.support.apigw import rest_event
from tests.support.lambda_context import FakeLambdaContext

USERS = ("alice", "bob", "carol", "dave", "erin")


@pytest.fixture
def users_table(aws, monkeypatch) -> str:
    created = template.create_env(
        monkeypatch, EVENT_BUS_NAME="EventBus", USERS_TABLE="UsersTable", IDEMPOTENCY_TABLE="IdempotencyTable")
    wiring.reset()
    reset_settings_cache()
    table = boto3.resource("dynamodb", region_name=template.REGION).Table(created["UsersTable"])
    for user in USERS:
        table.put_item(Item={"pk": f"USER#{user}", "sk": "PROFILE", "displayName": user.title(),
                             "privacy": "public", "disabled": False})
    yield created["UsersTable"]
    wiring.reset()
    reset_settings_cache()


def call(method: str, path: str, caller: str, body: Any = None, query: dict[str, str] | None = None,
         resource: str | None = None, path_params: dict[str, str] | None = None) -> tuple[int, Any]:
    event = rest_event(method, path, body=body, query=query, resource=resource, path_params=path_params,
                       authorizer={"userId": caller, "roles": "user"})
    response = social.handler(event, FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"]) if response.get("body") else None


def request(caller: str, other: str) -> tuple[int, Any]:
    return call("POST", "/api/users/me/friends/requests", caller, body={"userId": other})


def accept(caller: str, requester: str) -> tuple[int, Any]:
    return call("POST", f"/api/users/me/friends/requests/{requester}/accept", caller)


def friends(caller: str, **query: str) -> dict[str, Any]:
    status, body = call("GET", "/api/users/me/friends", caller, query=query or None)
    assert status == 200, body
    return body


def ids(page: dict[str, Any]) -> list[str]:
    return [item["userId"] for item in page["items"]]


def published(table: str) -> list[tuple[str, dict[str, Any]]]:
    events = outbox_events(flows.stream_event(table)["Records"])
    return [(e.detail_type, e.detail.data) for e in events]


def test_given_a_request_when_accepted_then_both_list_each_other_with_mutual_counts(users_table) -> None:
    # Given carol is a friend of both alice and bob
    for a, b in (("alice", "carol"), ("bob", "carol")):
        assert request(a, b)[0] == 201
        assert accept(b, a) == (200, {"userId": a, "status": "friends"})
    # When alice asks bob and bob accepts
    assert request("alice", "bob") == (201, {"userId": "bob", "status": "requested"})
    incoming = call("GET", "/api/users/me/friends/requests", "bob", query={"direction": "incoming"})[1]
    assert ids(incoming) == ["alice"] and incoming["items"][0]["mutualFriends"] == 1
    assert accept("bob", "alice")[0] == 200
    # Then each sees the other, with carol as the one friend in common
    alice_view = {i["userId"]: i for i in friends("alice")["items"]}
    assert set(alice_view) == {"bob", "carol"}
    assert alice_view["bob"]["mutualFriends"] == 1 and alice_view["bob"]["displayName"] == "Bob"
    assert "alice" in ids(friends("bob"))
    assert call("GET", "/api/users/me/friends/requests", "bob", query={"direction": "incoming"})[1]["items"] == []
    # And the events went to the outbox with the state changes
    events = published(users_table)
    assert ("FriendRequested", {"requesterId": "alice", "addresseeId": "bob", "userId": "bob"}) in events
    assert ("FriendshipAccepted", {"requesterId": "alice", "addresseeId": "bob",
                                   "userIds": ["alice", "bob"]}) in events


def test_given_an_accepted_request_when_accepted_again_then_one_friendship_and_one_event(users_table) -> None:
    request("alice", "bob")
    assert accept("bob", "alice")[0] == 200
    assert accept("bob", "alice") == (200, {"userId": "alice", "status": "friends"})
    assert ids(friends("bob")) == ["alice"]
    assert [t for t, _ in published(users_table)].count("FriendshipAccepted") == 1


def test_given_a_pending_request_when_the_addressee_asks_back_then_it_becomes_one_friendship(users_table) -> None:
    request("alice", "bob")
    assert request("bob", "alice") == (200, {"userId": "alice", "status": "friends"})
    assert ids(friends("alice")) == ["bob"] and ids(friends("bob")) == ["alice"]
    assert call("GET", "/api/users/me/friends/requests", "alice", query={"direction": "outgoing"})[1]["items"] == []


def test_given_crossing_requests_when_the_second_read_was_stale_then_the_transaction_turns_it_into_a_friendship(
    users_table, monkeypatch,
) -> None:
    # Given alice's request lands after bob's request looked for an incoming one (the race window)
    repo = wiring.social_repository()
    real_relation = repo.relation
    stale = {"reads": 0}

    def relation_before_alice(user_id, edge, other):
        stale["reads"] += 1
        if stale["reads"] == 1:
            request("alice", "bob")  # alice's request commits between bob's read and bob's write
            return None
        return real_relation(user_id, edge, other)

    monkeypatch.setattr(repo, "relation", relation_before_alice)
    # When bob's request is written
    assert request("bob", "alice") == (200, {"userId": "alice", "status": "friends"})
    # Then there is one friendship and no request left either way (the refused write looked again)
    assert stale["reads"] >= 3
    monkeypatch.setattr(repo, "relation", real_relation)
    assert ids(friends("alice")) == ["bob"] and ids(friends("bob")) == ["alice"]
    for user in ("alice", "bob"):
        for direction in ("incoming", "outgoing"):
            assert call("GET", "/api/users/me/friends/requests", user, query={"direction": direction})[1]["items"] == []


def test_given_friends_and_follows_when_one_blocks_the_other_then_everything_between_them_is_gone(
    users_table,
) -> None:
    request("alice", "bob")
    accept("bob", "alice")
    assert call("POST", "/api/users/me/following/bob", "alice")[0] == 204
    assert call("POST", "/api/users/me/following/alice", "bob")[0] == 204
    request("bob", "carol")
    # When bob blocks alice
    assert call("POST", "/api/users/me/blocks/alice", "bob")[0] == 204
    # Then neither sees the other anywhere
    assert ids(friends("alice")) == [] and ids(friends("bob")) == []
    for user in ("alice", "bob"):
        assert call("GET", "/api/users/me/following", user)[1]["items"] == []
        assert call("GET", "/api/users/me/followers", user)[1]["items"] == []
    assert ids(call("GET", "/api/users/me/blocks", "bob")[1]) == ["alice"]
    assert SocialRepository(users_table, boto3.client("dynamodb")).is_blocked_between("alice", "bob")
    assert ("UserBlocked", {"blockerId": "bob", "blockedId": "alice"}) in published(users_table)
    assert ("FriendshipEnded", {"userIds": ["bob", "alice"], "endedBy": "bob", "reason": "blocked"}) in published(
        users_table)
    # And bob's unrelated request to carol is untouched
    assert ids(call("GET", "/api/users/me/friends/requests", "bob", query={"direction": "outgoing"})[1]) == ["carol"]


def test_given_a_pending_request_when_the_addressee_blocks_then_the_request_is_cancelled(users_table) -> None:
    request("alice", "bob")
    call("POST", "/api/users/me/blocks/alice", "bob")
    assert call("GET", "/api/users/me/friends/requests", "alice", query={"direction": "outgoing"})[1]["items"] == []
    assert call("GET", "/api/users/me/friends/requests", "bob")[1]["items"] == []
    assert accept("bob", "alice")[0] == 404


def test_given_a_block_when_the_blocked_user_requests_or_follows_then_404_as_if_absent(users_table) -> None:
    call("POST", "/api/users/me/blocks/alice", "bob")
    status, body = request("alice", "bob")
    assert status == 404 and body["detail"] == "user bob not found"
    assert call("POST", "/api/users/me/following/bob", "alice")[0] == 404
    assert request("alice", "nobody")[1]["detail"] == "user nobody not found"  # the same answer
    # And the blocker cannot reach them either, until unblocking
    assert request("bob", "alice")[0] == 404
    assert call("DELETE", "/api/users/me/blocks/alice", "bob")[0] == 204
    assert request("alice", "bob")[0] == 201
    assert ("UserUnblocked", {"blockerId": "bob", "blockedId": "alice"}) in published(users_table)
    # Unblocking again is 404 and publishes nothing more
    assert call("DELETE", "/api/users/me/blocks/alice", "bob")[0] == 404
    assert [name for name, _ in published(users_table)].count("UserUnblocked") == 1


def test_given_a_disabled_user_when_requested_then_404(users_table) -> None:
    boto3.resource("dynamodb", region_name=template.REGION).Table(users_table).update_item(
        Key={"pk": "USER#erin", "sk": "PROFILE"}, UpdateExpression="SET disabled = :t",
        ExpressionAttributeValues={":t": True})
    assert request("alice", "erin")[0] == 404


def test_given_many_friends_when_listed_by_pages_then_every_friend_appears_once(users_table) -> None:
    for other in ("bob", "carol", "dave", "erin"):
        request(other, "alice")
        accept("alice", other)
    seen: list[str] = []
    cursor = None
    pages = 0
    while True:
        page = friends("alice", limit="3", **({"cursor": cursor} if cursor else {}))
        seen += ids(page)
        pages += 1
        cursor = page["nextCursor"]
        if not cursor:
            break
    assert sorted(seen) == ["bob", "carol", "dave", "erin"] and len(seen) == 4 and pages == 2


def test_given_someone_elses_cursor_when_listing_then_400(users_table) -> None:
    for other in ("bob", "carol"):
        request(other, "alice")
        accept("alice", other)
    cursor = friends("alice", limit="1")["nextCursor"]
    status, body = call("GET", "/api/users/me/friends", "bob", query={"cursor": cursor})
    assert status == 400 and body["detail"] == "invalid cursor"


def test_given_bad_input_when_requesting_then_422_naming_the_field(users_table) -> None:
    status, body = call("POST", "/api/users/me/friends/requests", "alice", body={"user": "bob"})
    assert status == 422 and "body.userId" in [e["field"] for e in body["errors"]]
    status, body = request("alice", "alice")
    assert status == 422 and body["errors"] == [{"field": "body.userId", "message": "cannot target yourself"}]
    status, body = call("GET", "/api/users/me/friends", "alice", query={"limit": "500"})
    assert status == 422 and body["errors"][0]["field"] == "query.limit"
    status, body = call("GET", "/api/users/me/friends/requests", "alice", query={"direction": "sideways"})
    assert status == 422 and body["errors"][0]["field"] == "query.direction"


def test_given_friends_when_unfriended_cancelled_or_rejected_then_gone_and_repeats_are_404(users_table) -> None:
    request("alice", "bob")
    accept("bob", "alice")
    assert call("DELETE", "/api/users/me/friends/bob", "alice")[0] == 204
    assert ids(friends("bob")) == [] and call("DELETE", "/api/users/me/friends/bob", "alice")[0] == 404
    request("alice", "carol")
    assert call("DELETE", "/api/users/me/friends/requests/carol", "alice")[0] == 204
    assert call("GET", "/api/users/me/friends/requests", "carol")[1]["items"] == []
    request("dave", "alice")
    assert call("POST", "/api/users/me/friends/requests/dave/reject", "alice")[0] == 204
    assert call("POST", "/api/users/me/friends/requests/dave/reject", "alice")[0] == 404
    assert call("GET", "/api/users/me/friends/requests", "dave", query={"direction": "outgoing"})[1]["items"] == []


def test_given_a_follow_when_listed_then_each_side_sees_it_and_unfollow_removes_it(users_table) -> None:
    assert call("POST", "/api/users/me/following/bob", "alice")[0] == 204
    assert call("POST", "/api/users/me/following/bob", "alice")[0] == 204  # following again: no change
    assert ids(call("GET", "/api/users/me/following", "alice")[1]) == ["bob"]
    assert ids(call("GET", "/api/users/me/followers", "bob")[1]) == ["alice"]
    assert call("DELETE", "/api/users/me/following/bob", "alice")[0] == 204
    assert call("GET", "/api/users/me/followers", "bob")[1]["items"] == []


def test_given_friends_when_one_unfriends_then_friendship_ended_is_in_the_outbox(users_table) -> None:
    request("alice", "bob")
    accept("bob", "alice")
    assert call("DELETE", "/api/users/me/friends/bob", "alice")[0] == 204
    assert ("FriendshipEnded", {"userIds": ["alice", "bob"], "endedBy": "alice", "reason": "unfriended"}) in published(
        users_table)
    # And unfriending again is a 404 with no second event
    assert call("DELETE", "/api/users/me/friends/bob", "alice")[0] == 404
    assert [kind for kind, _ in published(users_table)].count("FriendshipEnded") == 1

"""Realtime channels through the deployed local stack with real WebSocket clients: the Origin allow-list,
limits, sessions ending, per-channel authorization, event fan-out, friends' presence and rooms.

Asynchronous paths (outbox → bus → queue → consumer → @connections) are waited for with generous
time-outs; their speed is measured by `make bench`, never asserted here."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests
from websockets.exceptions import InvalidStatus
from websockets.sync.client import ClientConnection, connect

from deepiri_common.events import DomainEvent
from tests.e2e.conftest import PASSWORD, wait_for
from tests.support.frames import closed_within, frames_within, next_frame

pytestmark = pytest.mark.e2e

ALLOWED_ORIGIN = "http://localhost:3000"


@contextmanager
def _socket(stack, token: str, **options: Any) -> Iterator[ClientConnection]:
    with connect(f"{stack.urls.websocket}?token={token}", open_timeout=20, max_size=2**21, **options) as socket:
        yield socket


def _connected(api, token: str, count: int = 1) -> None:
    wait_for(lambda: len(api("GET", "/api/realtime/me", token=token).json()["connections"]) >= count, seconds=30)


def test_given_a_foreign_origin_when_connecting_then_refused_and_no_connection_recorded(stack, account, api) -> None:
    user = account("ch-origin")
    with pytest.raises(InvalidStatus):
        connect(f"{stack.urls.websocket}?token={user.token}", origin="https://evil.example",  # type: ignore[arg-type]
                open_timeout=20).close()
    assert api("GET", "/api/realtime/me", token=user.token).json()["connections"] == []
    with _socket(stack, user.token, origin=ALLOWED_ORIGIN) as socket:
        socket.send(json.dumps({"action": "ping", "requestId": "o"}))
        assert next_frame(socket, "pong")["requestId"] == "o"


def test_given_a_frame_over_32_kb_when_sent_then_an_error_frame_and_the_connection_stays(stack, account) -> None:
    with _socket(stack, account("ch-big").token) as socket:
        socket.send(json.dumps({"action": "ping", "requestId": "x" * 10, "pad": "y" * 40_000}))
        error = next_frame(socket, "error")
        assert error["data"]["status"] == 413
        socket.send(json.dumps({"action": "ping"}))
        assert next_frame(socket, "pong")["type"] == "pong"


def test_given_a_user_logging_out_everywhere_then_their_open_connection_is_closed(stack, api) -> None:
    email = f"ch-logout-{time.time_ns()}@example.com"
    registered = api("POST", "/api/auth/register", json={"email": email, "password": PASSWORD, "displayName": "Lo"})
    token = registered.json()["tokens"]["accessToken"]
    with _socket(stack, token) as socket:
        _connected(api, token)
        assert api("POST", "/api/auth/logout-all", token=token).status_code == 204
        assert closed_within(socket, 60)


def test_given_a_completed_task_then_its_owner_gets_xp_awarded_and_another_user_nothing(stack, account, api) -> None:
    alice, bob = account("ch-alice"), account("ch-bob")
    with _socket(stack, alice.token) as mine, _socket(stack, bob.token) as theirs:
        _connected(api, alice.token)
        _connected(api, bob.token)
        task = api("POST", "/api/tasks", token=alice.token, json={"title": "Ship the sockets", "difficulty": "hard"})
        assert task.status_code == 201, task.text
        assert api("POST", f"/api/tasks/{task.json()['id']}/complete", token=alice.token, json={}).status_code == 200
        xp = next_frame(mine, "xp.awarded", seconds=60)
        assert (xp["channel"], xp["data"]["userId"]) == (f"user:{alice.id}", alice.id)
        leaked = [f for f in frames_within(theirs, 5) if f.get("channel") == f"user:{alice.id}"
                  or alice.id in json.dumps(f.get("data", {}))]
        assert leaked == []


def test_given_another_users_channel_or_a_foreign_project_when_subscribing_then_refused(stack, account, api) -> None:
    alice, bob = account("ch-alice"), account("ch-bob")
    project = api("POST", "/api/projects", token=alice.token, json={"name": "Secret plans"})
    assert project.status_code == 201, project.text
    with _socket(stack, bob.token) as socket:
        for channel in (f"user:{alice.id}", f"project:{project.json()['id']}"):
            socket.send(json.dumps({"action": "subscribe", "channel": channel, "requestId": channel}))
            refused = next_frame(socket, "error")
            assert (refused["data"]["status"], refused["requestId"]) == (403, channel)
        socket.send(json.dumps({"action": "subscribe", "channel": f"user:{bob.id}"}))
        assert next_frame(socket, "subscribed")["channel"] == f"user:{bob.id}"


@pytest.fixture(scope="module")
def friends(stack, account) -> tuple[Any, Any]:
    """Two users who are friends, once realtime has recorded it (it answers presence for friends only)."""
    ann, ben = account("ch-ann"), account("ch-ben")
    rest = stack.urls.rest

    def call(method: str, path: str, token: str, **kwargs: Any) -> Any:
        return requests.request(method, f"{rest}{path}", headers={"Authorization": f"Bearer {token}"},
                                timeout=30, **kwargs)

    assert call("POST", "/api/users/me/friends/requests", ann.token, json={"userId": ben.id}).status_code in (
        200, 201, 202)
    assert call("POST", f"/api/users/me/friends/requests/{ann.id}/accept", ben.token).status_code in (200, 204)
    wait_for(lambda: call("GET", "/api/realtime/presence", ben.token, params={"userIds": ann.id}).json()["items"],
             seconds=60)
    return ann, ben


def test_given_friends_when_one_connects_and_leaves_then_the_other_sees_online_then_offline(
        stack, friends, api) -> None:
    ann, ben = friends
    with _socket(stack, ben.token) as watcher:
        _connected(api, ben.token)
        with _socket(stack, ann.token):
            online = next_frame(watcher, "presence", seconds=60,
                           where=lambda f: f["data"]["userId"] == ann.id and f["data"]["status"] == "online")
            assert online["channel"] == f"user:{ben.id}"
        offline = next_frame(watcher, "presence", seconds=60,
                        where=lambda f: f["data"]["userId"] == ann.id and f["data"]["status"] == "offline")
        assert offline["channel"] == f"user:{ben.id}"


def test_given_two_members_of_a_room_when_editing_with_versions_then_a_stale_edit_gets_the_current_state(
        stack, friends, api) -> None:
    ann, ben = friends
    created = api("POST", "/api/realtime/rooms", token=ann.token, json={"name": "Plan", "invite": [ben.id]})
    assert created.status_code == 201, created.text
    room = created.json()["roomId"]
    with _socket(stack, ann.token) as first, _socket(stack, ben.token) as second:
        first.send(json.dumps({"action": "room.join", "roomId": room}))
        assert next_frame(first, "room.state")["data"]["version"] == 1
        second.send(json.dumps({"action": "room.join", "roomId": room}))
        assert next_frame(second, "room.state")["data"]["version"] == 1
        assert next_frame(first, "collaborator.joined")["data"]["userId"] == ben.id

        first.send(json.dumps({"action": "room.update", "roomId": room, "patch": {"title": "v2"}, "version": 1}))
        assert next_frame(second, "room.state")["data"] == {"roomId": room, "state": {"title": "v2"}, "version": 2}
        second.send(json.dumps({"action": "room.update", "roomId": room, "patch": {"title": "mine"}, "version": 1}))
        stale = next_frame(second, "error")
        assert (stale["data"]["status"], stale["data"]["version"], stale["data"]["state"]) == (409, 2, {"title": "v2"})
        second.send(json.dumps({"action": "room.leave", "roomId": room}))
        assert next_frame(first, "collaborator.left")["data"]["userId"] == ben.id


def test_given_a_flood_of_messages_then_an_error_frame_and_the_connection_is_closed(stack, account) -> None:
    with _socket(stack, account("ch-flood").token) as socket:
        # ten at a time, each ten answered before the next: a message the emulator's burst queue throttles
        # (it never reaches the handler) would not count, and the flood would not be seen. The limit counts
        # per calendar minute, so a flood that straddles a minute's end may split as 99 and 99: 210 messages
        # put at least 101 in one minute.
        flood: dict | None = None
        for first in range(0, 210, 10):
            for n in range(first, first + 10):
                socket.send(json.dumps({"action": "ping", "requestId": str(n)}))
            pongs = 0
            while pongs < 10 and flood is None:
                frame = json.loads(socket.recv(timeout=60))
                pongs += frame["type"] == "pong"
                if frame["type"] == "error" and frame["data"]["status"] == 429:
                    flood = frame
            if flood is not None:
                break
        assert flood is not None and first >= 90  # refused at the limit (100 a minute), not before it
        assert "messages a minute" in flood["data"]["detail"]
        assert closed_within(socket, 30)


def test_given_a_deleted_user_then_their_connections_are_removed(stack, account, api, publish) -> None:
    user = account("ch-deleted")
    with _socket(stack, user.token) as socket:
        _connected(api, user.token)
        publish(DomainEvent.new("users", "UserDeleted", {"userId": user.id}, actor=user.id))
        assert closed_within(socket, 60)
    wait_for(lambda: api("GET", "/api/realtime/me", token=user.token).json()["connections"] == [], seconds=30)

"""The realtime WebSocket through the deployed local stack: authorised connect, ping, live event pushes."""

from __future__ import annotations

import json

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from deepiri_common.events import DomainEvent
from deepiri_common.ids import new_ulid
from tests.e2e.conftest import wait_for
from tests.support.frames import frames_within, next_frame


def test_given_no_or_bad_token_when_connecting_then_the_handshake_is_refused(stack) -> None:
    for query in ("", "?token=not-a-jwt"):
        with pytest.raises(InvalidStatus) as refused:
            connect(f"{stack.urls.websocket}{query}", open_timeout=15).close()
        assert refused.value.response.status_code in (401, 403)


def test_given_a_connected_user_when_pinging_then_pong_echoes_the_request_id(stack, account) -> None:
    with connect(f"{stack.urls.websocket}?token={account('rt-ping').token}", open_timeout=15) as socket:
        socket.send(json.dumps({"action": "ping", "requestId": "r-1"}))
        reply = next_frame(socket, "pong")
        assert reply["requestId"] == "r-1"
        socket.send("{not json")
        error = next_frame(socket, "error")
        assert error["data"]["status"] == 400


def test_given_a_connected_user_when_an_event_about_them_is_published_twice_then_one_frame_arrives(
    stack, account, publish, api
) -> None:
    user = account("rt-push")
    user_id, token, stranger = user.id, user.token, new_ulid()
    with connect(f"{stack.urls.websocket}?token={token}", open_timeout=15) as socket:
        wait_for(lambda: api("GET", "/api/realtime/me", token=token).json()["connections"])
        mine = DomainEvent.new("engagement", "XpAwarded", {"userId": user_id, "amount": 50}, actor="system")
        theirs = DomainEvent.new("engagement", "XpAwarded", {"userId": stranger, "amount": 7}, actor="system")
        publish(mine)
        publish(theirs)
        publish(mine)  # redelivery of the same event id
        first = next_frame(socket, "xp.awarded", seconds=30)
        later = [f for f in frames_within(socket, 5) if f["type"] == "xp.awarded"]
    assert first == {"type": "xp.awarded", "id": mine.id, "ts": mine.detail.occurredAt,
                     "channel": f"user:{user_id}", "data": {"userId": user_id, "amount": 50}}
    assert later == []


def test_given_a_closed_connection_when_listing_then_it_is_forgotten(stack, account, api) -> None:
    token = account("rt-close").token
    with connect(f"{stack.urls.websocket}?token={token}", open_timeout=15):
        assert len(wait_for(lambda: api("GET", "/api/realtime/me", token=token).json()["connections"])) == 1
    wait_for(lambda: api("GET", "/api/realtime/me", token=token).json()["connections"] == [])


def test_given_two_devices_when_one_declares_a_status_then_the_other_receives_presence_updated(
    stack, account, api
) -> None:
    # The whole async path: presence + outbox in one transaction → table stream → outbox forwarder →
    # bus → realtime rule → queue → consumer → @connections push.
    token = account("rt-devices").token
    with connect(f"{stack.urls.websocket}?token={token}", open_timeout=15) as laptop:
        wait_for(lambda: api("GET", "/api/realtime/me", token=token).json()["connections"])
        put = api("PUT", "/api/realtime/presence", token=token, json={"status": "busy", "message": "focus"})
        assert put.status_code == 200, put.text
        frame = next_frame(laptop, "presence", seconds=45, where=lambda f: f["data"]["status"] == "busy")
    assert frame["channel"] == f"user:{put.json()['userId']}"
    assert frame["data"] == put.json()

"""A WebSocket session as its client sees it: the allow-list as written by an operator, each answer's exact
error frame, the heartbeat that keeps a connection alive, and the rooms a closed connection leaves."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from deepiri_common.clock import to_iso
from deepiri_realtime.logic.ports import Limits
from deepiri_realtime.logic.presence import sweep
from deepiri_realtime.logic.replies import error, reply
from deepiri_realtime.logic.rooms import create_room, join
from deepiri_realtime.logic.sessions import (
    close_session,
    closes,
    end_user_sessions,
    on_message,
    open_session,
    origin_allowed,
    parse,
)
from deepiri_realtime.models.rooms import RoomCreate
from tests.unit.realtime.fakes import memory_realtime

AT = "2026-01-01T00:00:00.000Z"
LONG_AGO = to_iso(datetime(2020, 1, 1, tzinfo=UTC))


def _send(s, connection_id: str, user_id: str, message: dict[str, Any]) -> list[dict[str, Any]]:
    return [json.loads(frame.encode()) for frame in on_message(s, connection_id, user_id, json.dumps(message))]


@pytest.mark.parametrize(("origin", "allowed", "ok"), [
    ("https://app.example", [" https://app.example/ "], True),  # an operator's spaces and slash
    ("https://app.example", ["HTTPS://APP.EXAMPLE"], True),
    (" https://app.example/ ", ["https://app.example"], True),
    ("https://app.example", ["https://other.example", "https://app.example"], True),
    ("", ["", "  "], False),  # blank entries allow nothing
    ("https://app.example", [" * "], True),
    ("https://app.example.evil", ["https://app.example"], False),
    ("https://app.example", [], False),
    ("https://app.exampleX", ["https://app.example"], False),  # another origin, not a trailing character
    ("https://app.example", ["https://app.exampleX"], False),
])
def test_given_an_allow_list_as_configured_then_origins_are_compared_without_case_spaces_or_slash(
        origin: str, allowed: list[str], ok: bool) -> None:
    assert origin_allowed(origin, allowed) is ok


def test_given_a_session_then_the_user_is_online_and_subscribed_to_their_own_channel() -> None:
    s = memory_realtime()

    open_session(s, "a1", "alice")

    assert s.connections.get("a1").userId == "alice"  # type: ignore[union-attr]
    assert s.connections.subscriptions("a1") == ["user:alice"]
    assert s.presence.online_users() == ["alice"]


def test_given_a_closed_connection_in_rooms_then_each_rooms_members_are_told_it_left() -> None:
    s = memory_realtime()
    for member in ("alice", "bob"):
        s.rights.record("project:p", member, True, AT)
    room = create_room(s, "alice", RoomCreate(name="Board", projectId="p"))
    open_session(s, "a1", "alice")
    open_session(s, "b1", "bob")
    s.rights.record("project:q", "bob", True, AT)
    _send(s, "b1", "bob", {"action": "subscribe", "channel": "project:q"})
    join(s, "a1", "alice", room.roomId, None)
    join(s, "b1", "bob", room.roomId, None)
    s.pusher.sent.clear()  # type: ignore[attr-defined]

    close_session(s, "b1")

    assert [(f["type"], f["channel"], f["data"]) for f in s.pusher.to("a1")] == [  # type: ignore[attr-defined]
        ("collaborator.left", f"room:{room.roomId}", {"roomId": room.roomId, "userId": "bob"})]
    assert s.connections.get("b1") is None
    assert s.presence.online_users() == ["alice"]


def test_given_revoked_sessions_then_the_count_and_the_user_goes_offline() -> None:
    s = memory_realtime()
    open_session(s, "a1", "alice")
    open_session(s, "a2", "alice")

    assert end_user_sessions(s, "alice") == 2
    assert end_user_sessions(s, "alice") == 0
    assert s.presence.online_users() == []


@pytest.mark.parametrize("limit", [1, 5])
def test_given_the_flood_limit_then_the_error_frame_names_it(limit: int) -> None:
    s = memory_realtime(limits=Limits(messages_per_minute=limit))
    open_session(s, "a1", "alice")
    for _ in range(limit):
        assert _send(s, "a1", "alice", {"action": "ping"})[0]["type"] == "pong"

    [refused] = _send(s, "a1", "alice", {"action": "ping"})

    assert refused["data"] == {"status": 429,
                               "detail": f"more than {limit} messages a minute: closing the connection"}


def test_given_the_frame_limit_then_a_frame_of_exactly_that_size_is_answered() -> None:
    s = memory_realtime(limits=Limits(max_frame_bytes=100))
    open_session(s, "a1", "alice")
    ping = '{"action": "ping"}'
    exact = ping + " " * (100 - len(ping))

    [answer] = on_message(s, "a1", "alice", exact)
    [refused] = on_message(s, "a1", "alice", exact + " ")
    [empty] = on_message(s, "a1", "alice", None)

    assert answer.type == "pong"
    assert refused.data == {"status": 413, "detail": "frames are limited to 100 bytes"}
    assert empty.data["status"] == 400  # no body is not JSON, and no crash


def test_the_limits_a_connection_has_by_default() -> None:
    assert (Limits().max_frame_bytes, Limits().messages_per_minute) == (32 * 1024, 100)


@pytest.mark.parametrize(("frames", "closing"), [
    ([], False),
    ([error(429, "flood")], True),
    ([error(403, "no")], False),
    ([reply("pong", {"status": 429})], False),  # only an error frame closes
    ([error(429, "flood"), reply("pong")], False),  # only when it is the last
])
def test_given_frames_then_only_a_last_flood_error_closes(frames: list[Any], closing: bool) -> None:
    assert closes(frames) is closing


@pytest.mark.parametrize(("frame", "detail"), [
    ("{oops", "frame is not JSON: Expecting property name enclosed in double quotes"),
    ('{"action": "dance"}', "invalid frame fields: action"),
    ('{"requestId": "x"}', "invalid frame fields: action"),
    ("[1]", "invalid frame fields: (root)"),
    ('{"action": "room.update", "roomId": "r", "patch": {}, "version": 0, "extra": 1}',
     "invalid frame fields: version, extra"),
    ('{"action": "subscribe", "channel": "user:a:b", "requestId": "x", "admin": 1}',
     "invalid frame fields: channel, admin"),
])
def test_given_a_frame_that_is_no_message_then_the_error_names_exactly_what(frame: str, detail: str) -> None:
    answer = parse(frame)

    assert answer.type == "error"  # type: ignore[union-attr]
    assert answer.data["detail"] == detail  # type: ignore[union-attr]


def test_given_a_ping_or_a_presence_then_the_connection_counts_as_alive() -> None:
    s = memory_realtime()
    for connection in ("a1", "b1", "c1"):
        open_session(s, connection, connection[0])
        s.connections.items[connection].lastSeenAt = LONG_AGO  # type: ignore[attr-defined]

    [pong] = _send(s, "a1", "a", {"action": "ping", "requestId": "p1"})
    assert _send(s, "b1", "b", {"action": "presence.set", "status": "away"}) == []

    assert (pong["type"], pong["requestId"]) == ("pong", "p1")
    assert sweep(s, timedelta(minutes=2)) == 1
    assert s.pusher.closed == ["c1"]  # type: ignore[attr-defined]
    assert s.presence.get("b").declared.status == "away"  # type: ignore[union-attr]


def test_given_subscribe_and_unsubscribe_then_each_answer_names_the_channel_and_request() -> None:
    s = memory_realtime()
    s.rights.record("duel:d1", "alice", True, AT)
    open_session(s, "a1", "alice")

    [subscribed] = _send(s, "a1", "alice", {"action": "subscribe", "channel": "duel:d1", "requestId": "s"})
    [refused] = _send(s, "a1", "alice", {"action": "subscribe", "channel": "duel:d2", "requestId": "r"})
    [unsubscribed] = _send(s, "a1", "alice", {"action": "unsubscribe", "channel": "duel:d1", "requestId": "u"})

    assert (subscribed["type"], subscribed["channel"], subscribed["requestId"]) == ("subscribed", "duel:d1", "s")
    assert refused["data"] == {"status": 403, "detail": "not allowed to subscribe to duel:d2"}
    assert (unsubscribed["type"], unsubscribed["channel"], unsubscribed["requestId"]) == (
        "unsubscribed", "duel:d1", "u")


def test_given_room_messages_then_each_reaches_the_room() -> None:
    s = memory_realtime()
    for member in ("alice", "bob"):
        s.rights.record("project:p", member, True, AT)
    room = create_room(s, "alice", RoomCreate(name="Board", projectId="p"))
    channel = f"room:{room.roomId}"
    open_session(s, "a1", "alice")
    open_session(s, "b1", "bob")
    _send(s, "b1", "bob", {"action": "room.join", "roomId": room.roomId})

    [joined] = _send(s, "a1", "alice", {"action": "room.join", "roomId": room.roomId, "requestId": "j"})
    [stale] = _send(s, "a1", "alice", {"action": "room.update", "roomId": room.roomId, "patch": {"x": 1},
                                       "version": 2, "requestId": "w"})
    assert _send(s, "a1", "alice", {"action": "room.update", "roomId": room.roomId, "patch": {"x": 1},
                                    "version": 1, "requestId": "w"}) == []
    s.pusher.sent.clear()  # type: ignore[attr-defined]
    [left] = _send(s, "a1", "alice", {"action": "room.leave", "roomId": room.roomId, "requestId": "l"})

    assert (joined["type"], joined["requestId"]) == ("room.state", "j")
    assert (stale["requestId"], stale["data"]["status"]) == ("w", 409)
    assert s.rooms.get(room.roomId).state == {"x": 1}  # type: ignore[union-attr]
    assert (left["type"], left["channel"], left["requestId"]) == ("unsubscribed", channel, "l")
    assert channel not in s.connections.subscriptions("a1")
    assert [(f["type"], f["data"]["userId"]) for f in s.pusher.to("b1")] == [  # type: ignore[attr-defined]
        ("collaborator.left", "alice")]
    assert s.pusher.to("a1") == []  # type: ignore[attr-defined]


def test_given_a_subscription_then_pushes_are_checked_against_the_subscriber() -> None:
    s = memory_realtime()
    s.rights.record("project:p", "alice", True, AT)
    room = create_room(s, "alice", RoomCreate(name="Board", projectId="p"))
    open_session(s, "a1", "alice")
    _send(s, "a1", "alice", {"action": "subscribe", "channel": "project:p"})
    _send(s, "a1", "alice", {"action": "room.join", "roomId": room.roomId})

    assert {sub.userId for sub in s.connections.subscribers("project:p")} == {"alice"}
    assert {sub.userId for sub in s.connections.subscribers(f"room:{room.roomId}")} == {"alice"}


def test_given_two_connections_then_each_has_its_own_flood_limit() -> None:
    s = memory_realtime(limits=Limits(messages_per_minute=1))
    open_session(s, "a1", "alice")
    open_session(s, "a2", "alice")

    assert _send(s, "a1", "alice", {"action": "ping"})[0]["type"] == "pong"
    assert _send(s, "a2", "alice", {"action": "ping"})[0]["type"] == "pong"


def test_given_duel_progress_from_a_stranger_then_the_refusal_names_the_duel() -> None:
    s = memory_realtime()
    open_session(s, "b1", "bob")

    [refused] = _send(s, "b1", "bob", {"action": "duel.progress", "duelId": "d9", "progress": 1, "requestId": "d"})
    [pong] = _send(s, "b1", "bob", {"action": "ping"})

    assert (refused["requestId"], refused["data"]) == ("d", {"status": 403, "detail": "not a participant of duel:d9"})
    assert s.outbox.events == []  # type: ignore[attr-defined]
    assert "requestId" not in pong  # a message without one gets an answer without one


def test_given_a_subscriber_index_that_still_lists_a_closed_connection_then_it_is_not_told_it_left() -> None:
    s = memory_realtime()
    for member in ("alice", "bob"):
        s.rights.record("project:p", member, True, AT)
    room = create_room(s, "alice", RoomCreate(name="Board", projectId="p"))
    open_session(s, "a1", "alice")
    open_session(s, "b1", "bob")
    join(s, "a1", "alice", room.roomId, None)
    join(s, "b1", "bob", room.roomId, None)
    listed = s.connections.subscribers(f"room:{room.roomId}")
    s.connections.subscribers = lambda _channel: listed  # the table's index lags behind the removal
    s.pusher.sent.clear()  # type: ignore[attr-defined]

    close_session(s, "b1")

    assert [f["type"] for f in s.pusher.to("a1")] == ["collaborator.left"]  # type: ignore[attr-defined]
    assert s.pusher.to("b1") == []  # type: ignore[attr-defined]

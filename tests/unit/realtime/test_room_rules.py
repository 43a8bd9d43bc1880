"""Collaboration rooms as their members see them: who may create, see, invite and leave; what joining,
leaving and each update answer and push; the state's size limit; and RFC 7396 merge patches."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from deepiri_common.clock import to_iso
from deepiri_common.problems import NotFound, ValidationFailed
from deepiri_realtime.dal.rooms import StaleVersion
from deepiri_realtime.logic import rooms
from deepiri_realtime.logic.rooms import (
    MAX_STATE_BYTES,
    create_room,
    invite,
    join,
    leave,
    leave_room,
    merge_patch,
    update,
    visible_room,
)
from deepiri_realtime.logic.sessions import open_session
from deepiri_realtime.models.messages import RoomUpdate
from deepiri_realtime.models.rooms import Room, RoomCreate
from tests.unit.realtime.fakes import memory_realtime

AT = "2026-01-01T00:00:00.000Z"
NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def _frames(frames: list[Any]) -> list[dict[str, Any]]:
    return [json.loads(frame.encode()) for frame in frames]


def _friends(s, user: str, *friends: str) -> None:
    for friend in friends:
        s.rights.record(f"friends:{user}", friend, True, AT)


def _problem(raised: pytest.ExceptionInfo[ValidationFailed]) -> list[dict[str, str]]:
    return raised.value.errors


def test_given_a_project_room_then_it_is_open_to_the_members_and_invites_nobody() -> None:
    s = memory_realtime()
    s.rights.record("project:p", "alice", True, AT)
    s.rights.record("project:p", "bob", True, AT)
    _friends(s, "alice", "carol")

    with pytest.raises(ValidationFailed) as raised:
        create_room(s, "alice", RoomCreate(name="x", projectId="p", invite=["carol"]))
    assert _problem(raised) == [{"field": "body.invite", "message": "a project room is open to its members"}]
    room = create_room(s, "alice", RoomCreate(name="Board", projectId="p"))

    assert (room.name, room.ownerId, room.projectId, room.version, room.state) == ("Board", "alice", "p", 1, {})
    assert s.rooms.get(room.roomId) == room
    assert s.rights.holders(f"room:{room.roomId}") == set()  # nobody is invited: membership decides
    assert visible_room(s, "bob", room.roomId) == room
    with pytest.raises(NotFound) as hidden:
        visible_room(s, "carol", room.roomId)
    assert hidden.value.detail == "no such room"


def test_given_a_user_room_then_its_owner_and_each_invited_friend_once() -> None:
    s = memory_realtime()
    _friends(s, "alice", "bob", "carol")

    with pytest.raises(ValidationFailed) as raised:
        create_room(s, "alice", RoomCreate(name="x", invite=["bob", "mallory"]))
    assert _problem(raised) == [{"field": "body.invite", "message": "only friends can be invited"}]
    room = create_room(s, "alice", RoomCreate(name="Plan", invite=["carol", "bob", "carol"]))

    assert (room.ownerId, room.projectId, room.createdAt[:4]) == ("alice", None, to_iso(rooms.utc_now())[:4])
    assert s.rights.holders(f"room:{room.roomId}") == {"alice", "bob", "carol"}


def test_given_a_project_the_caller_is_not_in_then_no_such_project() -> None:
    s = memory_realtime()
    with pytest.raises(NotFound) as raised:
        create_room(s, "carol", RoomCreate(name="x", projectId="p"))
    assert raised.value.detail == "no such project"
    assert s.rooms.items == {}  # type: ignore[attr-defined]


def test_given_a_room_that_does_not_exist_then_it_is_hidden_like_a_foreign_one() -> None:
    with pytest.raises(NotFound, match="no such room"):
        visible_room(memory_realtime(), "alice", "nowhere")


def test_given_a_user_room_then_a_member_invites_only_friends(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rooms, "utc_now", lambda: NOW)
    s = memory_realtime()
    _friends(s, "alice", "bob")
    _friends(s, "bob", "dan")
    room = create_room(s, "alice", RoomCreate(name="Plan", invite=["bob"]))

    with pytest.raises(ValidationFailed) as raised:
        invite(s, "bob", room.roomId, "erin")
    assert _problem(raised) == [{"field": "body.userId", "message": "only friends can be invited"}]
    invite(s, "bob", room.roomId, "dan")  # bob's friend, not alice's

    assert s.rights.holders(f"room:{room.roomId}") == {"alice", "bob", "dan"}
    assert s.rights.items[(f"room:{room.roomId}", "dan")] == (True, to_iso(NOW))  # type: ignore[attr-defined]
    with pytest.raises(NotFound):
        invite(s, "erin", room.roomId, "erin")


def test_given_a_project_room_then_nobody_is_invited_and_leaving_it_is_leaving_the_project() -> None:
    s = memory_realtime()
    s.rights.record("project:p", "alice", True, AT)
    _friends(s, "alice", "bob")
    room = create_room(s, "alice", RoomCreate(name="Board", projectId="p"))

    with pytest.raises(ValidationFailed) as raised:
        invite(s, "alice", room.roomId, "bob")
    assert _problem(raised) == [{"field": "body.userId", "message": "a project room is open to its members"}]
    leave_room(s, "alice", room.roomId)

    assert s.rights.items.get((f"room:{room.roomId}", "alice")) is None  # type: ignore[attr-defined]
    assert visible_room(s, "alice", room.roomId) == room


def test_given_an_invitation_when_given_up_then_the_room_is_hidden_from_that_user(
        monkeypatch: pytest.MonkeyPatch) -> None:
    s = memory_realtime()
    _friends(s, "alice", "bob")
    room = create_room(s, "alice", RoomCreate(name="Plan", invite=["bob"]))
    later = rooms.utc_now() + timedelta(minutes=1)
    monkeypatch.setattr(rooms, "utc_now", lambda: later)

    leave_room(s, "bob", room.roomId)

    assert s.rights.items[(f"room:{room.roomId}", "bob")] == (False, to_iso(later))  # type: ignore[attr-defined]

    assert s.rights.holders(f"room:{room.roomId}") == {"alice"}
    with pytest.raises(NotFound):
        visible_room(s, "bob", room.roomId)


def _room_with(s, *members: str) -> Room:
    for member in members:
        s.rights.record("project:p", member, True, AT)
    room = create_room(s, members[0], RoomCreate(name="Board", projectId="p"))
    for member in members:
        open_session(s, f"{member}-1", member)
    return room


def test_given_a_join_then_the_joiner_gets_the_state_and_the_others_are_told() -> None:
    s = memory_realtime()
    room = _room_with(s, "alice", "bob")
    channel = f"room:{room.roomId}"
    join(s, "alice-1", "alice", room.roomId, None)

    [state] = _frames(join(s, "bob-1", "bob", room.roomId, "q1"))

    assert (state["type"], state["channel"], state["requestId"]) == ("room.state", channel, "q1")
    assert state["data"] == {"roomId": room.roomId, "state": {}, "version": 1}
    assert [(f["type"], f["channel"], f["data"]) for f in s.pusher.to("alice-1")] == [  # type: ignore[attr-defined]
        ("collaborator.joined", channel, {"roomId": room.roomId, "userId": "bob"})]
    assert s.pusher.to("bob-1") == []  # type: ignore[attr-defined]
    assert channel in s.connections.subscriptions("bob-1")


def test_given_a_room_one_may_not_join_then_403_and_no_subscription() -> None:
    s = memory_realtime()
    room = _room_with(s, "alice")
    open_session(s, "carol-1", "carol")

    for room_id in (room.roomId, "nowhere"):
        [refused] = _frames(join(s, "carol-1", "carol", room_id, "q2"))
        assert (refused["type"], refused["requestId"], refused["data"]) == (
            "error", "q2", {"status": 403, "detail": f"not allowed to join room:{room_id}"})
    assert s.connections.subscriptions("carol-1") == ["user:carol"]


def test_given_a_subscriber_index_that_still_lists_the_leaving_connection_then_it_is_not_told_it_left() -> None:
    s = memory_realtime()
    room = _room_with(s, "alice", "bob")
    channel = f"room:{room.roomId}"
    join(s, "alice-1", "alice", room.roomId, None)
    join(s, "bob-1", "bob", room.roomId, None)
    listed = s.connections.subscribers(channel)
    s.connections.subscribers = lambda _channel: listed  # the table's index lags behind the unsubscribe
    s.pusher.sent.clear()  # type: ignore[attr-defined]

    leave(s, "bob-1", "bob", room.roomId, None)

    assert [f["type"] for f in s.pusher.to("alice-1")] == ["collaborator.left"]  # type: ignore[attr-defined]
    assert s.pusher.to("bob-1") == []  # type: ignore[attr-defined]


def test_given_a_leave_then_unsubscribed_and_the_others_are_told() -> None:
    s = memory_realtime()
    room = _room_with(s, "alice", "bob")
    channel = f"room:{room.roomId}"
    join(s, "alice-1", "alice", room.roomId, None)
    join(s, "bob-1", "bob", room.roomId, None)
    s.pusher.sent.clear()  # type: ignore[attr-defined]

    [answer] = _frames(leave(s, "bob-1", "bob", room.roomId, "q3"))

    assert (answer["type"], answer["channel"], answer["requestId"]) == ("unsubscribed", channel, "q3")
    assert [(f["type"], f["data"]) for f in s.pusher.to("alice-1")] == [  # type: ignore[attr-defined]
        ("collaborator.left", {"roomId": room.roomId, "userId": "bob"})]
    assert s.pusher.to("bob-1") == []  # type: ignore[attr-defined]
    assert channel not in s.connections.subscriptions("bob-1")


def _update(room_id: str, patch: dict[str, Any], version: int) -> RoomUpdate:
    return RoomUpdate(action="room.update", roomId=room_id, patch=patch, version=version, requestId="u")


def test_given_an_update_then_every_member_in_the_room_gets_the_new_state_and_version() -> None:
    s = memory_realtime()
    room = _room_with(s, "alice", "bob")
    join(s, "alice-1", "alice", room.roomId, None)
    join(s, "bob-1", "bob", room.roomId, None)
    s.pusher.sent.clear()  # type: ignore[attr-defined]

    assert update(s, "alice-1", "alice", _update(room.roomId, {"x": 1}, 1), "u") == []

    for connection in ("alice-1", "bob-1"):
        [pushed] = s.pusher.to(connection)  # type: ignore[attr-defined]
        assert (pushed["type"], pushed["channel"], pushed["data"]) == (
            "room.state", f"room:{room.roomId}", {"roomId": room.roomId, "state": {"x": 1}, "version": 2})
    assert (s.rooms.get(room.roomId).state, s.rooms.get(room.roomId).version) == ({"x": 1}, 2)  # type: ignore[union-attr]


def test_given_an_update_before_joining_then_403() -> None:
    s = memory_realtime()
    room = _room_with(s, "alice")

    for room_id in (room.roomId, "nowhere"):
        [refused] = _frames(update(s, "alice-1", "alice", _update(room_id, {"x": 1}, 1), "u"))
        assert (refused["requestId"], refused["data"]) == (
            "u", {"status": 403, "detail": f"join room:{room_id} before updating it"})


def test_given_a_member_removed_after_joining_then_their_update_is_refused() -> None:
    s = memory_realtime()
    room = _room_with(s, "alice")
    join(s, "alice-1", "alice", room.roomId, None)
    s.rights.record("project:p", "alice", False, "2026-02-01T00:00:00.000Z")

    [refused] = _frames(update(s, "alice-1", "alice", _update(room.roomId, {"x": 1}, 1), "u"))

    assert refused["data"]["status"] == 403
    assert s.rooms.get(room.roomId).version == 1  # type: ignore[union-attr]


def test_given_a_stale_version_then_409_with_the_current_state() -> None:
    s = memory_realtime()
    room = _room_with(s, "alice")
    join(s, "alice-1", "alice", room.roomId, None)
    update(s, "alice-1", "alice", _update(room.roomId, {"x": 1}, 1), "u")

    for stale_version in (1, 3):
        [stale] = _frames(update(s, "alice-1", "alice", _update(room.roomId, {"x": 2}, stale_version), "u"))
        assert (stale["requestId"], stale["data"]) == ("u", {
            "status": 409, "detail": "the room changed since that version", "roomId": room.roomId,
            "state": {"x": 1}, "version": 2})


def test_given_a_state_over_the_limit_then_413_and_nothing_changes() -> None:
    s = memory_realtime()
    room = _room_with(s, "alice")
    join(s, "alice-1", "alice", room.roomId, None)
    filler = "x" * (MAX_STATE_BYTES - len(json.dumps({"t": ""}).encode()))
    s.pusher.sent.clear()  # type: ignore[attr-defined]

    assert update(s, "alice-1", "alice", _update(room.roomId, {"t": filler}, 1), "u") == []  # exactly the limit
    [refused] = _frames(update(s, "alice-1", "alice", _update(room.roomId, {"t": filler + "y"}, 2), "u"))

    assert MAX_STATE_BYTES == 32 * 1024
    assert (refused["requestId"], refused["data"]) == (
        "u", {"status": 413, "detail": "a room's state is limited to 32768 bytes"})
    assert s.rooms.get(room.roomId).version == 2  # type: ignore[union-attr]


def test_given_an_update_that_loses_a_race_then_409_with_the_winners_state() -> None:
    s = memory_realtime()
    room = _room_with(s, "alice", "bob")
    join(s, "alice-1", "alice", room.roomId, None)
    join(s, "bob-1", "bob", room.roomId, None)
    real_replace = s.rooms.replace_state

    def concurrent(room_id: str, state: dict[str, Any], expected_version: int) -> int:
        real_replace(room_id, {"winner": "bob"}, expected_version)  # bob's write lands first
        raise StaleVersion(room_id)

    s.rooms.replace_state = concurrent  # type: ignore[method-assign]
    s.pusher.sent.clear()  # type: ignore[attr-defined]

    [lost] = _frames(update(s, "alice-1", "alice", _update(room.roomId, {"x": 1}, 1), "u"))

    assert (lost["requestId"], lost["data"]) == ("u", {
        "status": 409, "detail": "the room changed since that version", "roomId": room.roomId,
        "state": {"winner": "bob"}, "version": 2})
    assert s.pusher.sent == []  # type: ignore[attr-defined]


@pytest.mark.parametrize(("state", "patch", "merged"), [
    ({"a": 1}, {"a": None, "b": None}, {}),  # null removes, even a key that is not there
    ({"a": {"b": 1}}, {"a": {"c": 2}}, {"a": {"b": 1, "c": 2}}),
    ({"a": [1]}, {"a": {"c": 2}}, {"a": {"c": 2}}),  # an object replaces what is not one
    ({"a": {"b": 1}}, {"a": [2]}, {"a": [2]}),
    ({"a": {"b": {"c": 1, "d": 2}}}, {"a": {"b": {"c": None}}}, {"a": {"b": {"d": 2}}}),
    ({}, {"a": {"b": None, "c": 1}}, {"a": {"c": 1}}),  # a new object's nulls are removed too (RFC 7396)
    ({"a": "x"}, {"a": {"b": None}}, {"a": {}}),
])
def test_given_a_merge_patch_then_rfc_7396(state: dict[str, Any], patch: dict[str, Any],
                                           merged: dict[str, Any]) -> None:
    before = json.dumps(state)

    assert merge_patch(state, patch) == merged
    assert json.dumps(state) == before  # the room's state is not changed in place

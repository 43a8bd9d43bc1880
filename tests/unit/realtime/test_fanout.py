"""Fan-out: each pushed event becomes one frame type on the right channels, reaching exactly the
connections subscribed and allowed; channel rights follow the events; rooms keep a versioned state."""

from __future__ import annotations

import json

import pytest

from deepiri_common.events import DomainEvent, ReceivedEvent
from deepiri_common.problems import NotFound, ValidationFailed
from deepiri_realtime.logic.fanout import channels_for, fan_out, frame_for
from deepiri_realtime.logic.rights import apply_rights
from deepiri_realtime.logic.rooms import create_room, merge_patch
from deepiri_realtime.logic.sessions import on_message, open_session
from deepiri_realtime.models.rooms import RoomCreate
from tests.unit.realtime.fakes import memory_realtime

AT = "2026-01-01T00:00:00.000Z"


def _event(detail_type: str, data: dict, occurred_at: str | None = None) -> ReceivedEvent:
    event = DomainEvent.new("any", detail_type, data, actor="system")
    detail = event.detail.model_dump() | ({"occurredAt": occurred_at} if occurred_at else {})
    return ReceivedEvent.model_validate({"id": "bus-1", "source": event.source, "detail-type": detail_type,
                                         "time": event.detail.occurredAt, "detail": detail})


def _send(s, connection_id: str, user_id: str, message: dict) -> list[dict]:
    return [json.loads(f.encode()) for f in on_message(s, connection_id, user_id, json.dumps(message))]


@pytest.mark.parametrize(("detail_type", "data", "frame_type", "channels"), [
    ("XpAwarded", {"userId": "a", "amount": 5}, "xp.awarded", ["user:a"]),
    ("LevelUp", {"userId": "a", "level": 2}, "level.up", ["user:a"]),
    ("BadgeEarned", {"userId": "a", "badgeId": "b"}, "badge.earned", ["user:a"]),
    ("StreakUpdated", {"userId": "a", "days": 3}, "streak.updated", ["user:a"]),
    ("NotificationCreated", {"userId": "a", "notificationId": "n"}, "notification", ["user:a"]),
    ("TaskUpdated", {"ownerId": "a", "projectId": None, "taskId": "t"}, "task.updated", ["user:a"]),
    ("TaskUpdated", {"ownerId": "a", "projectId": "p", "taskId": "t"}, "task.updated", ["user:a", "project:p"]),
    ("DuelInvited", {"duelId": "d", "opponentId": "b", "participantIds": ["a", "b"]}, "duel.update", ["user:b"]),
    ("DuelStarted", {"duelId": "d", "participantIds": ["a", "b"]}, "duel.update", ["duel:d"]),
    ("DuelFinished", {"duelId": "d", "participantIds": ["a", "b"]}, "duel.update", ["duel:d"]),
    ("PresenceUpdated", {"userId": "a", "status": "online"}, "presence", ["user:a"]),
])
def test_given_a_pushed_event_then_its_frame_type_and_channels(detail_type, data, frame_type, channels) -> None:
    event = _event(detail_type, data)
    assert channels_for(event) == channels
    frame = json.loads(frame_for(event, channels[0]).encode())
    assert set(frame) == {"type", "id", "ts", "channel", "data"}
    assert (frame["type"], frame["id"], frame["ts"], frame["channel"]) == (
        frame_type, event.detail.id, event.detail.occurredAt, channels[0])
    assert frame["data"].items() >= data.items()


def test_given_a_presence_change_then_it_goes_to_the_user_and_each_friend() -> None:
    event = _event("PresenceUpdated", {"userId": "a", "status": "away"})
    assert channels_for(event, friends={"c", "b"}) == ["user:a", "user:b", "user:c"]


def test_given_subscribers_when_fanning_out_then_exactly_the_subscribed_and_allowed_connections_receive() -> None:
    s = memory_realtime(gone={"gone"})
    for connection, user in [("a1", "alice"), ("a2", "alice"), ("b1", "bob"), ("c1", "carol"), ("gone", "alice")]:
        open_session(s, connection, user)
    s.rights.record("project:p", "alice", True, AT)
    s.rights.record("project:p", "carol", True, AT)
    s.connections.subscribe("c1", "carol", "project:p")
    s.connections.subscribe("b1", "bob", "project:p")  # subscribed while a member, since removed

    pushes = fan_out(s, _event("TaskUpdated", {"ownerId": "alice", "projectId": "p", "taskId": "t"}))

    assert pushes == 3
    assert sorted(cid for cid, _ in s.pusher.sent) == ["a1", "a2", "c1"]  # type: ignore[attr-defined]
    assert s.connections.get("gone") is None  # 410: forgotten at once, not retried


def test_given_membership_events_out_of_order_then_the_latest_decides() -> None:
    s = memory_realtime()
    added = _event("MemberAdded", {"projectId": "p", "userId": "bob", "role": "editor"}, "2026-01-01T10:00:00.000Z")
    removed = _event("MemberRemoved", {"projectId": "p", "userId": "bob", "reason": "left"}, "2026-01-01T11:00:00.000Z")
    apply_rights(s.rights, removed)
    apply_rights(s.rights, added)
    apply_rights(s.rights, removed)
    assert not s.rights.holds("project:p", "bob")
    apply_rights(s.rights, _event("ProjectCreated", {"projectId": "q", "ownerId": "ann", "name": "Q"}))
    apply_rights(s.rights, _event("DuelInvited", {"duelId": "d", "participantIds": ["x", "y"], "opponentId": "y"}))
    apply_rights(s.rights, _event("FriendshipAccepted", {"userIds": ["x", "y"]}, "2026-01-01T10:00:00.000Z"))
    assert s.rights.holds("project:q", "ann") and s.rights.holders("duel:d") == {"x", "y"}
    assert s.rights.holders("friends:x") == {"y"} and s.rights.holders("friends:y") == {"x"}
    apply_rights(s.rights, _event("FriendshipEnded", {"userIds": ["y", "x"]}, "2026-01-01T12:00:00.000Z"))
    assert s.rights.holders("friends:x") == set()


def test_given_a_deleted_user_then_their_friendships_end_on_both_sides() -> None:
    s = memory_realtime()
    apply_rights(s.rights, _event("FriendshipAccepted", {"userIds": ["x", "y"]}, "2026-01-01T10:00:00.000Z"))
    apply_rights(s.rights, _event("FriendshipAccepted", {"userIds": ["x", "z"]}, "2026-01-01T10:00:00.000Z"))
    apply_rights(s.rights, _event("UserDeleted", {"userId": "x"}, "2026-01-01T11:00:00.000Z"))
    assert [s.rights.holders(f"friends:{u}") for u in ("x", "y", "z")] == [set(), set(), set()]


def test_given_rooms_when_created_then_project_members_or_invited_friends_only() -> None:
    s = memory_realtime()
    s.rights.record("project:p", "alice", True, AT)
    s.rights.record("friends:alice", "bob", True, AT)
    with pytest.raises(NotFound):
        create_room(s, "carol", RoomCreate(name="x", projectId="p"))
    with pytest.raises(ValidationFailed):
        create_room(s, "alice", RoomCreate(name="x", invite=["carol"]))
    mine = create_room(s, "alice", RoomCreate(name="Plan", invite=["bob"]))
    assert s.rights.holders(f"room:{mine.roomId}") == {"alice", "bob"}


def test_given_two_members_in_a_room_when_they_edit_with_versions_then_a_stale_edit_gets_the_current_state() -> None:
    s = memory_realtime()
    s.rights.record("project:p", "alice", True, AT)
    s.rights.record("project:p", "bob", True, AT)
    room = create_room(s, "alice", RoomCreate(name="Board", projectId="p"))
    open_session(s, "a1", "alice")
    open_session(s, "b1", "bob")
    open_session(s, "c1", "carol")
    assert _send(s, "c1", "carol", {"action": "room.join", "roomId": room.roomId})[0]["data"]["status"] == 403
    [state] = _send(s, "a1", "alice", {"action": "room.join", "roomId": room.roomId})
    assert (state["type"], state["data"]["version"], state["data"]["state"]) == ("room.state", 1, {})
    _send(s, "b1", "bob", {"action": "room.join", "roomId": room.roomId})
    assert [f["type"] for f in s.pusher.to("a1")] == ["collaborator.joined"]  # type: ignore[attr-defined]

    assert _send(s, "a1", "alice", {"action": "room.update", "roomId": room.roomId, "patch": {"x": 1},
                                    "version": 1}) == []
    [stale] = _send(s, "b1", "bob", {"action": "room.update", "roomId": room.roomId, "patch": {"x": 2},
                                     "version": 1})
    assert (stale["data"]["status"], stale["data"]["version"], stale["data"]["state"]) == (409, 2, {"x": 1})
    pushed = [f for f in s.pusher.to("b1") if f["type"] == "room.state"]  # type: ignore[attr-defined]
    assert [(f["data"]["version"], f["data"]["state"]) for f in pushed] == [(2, {"x": 1})]

    _send(s, "b1", "bob", {"action": "room.leave", "roomId": room.roomId})
    assert s.pusher.to("a1")[-1]["type"] == "collaborator.left"  # type: ignore[attr-defined]


def test_given_a_merge_patch_then_nested_objects_merge_and_null_removes() -> None:
    assert merge_patch({"a": {"b": 1, "c": 2}, "d": 3}, {"a": {"b": None, "e": 4}, "d": None, "f": [1]}) == {
        "a": {"c": 2, "e": 4}, "f": [1]}

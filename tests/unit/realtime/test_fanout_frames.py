"""What a client receives from the fan-out: each duel event's kind, presence on friends' connections, no
frame for an id that cannot name a channel, and the joiner left out of their own announcement."""

from __future__ import annotations

import pytest

from deepiri_common.events import DomainEvent, ReceivedEvent
from deepiri_realtime.logic.fanout import DUEL_KINDS, FRAME_TYPES, channels_for, fan_out, frame_for, push_frame
from deepiri_realtime.logic.replies import reply
from deepiri_realtime.logic.sessions import open_session
from tests.unit.realtime.fakes import memory_realtime

AT = "2026-01-01T00:00:00.000Z"


def _event(detail_type: str, data: dict) -> ReceivedEvent:
    event = DomainEvent.new("any", detail_type, data, actor="system")
    return ReceivedEvent.model_validate({"id": "bus-1", "source": event.source, "detail-type": detail_type,
                                         "time": event.detail.occurredAt, "detail": event.detail.model_dump()})


def test_the_pushed_events_and_their_frame_types() -> None:
    assert FRAME_TYPES == {
        "XpAwarded": "xp.awarded", "LevelUp": "level.up", "BadgeEarned": "badge.earned",
        "StreakUpdated": "streak.updated", "NotificationCreated": "notification", "TaskUpdated": "task.updated",
        "DuelInvited": "duel.update", "DuelStarted": "duel.update", "DuelProgressed": "duel.update",
        "DuelFinished": "duel.update", "PresenceUpdated": "presence"}


@pytest.mark.parametrize(("detail_type", "kind"), [
    ("DuelInvited", "invited"), ("DuelStarted", "started"), ("DuelProgressed", "progressed"),
    ("DuelFinished", "finished"),
])
def test_given_a_duel_event_then_its_frame_says_what_happened(detail_type: str, kind: str) -> None:
    event = _event(detail_type, {"duelId": "d", "opponentId": "b", "participantIds": ["a", "b"], "progress": 2})

    frame = frame_for(event, channels_for(event)[0])

    assert DUEL_KINDS[detail_type] == kind
    assert (frame.type, frame.data["kind"], frame.data["duelId"]) == ("duel.update", kind, "d")
    assert channels_for(event) == (["user:b"] if detail_type == "DuelInvited" else ["duel:d"])


def test_given_a_non_duel_event_then_its_frame_data_is_the_events_own() -> None:
    event = _event("XpAwarded", {"userId": "a", "amount": 5})

    assert frame_for(event, "user:a").data == {"userId": "a", "amount": 5}


def test_given_a_presence_change_then_the_user_and_each_friend_receive_it_and_strangers_do_not() -> None:
    s = memory_realtime()
    for connection, user in [("a1", "alice"), ("b1", "bob"), ("c1", "carol"), ("d1", "dave")]:
        open_session(s, connection, user)
    s.rights.record("friends:alice", "bob", True, AT)
    s.rights.record("friends:alice", "carol", True, AT)
    s.rights.record("friends:alice", "dave", False, AT)  # a friendship that ended
    s.pusher.sent.clear()  # type: ignore[attr-defined]

    pushes = fan_out(s, _event("PresenceUpdated", {"userId": "alice", "status": "busy"}))

    assert pushes == 3
    assert sorted((cid, frame["channel"]) for cid, frame in s.pusher.sent) == [  # type: ignore[attr-defined]
        ("a1", "user:alice"), ("b1", "user:bob"), ("c1", "user:carol")]
    assert {frame["type"] for _, frame in s.pusher.sent} == {"presence"}  # type: ignore[attr-defined]


@pytest.mark.parametrize("owner", ["", "a:b", "x" * 65])
def test_given_an_id_that_cannot_name_a_channel_then_nothing_is_pushed(owner: str) -> None:
    s = memory_realtime()
    open_session(s, "a1", "alice")
    s.pusher.sent.clear()  # type: ignore[attr-defined]

    assert fan_out(s, _event("TaskUpdated", {"ownerId": owner, "projectId": "p", "taskId": "t"})) == 0


def test_given_an_excluded_connection_then_every_other_subscriber_gets_the_frame() -> None:
    s = memory_realtime()
    s.rights.record("project:p", "alice", True, AT)
    for connection in ("a1", "a2", "a3"):
        open_session(s, connection, "alice")
        s.connections.subscribe(connection, "alice", "project:p")

    pushes = push_frame(s, reply("task.updated", {"taskId": "t"}, channel="project:p"), exclude="a2")

    assert pushes == 2
    assert sorted(cid for cid, _ in s.pusher.sent) == ["a1", "a3"]  # type: ignore[attr-defined]


def test_given_a_gone_connection_then_it_is_not_counted_and_is_forgotten() -> None:
    s = memory_realtime(gone={"a2"})
    s.rights.record("project:p", "alice", True, AT)
    for connection in ("a1", "a2"):
        open_session(s, connection, "alice")
        s.connections.subscribe(connection, "alice", "project:p")

    assert push_frame(s, reply("task.updated", channel="project:p")) == 1
    assert s.connections.get("a2") is None and s.connections.get("a1") is not None

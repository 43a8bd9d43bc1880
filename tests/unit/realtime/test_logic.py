"""Realtime rules: who may join which channel, what each message answers, the limits, and presence."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from deepiri_common.clock import to_iso, utc_now
from deepiri_realtime.logic.channels import allowed_users, may_join
from deepiri_realtime.logic.ports import Limits
from deepiri_realtime.logic.presence import describe_me, friends_presence, set_presence, sweep
from deepiri_realtime.logic.sessions import (
    close_session,
    closes,
    end_user_sessions,
    on_message,
    open_session,
    origin_allowed,
    parse,
)
from deepiri_realtime.models.presence import PresenceUpdate
from tests.unit.realtime.fakes import memory_realtime

AT = "2026-01-01T00:00:00.000Z"


def _send(s, connection_id: str, user_id: str, message: dict) -> list[dict]:
    return [json.loads(frame.encode()) for frame in on_message(s, connection_id, user_id, json.dumps(message))]


@pytest.mark.parametrize(("origin", "allowed", "ok"), [
    ("http://localhost:3000", ["http://localhost:3000"], True),
    ("HTTP://LOCALHOST:3000/", ["http://localhost:3000"], True),
    ("https://evil.example", ["http://localhost:3000"], False),
    ("https://evil.example", ["*"], True),
    (None, ["http://localhost:3000"], True),  # not a browser: no Origin to check
    ("null", ["http://localhost:3000"], False),
])
def test_given_an_origin_when_checked_against_the_allow_list_then_only_listed_browsers_pass(
        origin, allowed, ok) -> None:
    assert origin_allowed(origin, allowed) is ok


def test_given_each_channel_kind_when_joining_then_only_the_entitled_users_may() -> None:
    s = memory_realtime()
    s.rights.record("project:p1", "member", True, AT)
    s.rights.record("duel:d1", "fighter", True, AT)
    s.rights.record("challenge:c1", "fighter", True, AT)

    assert may_join(s, "user:alice", "alice") and not may_join(s, "user:alice", "bob")
    assert may_join(s, "project:p1", "member") and not may_join(s, "project:p1", "stranger")
    assert may_join(s, "duel:d1", "fighter") and not may_join(s, "duel:d1", "member")
    assert may_join(s, "challenge:c1", "fighter") and not may_join(s, "challenge:c1", "member")
    assert not may_join(s, "room:nowhere", "member")  # a room that does not exist is refused like a foreign one


def test_given_a_foreign_channel_when_subscribing_then_one_error_frame_and_no_subscription() -> None:
    s = memory_realtime()
    open_session(s, "b1", "bob")
    for channel in ("user:alice", "project:p1", "duel:d1", "room:r1"):
        frames = _send(s, "b1", "bob", {"action": "subscribe", "channel": channel, "requestId": "q"})
        assert [(f["type"], f["data"]["status"], f["requestId"]) for f in frames] == [("error", 403, "q")]
    assert s.connections.subscriptions("b1") == ["user:bob"]


def test_given_a_member_when_subscribing_to_the_project_then_subscribed_until_unsubscribed() -> None:
    s = memory_realtime()
    s.rights.record("project:p1", "alice", True, AT)
    open_session(s, "a1", "alice")
    [frame] = _send(s, "a1", "alice", {"action": "subscribe", "channel": "project:p1"})
    assert (frame["type"], frame["channel"]) == ("subscribed", "project:p1")
    assert s.connections.subscriptions("a1") == ["project:p1", "user:alice"]
    _send(s, "a1", "alice", {"action": "unsubscribe", "channel": "project:p1"})
    assert s.connections.subscriptions("a1") == ["user:alice"]


def test_given_a_frame_over_32_kb_when_received_then_an_error_frame_names_the_limit() -> None:
    s = memory_realtime()
    open_session(s, "a1", "alice")
    body = json.dumps({"action": "ping", "requestId": "x"}) + " " * (32 * 1024)
    [frame] = [json.loads(f.encode()) for f in on_message(s, "a1", "alice", body)]
    assert (frame["type"], frame["data"]["status"]) == ("error", 413)
    assert "32768 bytes" in frame["data"]["detail"]
    # Then a frame just under the limit is still answered.
    assert _send(s, "a1", "alice", {"action": "ping"})[0]["type"] == "pong"


def test_given_more_than_the_limit_of_messages_when_received_then_an_error_frame_that_closes() -> None:
    s = memory_realtime(limits=Limits(messages_per_minute=3))
    open_session(s, "a1", "alice")
    answers = [on_message(s, "a1", "alice", '{"action": "ping"}') for _ in range(4)]
    assert [closes(frames) for frames in answers] == [False, False, False, True]
    assert answers[-1][0].data["status"] == 429


def test_given_client_frames_when_parsed_then_a_message_or_a_clear_error() -> None:
    assert parse('{"action": "ping", "requestId": "7"}').requestId == "7"  # type: ignore[union-attr]
    for frame, status, detail in [
        ("{oops", 400, "frame is not JSON"),
        ("", 400, "frame is not JSON: Expecting value"),
        ('{"action": "dance"}', 422, "action"),
        ('{"action": "ping", "admin": true}', 422, "admin"),
        ('{"action": "subscribe", "channel": "user:a:b"}', 422, "channel"),
        ('{"action": "presence.set", "status": "offline"}', 422, "status"),
        ('{"action": "room.update", "roomId": "r", "patch": {}, "version": 0}', 422, "version"),
    ]:
        error = parse(frame)
        assert error.type == "error" and error.data["status"] == status, frame  # type: ignore[union-attr]
        assert detail in error.data["detail"], frame  # type: ignore[union-attr]


def test_given_two_connections_when_the_last_closes_then_online_once_and_offline_once() -> None:
    s = memory_realtime()
    open_session(s, "a1", "alice")
    open_session(s, "a2", "alice")
    close_session(s, "a1")
    assert [e.detail.data["status"] for e in s.presence.events] == ["online"]
    close_session(s, "a2")
    close_session(s, "a2")  # a second close is harmless
    assert [e.detail.data["status"] for e in s.presence.events] == ["online", "offline"]
    assert describe_me(s.presence, s.connections, "alice").presence.status == "offline"


def test_given_revoked_sessions_when_ended_then_every_connection_is_closed_and_forgotten() -> None:
    s = memory_realtime()
    open_session(s, "a1", "alice")
    open_session(s, "a2", "alice")
    open_session(s, "b1", "bob")
    assert end_user_sessions(s, "alice") == 2
    assert sorted(s.pusher.closed) == ["a1", "a2"]  # type: ignore[attr-defined]
    assert s.connections.for_user("alice") == [] and len(s.connections.for_user("bob")) == 1


def test_given_a_silent_connection_when_swept_then_it_closes_and_its_user_goes_offline() -> None:
    s = memory_realtime()
    open_session(s, "a1", "alice")
    open_session(s, "b1", "bob")
    later = utc_now() + timedelta(minutes=5)
    s.connections.items["b1"].lastSeenAt = to_iso(later)  # type: ignore[attr-defined]
    assert sweep(s, timedelta(minutes=2), now=later) == 1
    assert s.pusher.closed == ["a1"]  # type: ignore[attr-defined]
    assert s.presence.online_users() == ["bob"]


def test_given_a_declared_status_when_friends_ask_then_only_friends_see_it() -> None:
    s = memory_realtime()
    s.rights.record("friends:bob", "alice", True, AT)
    open_session(s, "a1", "alice")
    set_presence(s.presence, "alice", PresenceUpdate(status="busy"))
    assert [(p.userId, p.status) for p in friends_presence(s, "bob", ["alice", "carol", "alice"])] == [
        ("alice", "busy")]
    assert friends_presence(s, "carol", ["alice"]) == []
    close_session(s, "a1")
    assert [p.status for p in friends_presence(s, "bob", ["alice"])] == ["offline"]
    # Then alice herself still sees what she declared, with no connection open.
    me = describe_me(s.presence, s.connections, "alice")
    assert (me.presence.status, me.connections) == ("busy", [])


def test_given_duel_progress_then_only_a_participant_reports_it_through_the_outbox() -> None:
    s = memory_realtime()
    s.rights.record("duel:d1", "alice", True, AT)
    open_session(s, "a1", "alice")
    open_session(s, "b1", "bob")
    refused = _send(s, "b1", "bob", {"action": "duel.progress", "duelId": "d1", "progress": 3})
    assert [(f["type"], f["data"]["status"]) for f in refused] == [("error", 403)]
    assert _send(s, "a1", "alice", {"action": "duel.progress", "duelId": "d1", "progress": 3}) == []
    [event] = s.outbox.events  # type: ignore[attr-defined]
    assert (event.detail_type, event.source, event.detail.actor) == (
        "DuelProgressReported", "deepiri.realtime", "alice")
    assert event.detail.data == {"duelId": "d1", "userId": "alice", "progress": 3}


def test_given_a_room_that_does_not_exist_then_nobody_receives_it_and_no_rights_are_read() -> None:
    s = memory_realtime()
    asked: list[object] = []
    holders = s.rights.holders
    s.rights.holders = lambda channel: asked.append(channel) or holders(channel)  # type: ignore[method-assign]

    assert allowed_users(s, "room:01JD0000000000000000000R00") == set()
    assert asked == []
    assert allowed_users(s, "project:p") == set() and asked == ["project:p"]

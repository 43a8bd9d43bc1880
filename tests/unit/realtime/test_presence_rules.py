"""Presence as others see it: what each change announces (status, message, time), who is online while
connected, what friends may read, and which silent connections the sweep closes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from deepiri_common.clock import to_iso
from deepiri_realtime.logic import presence
from deepiri_realtime.logic.presence import (
    describe_me,
    friends_presence,
    set_presence,
    sweep,
    went_offline,
    went_online,
)
from deepiri_realtime.models.presence import Presence, PresenceUpdate
from tests.unit.realtime.fakes import memory_realtime

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)
AT = "2026-01-01T00:00:00.000Z"


@pytest.fixture(autouse=True)
def _frozen_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(presence, "utc_now", lambda: NOW)


def test_given_a_declared_status_then_it_is_stored_and_announced_as_declared() -> None:
    s = memory_realtime()

    declared = set_presence(s.presence, "alice", PresenceUpdate(status="busy", message="in a meeting"))

    assert declared == Presence(userId="alice", status="busy", message="in a meeting", updatedAt=to_iso(NOW))
    assert s.presence.get("alice").declared == declared  # type: ignore[union-attr]
    [event] = s.presence.events  # type: ignore[attr-defined]
    assert (event.detail_type, event.source, event.detail.actor) == ("PresenceUpdated", "deepiri.realtime", "alice")
    assert event.detail.data == declared.model_dump()


def test_given_a_declared_status_when_the_user_comes_online_then_it_is_announced_with_the_current_time() -> None:
    s = memory_realtime()
    s.presence.put(Presence(userId="alice", status="away", message="lunch", updatedAt=AT),
                   presence._announce(Presence(userId="alice", status="away"), "alice"))

    assert went_online(s.presence, "alice") is True
    assert went_online(s.presence, "alice") is False  # already online: announced once
    assert s.presence.changed_at == {"alice": to_iso(NOW)}  # type: ignore[attr-defined]

    events = s.presence.events[1:]  # type: ignore[attr-defined]
    assert [e.detail.data for e in events] == [
        {"userId": "alice", "status": "away", "message": "lunch", "updatedAt": to_iso(NOW)}]
    assert events[0].detail.actor == "alice"


def test_given_no_declared_status_when_the_user_comes_online_then_online_is_announced() -> None:
    s = memory_realtime()

    went_online(s.presence, "bob")

    [event] = s.presence.events  # type: ignore[attr-defined]
    assert event.detail.data == {"userId": "bob", "status": "online", "message": None, "updatedAt": to_iso(NOW)}


def test_given_a_user_never_seen_online_when_their_last_connection_ends_then_nothing_is_announced() -> None:
    s = memory_realtime()

    assert went_offline(s.presence, s.connections, "ghost") is False
    assert s.presence.events == [] and s.presence.online_users() == []  # type: ignore[attr-defined]


def test_given_another_open_connection_then_the_user_stays_online() -> None:
    s = memory_realtime()
    s.connections.add("a1", "alice")
    went_online(s.presence, "alice")

    assert went_offline(s.presence, s.connections, "alice") is False
    assert s.presence.online_users() == ["alice"]

    s.connections.remove("a1")
    s.presence.changed_at.clear()  # type: ignore[attr-defined]
    assert went_offline(s.presence, s.connections, "alice") is True
    assert s.presence.changed_at == {"alice": to_iso(NOW)}  # type: ignore[attr-defined]
    assert went_offline(s.presence, s.connections, "alice") is False
    assert [e.detail.data["status"] for e in s.presence.events] == ["online", "offline"]  # type: ignore[attr-defined]
    offline = s.presence.events[-1]  # type: ignore[attr-defined]
    assert (offline.detail.data["userId"], offline.detail.data["updatedAt"], offline.detail.actor) == (
        "alice", to_iso(NOW), "alice")


def test_given_no_declared_status_then_the_user_sees_online_while_connected() -> None:
    s = memory_realtime()
    assert describe_me(s.presence, s.connections, "alice").presence == Presence(userId="alice", status="offline")

    connection = s.connections.add("a1", "alice")
    went_online(s.presence, "alice")  # a state now exists, still without a declared status
    me = describe_me(s.presence, s.connections, "alice")

    assert me.presence == Presence(userId="alice", status="online")
    assert (me.userId, me.connections) == ("alice", [connection])


def test_given_friends_when_presence_is_asked_then_each_friend_and_oneself_once_in_order() -> None:
    s = memory_realtime()
    for friend in ("bob", "carol", "dan"):
        s.rights.record("friends:alice", friend, True, AT)
    s.connections.add("b1", "bob")
    went_online(s.presence, "bob")
    set_presence(s.presence, "carol", PresenceUpdate(status="busy"))  # declared, but not connected

    answer = friends_presence(s, "alice", ["dan", "mallory", "bob", "alice", "carol", "dan"])

    assert [(p.userId, p.status) for p in answer] == [
        ("dan", "offline"), ("bob", "online"), ("alice", "offline"), ("carol", "offline")]


def _connection_seen(s, connection_id: str, user_id: str, seen: datetime | None, connected: datetime) -> None:
    s.connections.add(connection_id, user_id)
    s.connections.items[connection_id].connectedAt = to_iso(connected)
    s.connections.items[connection_id].lastSeenAt = to_iso(seen) if seen else None
    went_online(s.presence, user_id)


def test_given_connections_when_swept_then_only_those_silent_past_the_timeout_close() -> None:
    s = memory_realtime()
    timeout = timedelta(minutes=2)
    _connection_seen(s, "a1", "alice", NOW - timeout, NOW - timedelta(hours=1))  # exactly at the cutoff: kept
    _connection_seen(s, "b1", "bob", NOW - timeout - timedelta(seconds=1), NOW - timedelta(hours=1))
    _connection_seen(s, "c1", "carol", None, NOW - timedelta(minutes=3))  # no heartbeat: its connect time
    _connection_seen(s, "d1", "dan", None, NOW - timedelta(minutes=1))
    _connection_seen(s, "e1", "erin", NOW - timedelta(minutes=10), NOW - timedelta(minutes=10))
    _connection_seen(s, "e2", "erin", NOW, NOW - timedelta(minutes=10))  # erin has a live connection

    assert sweep(s, timeout) == 2  # the clock's now when none is given

    assert sorted(s.pusher.closed) == ["b1", "c1", "e1"]  # type: ignore[attr-defined]
    assert [c.connectionId for c in s.connections.for_user("erin")] == ["e2"]
    assert sorted(s.presence.online_users()) == ["alice", "dan", "erin"]

"""Realtime rules: who gets an event, what frame they see, how client frames are answered."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from deepiri_common.events import DomainEvent, ReceivedEvent
from deepiri_realtime.logic.fanout import fan_out, recipients
from deepiri_realtime.logic.presence import describe_me, set_presence
from deepiri_realtime.logic.sessions import answer, close_session, open_session
from deepiri_realtime.models.connection import Connection
from deepiri_realtime.models.presence import Presence, PresenceUpdate


def _received(detail_type: str, data: dict, actor: str = "system") -> ReceivedEvent:
    event = DomainEvent.new("engagement", detail_type, data, actor=actor)
    return ReceivedEvent.model_validate({"id": "bus-1", "source": event.source, "detail-type": detail_type,
                                         "time": event.detail.occurredAt, "detail": event.detail.model_dump()})


class Gone(Exception):
    pass


class FakeConnections:
    def __init__(self, by_user: dict[str, list[str]]) -> None:
        self.by_user = by_user
        self.removed: list[str] = []

    def for_user(self, user_id: str) -> list[Connection]:
        return [Connection(connectionId=c, userId=user_id, connectedAt="2026-01-01T00:00:00.000Z")
                for c in self.by_user.get(user_id, [])]

    def remove(self, connection_id: str) -> None:
        self.removed.append(connection_id)


class FakePusher:
    def __init__(self, gone: set[str]) -> None:
        self.gone = gone
        self.sent: list[tuple[str, dict]] = []

    def send(self, connection_id: str, payload: bytes) -> None:
        if connection_id in self.gone:
            raise Gone(connection_id)
        self.sent.append((connection_id, json.loads(payload)))


def test_given_event_data_when_choosing_recipients_then_participants_beat_user_beat_actor() -> None:
    assert recipients(_received("DuelStarted", {"participantIds": ["a", "b"], "userId": "c"})) == {"a", "b"}
    assert recipients(_received("XpAwarded", {"userId": "c"}, actor="d")) == {"c"}
    assert recipients(_received("TaskUpdated", {}, actor="d")) == {"d"}
    assert recipients(_received("TaskUpdated", {}, actor="system")) == set()


def test_given_malformed_participants_or_user_id_when_choosing_recipients_then_they_are_ignored() -> None:
    # Then an empty or non-list participant field, or a non-text user id, never becomes a recipient.
    assert recipients(_received("DuelStarted", {"participantIds": [], "userId": "c"})) == {"c"}
    assert recipients(_received("DuelStarted", {"participantIds": "ab", "userId": "c"})) == {"c"}
    assert recipients(_received("XpAwarded", {"userId": 42}, actor="d")) == {"d"}
    assert recipients(_received("XpAwarded", {"userId": ""}, actor="d")) == {"d"}


def test_given_two_open_connections_when_fanning_out_then_both_pushes_are_counted() -> None:
    event = _received("XpAwarded", {"userId": "u1", "xp": 10})
    pusher = FakePusher(gone=set())
    assert fan_out(event, FakeConnections({"u1": ["c1", "c2"]}), pusher, Gone) == 2
    assert [connection for connection, _ in pusher.sent] == ["c1", "c2"]


def test_given_two_connections_one_gone_when_fanning_out_then_one_push_and_the_gone_one_forgotten() -> None:
    event = _received("LevelUp", {"userId": "u1", "level": 3})
    connections, pusher = FakeConnections({"u1": ["c1", "c2"], "u2": ["c3"]}), FakePusher(gone={"c2"})
    assert fan_out(event, connections, pusher, Gone) == 1
    assert pusher.sent == [("c1", {"type": "event", "event": "LevelUp", "id": event.detail.id,
                                   "occurredAt": event.detail.occurredAt, "data": {"userId": "u1", "level": 3}})]
    assert connections.removed == ["c2"]


def test_given_client_frames_when_answered_then_pong_or_a_clear_error() -> None:
    assert answer('{"action": "ping", "requestId": "7"}').model_dump()["requestId"] == "7"
    assert answer("{oops").model_dump()["status"] == 400
    unknown = answer('{"action": "dance"}').model_dump()
    assert unknown["status"] == 422 and "action" in unknown["detail"]
    assert answer('{"action": "ping", "admin": true}').model_dump()["status"] == 422


def test_given_an_empty_frame_when_answered_then_a_400_not_json() -> None:
    for frame in (None, ""):
        error = answer(frame).model_dump()
        assert (error["type"], error["status"]) == ("error", 400)
        assert error["detail"] == "frame is not JSON: Expecting value"


def test_given_a_frame_with_several_bad_fields_when_answered_then_each_field_is_named_by_its_path() -> None:
    # Then fields are comma-separated, and a frame that is not an object is named "(root)".
    error = answer('{"action": "ping", "requestId": ["x"], "admin": true}').model_dump()
    assert error == {"type": "error", "status": 422, "detail": "invalid frame fields: requestId, admin"}
    assert answer('["ping"]').model_dump()["detail"] == "invalid frame fields: (root)"
    assert answer('{"action": {"name": "ping"}}').model_dump()["detail"] == "invalid frame fields: action"


class MemoryConnections:
    def __init__(self) -> None:
        self.items: dict[str, Connection] = {}

    def add(self, connection_id: str, user_id: str) -> Connection:
        self.items[connection_id] = Connection(connectionId=connection_id, userId=user_id,
                                               connectedAt="2026-01-01T00:00:00.000Z")
        return self.items[connection_id]

    def remove(self, connection_id: str) -> None:
        self.items.pop(connection_id, None)


def test_given_a_connect_then_a_disconnect_when_sessions_open_and_close_then_the_connection_comes_and_goes() -> None:
    store = MemoryConnections()
    connection = open_session(store, "c1", "u1")
    assert (connection.connectionId, connection.userId) == ("c1", "u1")
    assert list(store.items) == ["c1"]
    close_session(store, "c1")
    close_session(store, "c1")  # a second close is harmless
    assert store.items == {}


class MemoryPresence:
    def __init__(self) -> None:
        self.items: dict[str, Presence] = {}
        self.events: list[DomainEvent] = []

    def get(self, user_id: str) -> Presence | None:
        return self.items.get(user_id)

    def put(self, presence: Presence, event: DomainEvent) -> None:
        self.items[presence.userId] = presence
        self.events.append(event)


def test_given_no_declared_status_when_describing_then_online_only_while_connected() -> None:
    store = MemoryPresence()
    assert describe_me(store, FakeConnections({}), "u1").presence.status == "offline"
    assert describe_me(store, FakeConnections({"u1": ["c1"]}), "u1").presence.status == "online"
    set_presence(store, "u1", PresenceUpdate(status="busy", message="focus"))
    me = describe_me(store, FakeConnections({"u1": ["c1"]}), "u1")
    assert (me.presence.status, me.presence.message, len(me.connections)) == ("busy", "focus", 1)


def test_given_a_declared_status_when_set_then_presence_updated_is_recorded_with_it() -> None:
    store = MemoryPresence()
    presence = set_presence(store, "u1", PresenceUpdate(status="away"))
    [event] = store.events
    assert (event.source, event.detail_type, event.detail.actor) == ("deepiri.realtime", "PresenceUpdated", "u1")
    assert event.detail.data == presence.model_dump()
    # Then the declaration is stamped with the time it was made.
    assert presence.updatedAt is not None
    assert abs(datetime.fromisoformat(presence.updatedAt) - datetime.now(UTC)) < timedelta(minutes=1)

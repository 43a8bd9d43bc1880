"""Realtime handlers in-process against moto: connect, REST view, event push, disconnect."""

from __future__ import annotations

import json
import time

import boto3
import pytest

from deepiri_common.events import DomainEvent
from deepiri_common.outbox import outbox_events
from deepiri_common.settings import reset_settings_cache
from deepiri_realtime import wiring
from deepiri_realtime.handlers import api, consumers, outbox, ws
from tests.support import flows, template
from tests.support.apigw import rest_event
from tests.support.lambda_context import FakeLambdaContext


class RecordingPusher:
    """Stands in for the @connections API, which moto cannot deliver to a real socket."""

    def __init__(self) -> None:
        self.sent: list[tuple[str, dict]] = []
        self.closed: list[str] = []

    def send(self, connection_id: str, payload: bytes) -> None:
        self.sent.append((connection_id, json.loads(payload)))

    def close(self, connection_id: str) -> None:
        self.closed.append(connection_id)


@pytest.fixture
def realtime(aws, monkeypatch):
    created = template.create("ConnectionsTable", "IdempotencyTable", "EventBus", "RealtimeEvents.Queue")
    flows.route_rule_to_queue("RealtimeEvents.Rule", created["EventBus"], created["RealtimeEvents.Queue"])
    monkeypatch.setenv("EVENT_BUS_NAME", created["EventBus"])
    monkeypatch.setenv("CONNECTIONS_TABLE", created["ConnectionsTable"])
    monkeypatch.setenv("IDEMPOTENCY_TABLE", created["IdempotencyTable"])
    monkeypatch.setenv("WS_MANAGEMENT_ENDPOINT", "https://ws.execute-api.us-east-1.amazonaws.com/test")
    monkeypatch.setenv("ALLOWED_ORIGINS", "http://localhost:3000")
    pusher = RecordingPusher()
    wiring.reset()
    monkeypatch.setattr(wiring, "connection_pusher", lambda: pusher)  # the one place tests override
    reset_settings_cache()
    yield pusher, created
    reset_settings_cache()


def _ws_event(route: str, connection_id: str, user_id: str | None = None, body: str | None = None,
              event_type: str | None = None, origin: str | None = None) -> dict:
    kind = event_type or {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}.get(route, "MESSAGE")
    context = {"routeKey": route, "eventType": kind, "connectionId": connection_id, "requestId": "r1", "stage": "test"}
    if user_id:
        context["authorizer"] = {"userId": user_id, "roles": "user", "principalId": user_id}
    return {"requestContext": context, "body": body, "headers": {"Origin": origin} if origin else {}}


def _me(user_id: str) -> dict:
    event = rest_event("GET", "/api/realtime/me", authorizer={"userId": user_id, "roles": "user"})
    return json.loads(api.handler(event, FakeLambdaContext())["body"])


def test_given_an_authorised_connect_when_listing_then_the_connection_is_the_users(realtime) -> None:
    assert ws.handler(_ws_event("$connect", "c1", "alice"), FakeLambdaContext())["statusCode"] == 200
    me = _me("alice")
    assert [c["connectionId"] for c in me["connections"]] == ["c1"]
    assert me["presence"]["status"] == "online"
    assert _me("bob")["connections"] == []


def test_given_a_connect_without_identity_when_handled_then_refused_and_nothing_stored(realtime) -> None:
    assert ws.handler(_ws_event("$connect", "c9"), FakeLambdaContext())["statusCode"] == 401
    table = boto3.resource("dynamodb", region_name=template.REGION).Table(template.physical_name("ConnectionsTable"))
    assert table.scan()["Items"] == []


def test_given_an_event_delivered_twice_when_consumed_then_pushed_once_to_the_users_connections(realtime) -> None:
    pusher, _ = realtime
    ws.handler(_ws_event("$connect", "c1", "alice"), FakeLambdaContext())
    ws.handler(_ws_event("$connect", "c2", "alice"), FakeLambdaContext())
    ws.handler(_ws_event("$connect", "c3", "bob"), FakeLambdaContext())
    event = DomainEvent.new("engagement", "BadgeEarned", {"userId": "alice", "badge": "early-bird"}, actor="system")
    assert consumers.handler(flows.sqs_of_events(event, event), FakeLambdaContext()) == {"batchItemFailures": []}
    assert sorted(cid for cid, _ in pusher.sent) == ["c1", "c2"]
    assert {(frame["type"], frame["id"], frame["channel"]) for _, frame in pusher.sent} == {
        ("badge.earned", event.id, "user:alice")}


def test_given_a_ping_then_a_disconnect_when_handled_then_pong_sent_and_connection_forgotten(realtime) -> None:
    pusher, _ = realtime
    ws.handler(_ws_event("$connect", "c1", "alice"), FakeLambdaContext())
    ws.handler(_ws_event("$default", "c1", body='{"action": "ping", "requestId": "p"}'), FakeLambdaContext())
    assert pusher.sent[0][0] == "c1" and pusher.sent[0][1]["type"] == "pong"
    ws.handler(_ws_event("$disconnect", "c1"), FakeLambdaContext())
    assert _me("alice")["connections"] == []


def test_given_a_presence_change_when_its_stream_is_forwarded_then_presence_updated_reaches_the_users_devices(
    realtime,
) -> None:
    pusher, created = realtime
    ws.handler(_ws_event("$connect", "phone", "alice"), FakeLambdaContext())
    body = {"status": "busy", "message": "deep work"}
    put = api.handler(rest_event("PUT", "/api/realtime/presence", body=body,
                                 authorizer={"userId": "alice", "roles": "user"}), FakeLambdaContext())
    assert put["statusCode"] == 200

    # The outbox item was written with the presence: the stream carries it to the bus.
    stream = flows.stream_event(created["ConnectionsTable"])
    assert outbox.handler(stream, FakeLambdaContext()) == {"batchItemFailures": []}
    # (Connecting announced alice online first, through the same outbox.)
    by_status = {e["detail"]["data"]["status"]: e for e in flows.bus_messages(created["RealtimeEvents.Queue"])}
    assert sorted(by_status) == ["busy", "online"]
    bus_event = by_status["busy"]
    assert bus_event["detail-type"] == "PresenceUpdated" and bus_event["source"] == "deepiri.realtime"

    # The realtime consumer pushes it to alice's open connection.
    consumers.handler(flows.sqs_event(bus_event), FakeLambdaContext())
    assert [(cid, frame["type"], frame["data"]["status"]) for cid, frame in pusher.sent] == [
        ("phone", "presence", "busy")]


def test_given_an_invalid_presence_when_put_then_422_and_neither_state_nor_event_is_written(realtime) -> None:
    _, created = realtime
    put = api.handler(rest_event("PUT", "/api/realtime/presence", body={"status": "asleep"},
                                 authorizer={"userId": "alice", "roles": "user"}), FakeLambdaContext())
    assert put["statusCode"] == 422
    assert flows.stream_event(created["ConnectionsTable"])["Records"] == []


@pytest.mark.parametrize("action", ["$disconnect", "$connect"])
def test_given_a_frame_naming_a_lifecycle_route_then_it_is_answered_as_a_message_and_the_connection_stays(
        realtime, action: str) -> None:
    pusher, _ = realtime
    ws.handler(_ws_event("$connect", "c9", "alice"), FakeLambdaContext())
    frame = json.dumps({"action": action, "requestId": "r-9"})

    # The gateway routes the frame by its "action", but the event is still a MESSAGE.
    reply = ws.handler(_ws_event(action, "c9", "alice", body=frame, event_type="MESSAGE"), FakeLambdaContext())

    assert reply["statusCode"] == 200
    assert [c["connectionId"] for c in _me("alice")["connections"]] == ["c9"]
    assert pusher.sent[-1][0] == "c9" and pusher.sent[-1][1]["type"] in ("pong", "error")


def _frames(pusher: RecordingPusher, connection_id: str) -> list[dict]:
    return [frame for cid, frame in pusher.sent if cid == connection_id]


def _table_items() -> list[dict]:
    table = boto3.resource("dynamodb", region_name=template.REGION).Table(template.physical_name("ConnectionsTable"))
    return table.scan()["Items"]


def test_given_a_foreign_origin_when_connecting_then_refused_and_nothing_written(realtime) -> None:
    refused = ws.handler(_ws_event("$connect", "c1", "alice", origin="https://evil.example"), FakeLambdaContext())
    assert refused["statusCode"] == 403
    assert _table_items() == []
    allowed = ws.handler(_ws_event("$connect", "c2", "alice", origin="http://localhost:3000"), FakeLambdaContext())
    assert allowed["statusCode"] == 200
    # Then the connection record expires within 2 hours of connecting.
    [connection] = [i for i in _table_items() if i["sk"] == "CONN"]
    assert abs(int(connection["expiresAt"]) - (time.time() + 7200)) < 60


def test_given_sessions_revoked_when_consumed_then_the_users_connections_are_closed_and_forgotten(realtime) -> None:
    pusher, _ = realtime
    for connection, user in [("a1", "alice"), ("a2", "alice"), ("b1", "bob")]:
        ws.handler(_ws_event("$connect", connection, user), FakeLambdaContext())
    revoked = DomainEvent.new("users", "SessionsRevoked", {"userId": "alice", "reason": "logout-all"}, actor="alice")
    assert consumers.handler(flows.sqs_of_events(revoked), FakeLambdaContext()) == {"batchItemFailures": []}
    assert sorted(pusher.closed) == ["a1", "a2"]
    assert _me("alice")["connections"] == [] and len(_me("bob")["connections"]) == 1
    deleted = DomainEvent.new("users", "UserDeleted", {"userId": "bob"}, actor="bob")
    consumers.handler(flows.sqs_of_events(deleted), FakeLambdaContext())
    assert pusher.closed[-1] == "b1" and _me("bob")["connections"] == []


def _say(connection_id: str, user_id: str, message: dict) -> None:
    ws.handler(_ws_event("$default", connection_id, user_id, body=json.dumps(message)), FakeLambdaContext())


def test_given_project_membership_events_when_subscribing_and_pushing_then_only_members_receive(realtime) -> None:
    pusher, _ = realtime
    created = DomainEvent.new("tasks", "ProjectCreated", {"projectId": "p1", "name": "P", "ownerId": "alice"},
                              actor="alice")
    added = DomainEvent.new("tasks", "MemberAdded", {"projectId": "p1", "userId": "carol", "role": "editor"},
                            actor="alice")
    consumers.handler(flows.sqs_of_events(created, added), FakeLambdaContext())
    for connection, user in [("a1", "alice"), ("b1", "bob"), ("c1", "carol")]:
        ws.handler(_ws_event("$connect", connection, user), FakeLambdaContext())
        _say(connection, user, {"action": "subscribe", "channel": "project:p1"})
    _say("b1", "bob", {"action": "subscribe", "channel": "user:alice"})
    assert [(f["type"], f["data"].get("status")) for f in _frames(pusher, "b1")] == [("error", 403), ("error", 403)]

    updated = DomainEvent.new("tasks", "TaskUpdated", {"taskId": "t1", "changed": ["title"], "ownerId": "alice",
                                                       "projectId": "p1", "assigneeIds": [], "userId": "alice"},
                              actor="alice")
    consumers.handler(flows.sqs_of_events(updated), FakeLambdaContext())
    received = sorted((cid, f["channel"]) for cid, f in pusher.sent if f["type"] == "task.updated")
    assert received == [("a1", "project:p1"), ("a1", "user:alice"), ("c1", "project:p1")]


def test_given_a_flood_when_messages_pass_the_limit_then_an_error_frame_and_the_connection_closes(
        realtime, monkeypatch) -> None:
    pusher, _ = realtime
    monkeypatch.setenv("MESSAGES_PER_MINUTE", "5")
    reset_settings_cache()
    wiring.realtime.cache_clear()  # the limits are read when the collaborators are built
    ws.handler(_ws_event("$connect", "a1", "alice"), FakeLambdaContext())
    for _ in range(6):
        _say("a1", "alice", {"action": "ping"})
    frames = _frames(pusher, "a1")
    assert [f["type"] for f in frames] == ["pong"] * 5 + ["error"]
    assert frames[-1]["data"]["status"] == 429
    assert pusher.closed == ["a1"] and _me("alice")["connections"] == []


def _rest(method: str, path: str, user_id: str, body: dict | None = None,
          query: dict | None = None) -> tuple[int, dict]:
    event = rest_event(method, path, body=body, query=query, authorizer={"userId": user_id, "roles": "user"})
    answer = api.handler(event, FakeLambdaContext())
    return answer["statusCode"], json.loads(answer["body"] or "null") if answer.get("body") else {}


def test_given_friends_when_asking_presence_and_creating_a_room_then_friends_only(realtime) -> None:
    friends = DomainEvent.new("users", "FriendshipAccepted",
                              {"requesterId": "alice", "addresseeId": "bob", "userIds": ["alice", "bob"]}, actor="bob")
    consumers.handler(flows.sqs_of_events(friends), FakeLambdaContext())
    ws.handler(_ws_event("$connect", "a1", "alice"), FakeLambdaContext())

    status, body = _rest("GET", "/api/realtime/presence", "bob", query={"userIds": "alice,carol"})
    assert status == 200 and [(p["userId"], p["status"]) for p in body["items"]] == [("alice", "online")]
    assert _rest("GET", "/api/realtime/presence", "bob", query={"userIds": "a;b"})[0] == 422

    assert _rest("POST", "/api/realtime/rooms", "alice", {"name": "Plan", "invite": ["carol"]})[0] == 422
    status, room = _rest("POST", "/api/realtime/rooms", "alice", {"name": "Plan", "invite": ["bob"]})
    assert status == 201 and room["version"] == 1
    assert _rest("GET", f"/api/realtime/rooms/{room['roomId']}", "bob")[0] == 200
    assert _rest("GET", f"/api/realtime/rooms/{room['roomId']}", "carol")[0] == 404
    assert _rest("POST", f"/api/realtime/rooms/{room['roomId']}/leave", "bob")[0] == 204
    assert _rest("GET", f"/api/realtime/rooms/{room['roomId']}", "bob")[0] == 404


def test_given_a_duel_participant_reporting_progress_then_duel_progress_reported_is_in_the_outbox(realtime) -> None:
    pusher, created = realtime
    invited = DomainEvent.new("challenges", "DuelInvited", {
        "duelId": "d1", "challengerId": "alice", "opponentId": "bob", "participantIds": ["alice", "bob"],
        "expiresAt": "2026-12-01T00:00:00.000Z"}, actor="alice")
    consumers.handler(flows.sqs_of_events(invited), FakeLambdaContext())
    for connection, user in [("a1", "alice"), ("c1", "carol")]:
        ws.handler(_ws_event("$connect", connection, user), FakeLambdaContext())
        _say(connection, user, {"action": "duel.progress", "duelId": "d1", "progress": 4})

    assert [(f["type"], f["data"]["status"]) for f in _frames(pusher, "c1")] == [("error", 403)]
    reported = [e for e in outbox_events(flows.stream_event(created["ConnectionsTable"])["Records"])
                if e.detail_type == "DuelProgressReported"]
    assert [e.detail.data for e in reported] == [{"duelId": "d1", "userId": "alice", "progress": 4}]

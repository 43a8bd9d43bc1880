"""Realtime handlers in-process against moto: connect, REST view, event push, disconnect."""

from __future__ import annotations

import json

import boto3
import pytest

from deepiri_common.events import DomainEvent
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

    def send(self, connection_id: str, payload: bytes) -> None:
        self.sent.append((connection_id, json.loads(payload)))


@pytest.fixture
def realtime(aws, monkeypatch):
    created = template.create("ConnectionsTable", "IdempotencyTable", "EventBus", "RealtimeEvents.Queue")
    flows.route_rule_to_queue("RealtimeEvents.Rule", created["EventBus"], created["RealtimeEvents.Queue"])
    monkeypatch.setenv("EVENT_BUS_NAME", created["EventBus"])
    monkeypatch.setenv("CONNECTIONS_TABLE", created["ConnectionsTable"])
    monkeypatch.setenv("IDEMPOTENCY_TABLE", created["IdempotencyTable"])
    monkeypatch.setenv("WS_MANAGEMENT_ENDPOINT", "https://ws.execute-api.us-east-1.amazonaws.com/test")
    pusher = RecordingPusher()
    wiring.reset()
    monkeypatch.setattr(wiring, "connection_pusher", lambda: pusher)  # the one place tests override
    reset_settings_cache()
    yield pusher, created
    reset_settings_cache()


def _ws_event(route: str, connection_id: str, user_id: str | None = None, body: str | None = None,
              event_type: str | None = None) -> dict:
    kind = event_type or {"$connect": "CONNECT", "$disconnect": "DISCONNECT"}.get(route, "MESSAGE")
    context = {"routeKey": route, "eventType": kind, "connectionId": connection_id, "requestId": "r1", "stage": "test"}
    if user_id:
        context["authorizer"] = {"userId": user_id, "roles": "user", "principalId": user_id}
    return {"requestContext": context, "body": body}


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
    assert {frame["event"] for _, frame in pusher.sent} == {"BadgeEarned"}


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
    [bus_event] = flows.bus_messages(created["RealtimeEvents.Queue"])
    assert bus_event["detail-type"] == "PresenceUpdated" and bus_event["source"] == "deepiri.realtime"

    # The realtime consumer pushes it to alice's open connection.
    consumers.handler(flows.sqs_event(bus_event), FakeLambdaContext())
    assert [(cid, frame["event"], frame["data"]["status"]) for cid, frame in pusher.sent] == [
        ("phone", "PresenceUpdated", "busy")]


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

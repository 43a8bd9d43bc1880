"""The notifications service in-process against moto, on the table and queues of template.yaml: events
through the consumer, deliveries through the delivery queue to SES, the outbox, the REST routes, the jobs,
and a deleted user purged."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from deepiri_common.events import DomainEvent
from deepiri_common.settings import reset_settings_cache
from deepiri_notifications import wiring
from deepiri_notifications.handlers import api, consumers, deliveries, jobs
from tests.support import flows, template
from tests.support.apigw import rest_event
from tests.support.lambda_context import FakeLambdaContext

ADA, BOB = "01JD00000000000000000000AD", "01JD00000000000000000000B0"


@pytest.fixture
def notifications(aws, monkeypatch) -> dict[str, str]:
    monkeypatch.setenv("MAIL_FROM", "no-reply@deepiri.dev")
    monkeypatch.setenv("APP_URL", "https://app.example")
    boto3.client("ses", region_name=template.REGION).verify_domain_identity(Domain="deepiri.dev")
    with template.deployed(monkeypatch, wiring.reset, EVENT_BUS_NAME="EventBus",
                           NOTIFICATIONS_TABLE="NotificationsTable", DELIVERY_QUEUE_URL="NotificationsDeliveryQueue",
                           DEAD_LETTER_QUEUE_URL="NotificationsEvents.DeadLetterQueue",
                           IDEMPOTENCY_TABLE="IdempotencyTable") as created:
        yield created


def _consume(*events: DomainEvent) -> None:
    assert consumers.handler(flows.sqs_of_events(*events), FakeLambdaContext()) == {"batchItemFailures": []}


def _deliver_queued(queue_url: str) -> int:
    """Run the delivery function on everything in the delivery queue; how many requests there were."""
    sqs = boto3.client("sqs", region_name=template.REGION)
    bodies: list[dict[str, Any]] = []
    while messages := sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10).get("Messages", []):
        for message in messages:
            bodies.append(json.loads(message["Body"]))
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=message["ReceiptHandle"])
    if bodies:
        assert deliveries.handler(flows.sqs_event(*bodies), FakeLambdaContext()) == {"batchItemFailures": []}
    return len(bodies)


def _call(method: str, path: str, user: str = BOB, body: Any = None,
          query: dict[str, str] | None = None) -> tuple[int, Any]:
    event = rest_event(method, path, body=body, authorizer={"userId": user, "roles": "user"}, query=query)
    response = api.handler(event, FakeLambdaContext())
    return response["statusCode"], json.loads(response["body"]) if response.get("body") else None


def _emails_sent() -> int:
    return int(boto3.client("ses", region_name=template.REGION).get_send_quota()["SentLast24Hours"])


def _registered(user: str, name: str) -> DomainEvent:
    return DomainEvent.new("users", "UserRegistered", {"userId": user, "email": f"{name.lower()}@example.com",
                                                       "displayName": name}, actor=user)


def _mention(author: str = ADA, mentioned: tuple[str, ...] = (BOB,)) -> DomainEvent:
    return DomainEvent.new("tasks", "TaskCommented", {
        "taskId": "01JD0000000000000000000T01", "commentId": "01JD0000000000000000000C01", "authorId": author,
        "mentionedUserIds": list(mentioned), "projectId": None, "userId": author}, actor=author)


def _outbox(table: str) -> list[dict[str, Any]]:
    items = boto3.client("dynamodb", region_name=template.REGION).scan(TableName=table)["Items"]
    return [json.loads(item["detail"]["S"])["data"] for item in items if item.get("kind", {}).get("S") == "outbox"]


def test_given_a_mention_delivered_twice_then_one_notification_one_event_and_one_email(notifications) -> None:
    _consume(_registered(ADA, "Ada"), _registered(BOB, "Bob"))
    mention = _mention()

    _consume(mention)
    _consume(mention)  # a redelivery: the consumer's idempotency and the (event, recipient) marker both hold

    status, page = _call("GET", "/api/notifications")
    assert status == 200 and [(n["kind"], n["title"]) for n in page["items"]] == [("mention", "Ada mentioned you")]
    [published] = _outbox(notifications["NotificationsTable"])
    assert published["userId"] == BOB and published["notificationId"] == page["items"][0]["id"]
    assert _deliver_queued(notifications["NotificationsDeliveryQueue"]) == 2  # email and push
    assert _emails_sent() == 1
    [note] = _call("GET", "/api/notifications")[1]["items"]
    assert sorted((d["channel"], d["status"]) for d in note["deliveries"]) == [
        ("email", "sent"), ("inApp", "delivered"), ("push", "skipped")]
    assert [d["reason"] for d in note["deliveries"] if d["channel"] == "push"] == ["no registered device"]


def test_given_notifications_then_read_unread_read_all_and_delete_work_and_others_get_404(notifications) -> None:
    _consume(*[_mention(mentioned=(BOB,)) for _ in range(3)])
    items = _call("GET", "/api/notifications")[1]["items"]
    assert len(items) == 3 and _call("GET", "/api/notifications/unread-count")[1] == {"unread": 3}

    status, read = _call("POST", f"/api/notifications/{items[0]['id']}/read")
    assert status == 200 and read["readAt"] is not None
    unread = _call("GET", "/api/notifications", query={"unread": "true"})[1]["items"]
    assert [n["id"] for n in unread] == [items[1]["id"], items[2]["id"]]
    page = _call("GET", "/api/notifications", query={"unread": "true", "limit": "1"})[1]
    assert len(page["items"]) == 1 and page["nextCursor"]
    assert _call("GET", "/api/notifications", user=ADA, query={"cursor": page["nextCursor"]})[0] == 400

    assert _call("POST", f"/api/notifications/{items[1]['id']}/read", user=ADA)[0] == 404
    assert _call("DELETE", f"/api/notifications/{items[1]['id']}", user=ADA)[0] == 404
    assert _call("POST", "/api/notifications/read-all")[1] == {"marked": 2}
    assert _call("GET", "/api/notifications/unread-count")[1] == {"unread": 0}
    assert _call("DELETE", f"/api/notifications/{items[1]['id']}")[0] == 204
    assert [n["id"] for n in _call("GET", "/api/notifications")[1]["items"]] == [items[0]["id"], items[2]["id"]]
    assert _call("POST", "/api/notifications/not-an-id/read")[0] == 422


def test_given_preferences_then_they_persist_and_bad_ones_are_422(notifications) -> None:
    status, defaults = _call("GET", "/api/notifications/preferences")
    assert status == 200 and defaults["timezone"] == "UTC" and defaults["digest"] == {"enabled": True, "hour": 8}
    assert defaults["kinds"]["passwordReset"] == {"inApp": True, "email": True, "push": False}

    wanted = {"timezone": "UTC", "kinds": {"mention": {"inApp": True, "email": False, "push": True}},
              "quietHours": {"start": "22:00", "end": "07:00"}, "digest": {"enabled": False, "hour": 7}}
    status, saved = _call("PUT", "/api/notifications/preferences", body=wanted)
    assert status == 200 and saved["kinds"]["mention"]["email"] is False
    again = _call("GET", "/api/notifications/preferences")[1]
    assert again == saved and again["quietHours"] == {"start": "22:00", "end": "07:00"}

    for bad, field in (({"timezone": "Mars/Olympus"}, "timezone"), ({"quietHours": {"start": "25:00", "end": "07:00"}},
                       "quietHours.start"), ({"kinds": {"spam": {}}}, "kinds.spam"),
                       ({"timezone": "Europe/Paris"}, "body.timezone")):  # the account's, set in the users service
        status, problem = _call("PUT", "/api/notifications/preferences", body=bad)
        assert status == 422 and any(field in error["field"] for error in problem["errors"]), problem


def _at(event: DomainEvent, occurred_at: str, **data: Any) -> DomainEvent:
    """``event`` as if it had happened at ``occurred_at`` (with ``data`` added)."""
    detail = event.detail.model_copy(update={"occurredAt": occurred_at, "data": {**event.detail.data, **data}})
    return event.model_copy(update={"detail": detail})


def _settings_changed(user: str, timezone: str, occurred_at: str) -> DomainEvent:
    return _at(DomainEvent.new("users", "UserSettingsChanged", {"userId": user, "timezone": timezone,
                                                                "dayStartHour": 4}, actor=user), occurred_at)


def test_given_the_users_settings_then_the_preferences_follow_the_latest_timezone_whatever_the_order(
        notifications) -> None:
    registered = _at(_registered(BOB, "Bob"), "2026-11-30T08:00:00.000Z", timezone="America/Lima", dayStartHour=0)
    newer, older = (_settings_changed(BOB, "Asia/Tokyo", "2026-11-30T10:00:00.000Z"),
                    _settings_changed(BOB, "Europe/Paris", "2026-11-30T09:00:00.000Z"))
    assert _call("PUT", "/api/notifications/preferences",
                 body={"quietHours": {"start": "22:00", "end": "07:00"}})[0] == 200

    _consume(registered)
    assert _call("GET", "/api/notifications/preferences")[1]["timezone"] == "America/Lima"
    _consume(newer)
    _consume(older, registered)  # late and redelivered: both older than what is kept

    shown = _call("GET", "/api/notifications/preferences")[1]
    assert shown["timezone"] == "Asia/Tokyo" and shown["quietHours"] == {"start": "22:00", "end": "07:00"}
    status, problem = _call("PUT", "/api/notifications/preferences", body={"timezone": "Europe/Paris"})
    assert status == 422 and problem["errors"][0]["field"] == "body.timezone"
    repeated = _call("PUT", "/api/notifications/preferences", body={"timezone": "Asia/Tokyo"})
    assert repeated[1]["timezone"] == "Asia/Tokyo"


def test_given_quiet_hours_in_the_users_timezone_then_a_push_waits_for_their_local_end(notifications) -> None:
    _consume(_registered(BOB, "Bob"), _settings_changed(BOB, "Asia/Tokyo", "2026-11-30T08:00:00.000Z"))
    _call("PUT", "/api/notifications/preferences", body={"quietHours": {"start": "00:00", "end": "23:59"}})
    _consume(_mention())

    assert _deliver_queued(notifications["NotificationsDeliveryQueue"]) == 2
    [note] = _call("GET", "/api/notifications")[1]["items"]
    [push] = [d for d in note["deliveries"] if d["channel"] == "push"]
    assert push["status"] == "held" and push["reason"].endswith("T14:59:00.000Z")  # 23:59 in Tokyo, in UTC


def test_given_a_device_then_it_registers_as_unconfigured_locally_and_can_be_removed(notifications) -> None:
    status, device = _call("POST", "/api/notifications/devices", body={"platform": "fcm", "token": "fcm-token-0001"})
    assert status == 201 and device["push"] == "unconfigured" and "token" not in device
    assert _call("POST", "/api/notifications/devices", body={"platform": "fcm", "token": "fcm-token-0001"})[1] == device
    assert [d["id"] for d in _call("GET", "/api/notifications/devices")[1]] == [device["id"]]
    assert _call("DELETE", f"/api/notifications/devices/{device['id']}", user=ADA)[0] == 404
    assert _call("DELETE", f"/api/notifications/devices/{device['id']}")[0] == 204
    assert _call("GET", "/api/notifications/devices")[1] == []


def test_given_quiet_hours_then_the_push_is_held_and_released_after_them_while_security_mail_goes_out(
        notifications, monkeypatch) -> None:
    _consume(_registered(BOB, "Bob"))
    quiet_all_day = {"timezone": "UTC", "quietHours": {"start": "00:00", "end": "23:59"}}
    assert _call("PUT", "/api/notifications/preferences", body=quiet_all_day)[0] == 200
    _call("POST", "/api/notifications/devices", body={"platform": "fcm", "token": "fcm-token-0001"})
    reset = DomainEvent.new("users", "PasswordResetRequested", {
        "userId": BOB, "email": "bob@example.com", "token": "s3cret-token", "expiresAt": "2026-11-30T13:00:00Z"},
        actor=BOB)
    _consume(_mention(), reset)

    assert _deliver_queued(notifications["NotificationsDeliveryQueue"]) == 3
    assert _emails_sent() == 1  # the reset email; the mention's email waits with its push
    notes = {n["kind"]: n for n in _call("GET", "/api/notifications")[1]["items"]}
    assert [(d["channel"], d["status"]) for d in notes["passwordReset"]["deliveries"]] == [
        ("inApp", "delivered"), ("push", "off"), ("email", "sent")]
    assert "s3cret" not in json.dumps(notes)
    held = {d["channel"]: d for d in notes["mention"]["deliveries"] if d["status"] == "held"}
    assert set(held) == {"email", "push"} and held["push"]["reason"].startswith("quiet hours until ")

    run = jobs.release_handler({"now": "2099-01-01T00:00:00.000Z"}, FakeLambdaContext())
    assert run == {"released": 2, "dropped": 0}
    assert _deliver_queued(notifications["NotificationsDeliveryQueue"]) == 2  # both are queued again


def test_given_low_priority_notifications_then_the_digest_job_sends_one_email(notifications) -> None:
    _consume(_registered(BOB, "Bob"))
    _consume(DomainEvent.new("engagement", "LevelUp", {"userId": BOB, "level": 2, "previousLevel": 1}, actor=BOB),
             DomainEvent.new("engagement", "LevelUp", {"userId": BOB, "level": 3, "previousLevel": 2}, actor=BOB))

    first = jobs.digest_handler({"now": "2099-01-01T09:00:00.000Z"}, FakeLambdaContext())
    second = jobs.digest_handler({"now": "2099-01-01T10:00:00.000Z"}, FakeLambdaContext())

    assert first == {"users": 1, "emails": 1, "items": 2, "waiting": 0} and _emails_sent() == 1
    assert second == {"users": 0, "emails": 0, "items": 0, "waiting": 0}
    notes = _call("GET", "/api/notifications")[1]["items"]
    assert all(n["deliveries"][-1]["reason"] == "daily digest of 2" for n in notes)


def test_given_user_deleted_then_notifications_preferences_and_devices_are_purged(notifications) -> None:
    _consume(_registered(BOB, "Bob"), _mention())
    _consume(_settings_changed(BOB, "Europe/Paris", "2026-11-30T08:00:00.000Z"))
    _call("POST", "/api/notifications/devices", body={"platform": "fcm", "token": "fcm-token-0001"})

    _consume(DomainEvent.new("users", "UserDeleted", {"userId": BOB}, actor=BOB))

    assert _call("GET", "/api/notifications")[1] == {"items": [], "nextCursor": None}
    assert _call("GET", "/api/notifications/devices")[1] == []
    assert _call("GET", "/api/notifications/preferences")[1]["timezone"] == "UTC"
    items = boto3.client("dynamodb", region_name=template.REGION).scan(TableName=notifications["NotificationsTable"])
    assert [item for item in items["Items"] if BOB in item["pk"]["S"] or BOB in item["sk"]["S"]] == []


def test_given_ses_refuses_the_sender_then_the_email_is_recorded_failed_with_the_code(
        notifications, monkeypatch) -> None:
    monkeypatch.setenv("MAIL_FROM", "no-reply@unverified.example")
    wiring.reset()
    reset_settings_cache()
    _consume(_registered(BOB, "Bob"), _mention())

    assert _deliver_queued(notifications["NotificationsDeliveryQueue"]) == 2

    [note] = _call("GET", "/api/notifications")[1]["items"]
    [email] = [d for d in note["deliveries"] if d["channel"] == "email"]
    assert (email["status"], email["reason"]) == ("failed", "SES refused: MessageRejected")
    assert _emails_sent() == 0

"""The notifications service through the deployed local stack: events become notifications, email goes out
through the emulator's SES, preferences hold pushes in quiet hours, the digest job, UserDeleted."""

from __future__ import annotations

import json
import time
from datetime import timedelta
from typing import Any

import pytest
import requests
from websockets.sync.client import connect

from deepiri_common.clock import to_iso, utc_now
from deepiri_common.events import DomainEvent
from deepiri_common.ids import new_ulid
from tests.e2e.conftest import wait_for
from tests.support.frames import closed_within

pytestmark = pytest.mark.e2e


def _emails(stack, to: str) -> list[dict[str, Any]]:
    """What the emulator's SES accepted for ``to`` (MiniStack's /_ministack/ses/messages)."""
    response = requests.get(f"{stack.target.endpoint}/_ministack/ses/messages", timeout=30)
    assert response.status_code == 200, response.text
    return [message for messages in response.json()["messages"].values() for message in messages
            if to in message["To"]]


def _notes(api, token: str, **params: str) -> list[dict[str, Any]]:
    response = api("GET", "/api/notifications", token=token, params=params)
    assert response.status_code == 200, response.text
    return list(response.json()["items"])


def _due_soon(user_id: str, title: str) -> DomainEvent:
    data = {"taskId": new_ulid(), "userId": user_id, "dueAt": to_iso(utc_now() + timedelta(minutes=30)),
            "title": title}
    return DomainEvent.new("tasks", "TaskDueSoon", data, actor="system")


def _invite(api, owner, member, tasks_directory) -> str:
    tasks_directory(member.id)
    project = api("POST", "/api/projects", token=owner.token, json={"name": "Notified"})
    assert project.status_code == 201, project.text
    pid = project.json()["id"]
    invite = api("POST", f"/api/projects/{pid}/invitations", token=owner.token,
                 json={"userId": member.id, "role": "member"})
    assert invite.status_code in (200, 201), invite.text
    assert api("POST", f"/api/projects/{pid}/invitations/accept", token=member.token).status_code in (200, 204)
    return str(pid)


def test_given_a_mention_then_an_in_app_notification_and_an_ses_email(stack, api, account, tasks_directory) -> None:
    owner, member = account("notify-owner"), account("notify-member")
    pid = _invite(api, owner, member, tasks_directory)
    task = api("POST", "/api/tasks", token=member.token, json={"title": "Press kit", "projectId": pid})
    assert task.status_code == 201, task.text
    comment = api("POST", f"/api/tasks/{task.json()['id']}/comments", token=member.token,
                  json={"body": f"@{owner.id} can you review?"})
    assert comment.status_code == 201, comment.text

    mention = wait_for(lambda: [n for n in _notes(api, owner.token) if n["kind"] == "mention"], seconds=60)
    assert mention[0]["title"] == "Notify-Member mentioned you" and mention[0]["readAt"] is None
    [email] = wait_for(lambda: [m for m in _emails(stack, owner.email) if m["Subject"].endswith("mentioned you")],
                       seconds=60)
    assert email["Source"] == "no-reply@deepiri.dev" and f"/tasks/{task.json()['id']}#comment-" in email["BodyText"]
    sent = wait_for(lambda: [d for n in _notes(api, owner.token) if n["kind"] == "mention"
                             for d in n["deliveries"] if d["channel"] == "email" and d["status"] == "sent"], seconds=30)
    assert len(sent) == 1
    assert api("GET", "/api/notifications/unread-count", token=owner.token).json()["unread"] >= 1


def test_given_an_event_delivered_twice_then_one_notification(api, account, publish) -> None:
    user = account("notify-twice")
    duplicated, marker = _due_soon(user.id, "Send the invoice"), _due_soon(user.id, "Water the plants")
    publish(duplicated)
    publish(duplicated)
    publish(marker)

    wait_for(lambda: {n["title"] for n in _notes(api, user.token)} >= {"Send the invoice", "Water the plants"},
             seconds=60)
    time.sleep(3)  # a late duplicate would have landed by now (the queue delivers in seconds)
    titles = [n["title"] for n in _notes(api, user.token)]
    assert titles.count("Send the invoice") == 1 and titles.count("Water the plants") == 1


def test_given_notifications_then_read_unread_read_all_delete_and_preferences_persist(
        api, account, publish) -> None:
    user, stranger = account("notify-reader"), account("notify-stranger")
    for title in ("One", "Two", "Three"):
        publish(_due_soon(user.id, title))
    notes = wait_for(lambda: len(found := _notes(api, user.token)) == 3 and found, seconds=60)
    first, second = notes[0]["id"], notes[1]["id"]

    assert api("POST", f"/api/notifications/{first}/read", token=user.token).json()["readAt"]
    assert [n["id"] for n in _notes(api, user.token, unread="true")] == [second, notes[2]["id"]]
    assert api("POST", f"/api/notifications/{second}/read", token=stranger.token).status_code == 404
    assert api("DELETE", f"/api/notifications/{second}", token=stranger.token).status_code == 404
    assert api("POST", "/api/notifications/read-all", token=user.token).json() == {"marked": 2}
    assert api("GET", "/api/notifications/unread-count", token=user.token).json() == {"unread": 0}
    assert api("DELETE", f"/api/notifications/{second}", token=user.token).status_code == 204
    assert second not in [n["id"] for n in _notes(api, user.token)]

    wanted = {"timezone": "UTC", "kinds": {"taskDueSoon": {"inApp": True, "email": False, "push": True}},
              "quietHours": {"start": "23:00", "end": "06:30"}, "digest": {"enabled": False, "hour": 9}}
    saved = api("PUT", "/api/notifications/preferences", token=user.token, json=wanted)
    assert saved.status_code == 200, saved.text
    again = api("GET", "/api/notifications/preferences", token=user.token).json()
    assert again == saved.json() and again["kinds"]["taskDueSoon"] == wanted["kinds"]["taskDueSoon"]
    assert again["timezone"] == "UTC" and again["digest"] == {"enabled": False, "hour": 9}
    bad = api("PUT", "/api/notifications/preferences", token=user.token, json={"timezone": "Nowhere/Land"})
    assert bad.status_code == 422 and bad.headers["Content-Type"].startswith("application/problem+json")


def test_given_quiet_hours_then_a_push_is_held_while_security_mail_goes_out(stack, api, account, publish) -> None:
    user = account("notify-quiet")
    now = utc_now()
    quiet = {"start": (now - timedelta(hours=2)).strftime("%H:%M"), "end": (now + timedelta(hours=2)).strftime("%H:%M")}
    assert api("PUT", "/api/notifications/preferences", token=user.token,
               json={"timezone": "UTC", "quietHours": quiet}).status_code == 200
    device = api("POST", "/api/notifications/devices", token=user.token,
                 json={"platform": "fcm", "token": "fcm-e2e-device-token-0001"})
    assert device.status_code == 201 and device.json()["push"] == "unconfigured"

    publish(_due_soon(user.id, "Quiet task"))
    held = wait_for(lambda: [d for n in _notes(api, user.token) if n["title"] == "Quiet task"
                             for d in n["deliveries"] if d["channel"] == "push" and d["status"] == "held"], seconds=60)
    assert held[0]["reason"].startswith("quiet hours until ")

    reset = api("POST", "/api/auth/password-reset", json={"email": user.email})
    assert reset.status_code == 202, reset.text
    [email] = wait_for(lambda: [m for m in _emails(stack, user.email)
                                if m["Subject"] == "Reset your Deepiri password"], seconds=60)
    assert "/reset-password?token=" in email["BodyText"]
    security = wait_for(lambda: [n for n in _notes(api, user.token) if n["kind"] == "passwordReset"], seconds=30)
    token = email["BodyText"].split("token=", 1)[1].split()[0]
    assert token not in json.dumps(security)
    statuses = wait_for(lambda: [d["status"] for n in _notes(api, user.token) if n["kind"] == "passwordReset"
                                 for d in n["deliveries"] if d["channel"] == "email"], seconds=30)
    assert statuses == ["sent"]


def test_given_low_priority_notifications_then_the_digest_job_sends_one_email(stack, api, account, publish) -> None:
    user = account("notify-digest")
    for level in (2, 3):
        publish(DomainEvent.new("engagement", "LevelUp", {"userId": user.id, "level": level,
                                                          "previousLevel": level - 1}, actor="system"))
    wait_for(lambda: len(_notes(api, user.token)) == 2, seconds=60)

    late_today = to_iso(utc_now().replace(hour=23, minute=30, second=0, microsecond=0))
    job = stack.client("lambda")
    for _ in range(2):  # the second run finds the digest of that day sent
        result = job.invoke(FunctionName="deepiri-e2e-notifications-digest",
                            Payload=json.dumps({"now": late_today}).encode())
        assert "FunctionError" not in result, result["Payload"].read()

    digests = wait_for(lambda: [m for m in _emails(stack, user.email) if m["Subject"].startswith("Your Deepiri day")],
                       seconds=30)
    assert len(digests) == 1 and digests[0]["Subject"] == "Your Deepiri day: 2 update(s)"
    assert "Level 2!" in digests[0]["BodyText"] and "Level 3!" in digests[0]["BodyText"]


def test_given_user_deleted_then_notifications_preferences_devices_and_connections_are_purged(
        stack, api, account, publish) -> None:
    user = account("notify-deleted")
    publish(_due_soon(user.id, "Soon gone"))
    wait_for(lambda: _notes(api, user.token), seconds=60)
    assert api("PUT", "/api/notifications/preferences", token=user.token,
               json={"quietHours": {"start": "22:00", "end": "07:00"}}).status_code == 200
    assert api("POST", "/api/notifications/devices", token=user.token,
               json={"platform": "apns", "token": "apns-e2e-device-token-0001"}).status_code == 201
    with connect(f"{stack.urls.websocket}?token={user.token}", open_timeout=60) as socket:
        wait_for(lambda: api("GET", "/api/realtime/me", token=user.token).json()["connections"], seconds=30)

        publish(DomainEvent.new("users", "UserDeleted", {"userId": user.id}, actor=user.id))

        assert closed_within(socket, 60)
    wait_for(lambda: _notes(api, user.token) == [], seconds=60)
    assert api("GET", "/api/notifications/devices", token=user.token).json() == []
    assert api("GET", "/api/notifications/preferences", token=user.token).json()["quietHours"] is None
    wait_for(lambda: api("GET", "/api/realtime/me", token=user.token).json()["connections"] == [], seconds=30)

"""Notifications reaching real WebSocket clients through the deployed local stack, and the account's
timezone reaching the notification preferences.

A completed task becomes XpAwarded and LevelUp (engagement), LevelUp a notification (notifications),
NotificationCreated a `notification` frame on the owner's channel (realtime). A duel invitation is put on
the bus as the challenges service will publish it (contracts/pending.py). Asynchronous paths are waited for
with generous time-outs; their speed is measured by `make bench`, never asserted here."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import pytest
from websockets.sync.client import ClientConnection, connect

from deepiri_common.clock import to_iso, utc_now
from deepiri_common.events import DomainEvent
from deepiri_common.ids import new_ulid
from tests.e2e.conftest import wait_for
from tests.support.frames import frames_within

pytestmark = pytest.mark.e2e

Frame = dict[str, Any]


@contextmanager
def _socket(stack, token: str) -> Iterator[ClientConnection]:
    # generous: the session's first handshake pays the authorizer's and $connect's cold starts
    with connect(f"{stack.urls.websocket}?token={token}", open_timeout=60, max_size=2**21) as socket:
        yield socket


def _connected(api, token: str) -> None:
    wait_for(lambda: api("GET", "/api/realtime/me", token=token).json()["connections"], seconds=30)


def _each_once(socket: ClientConnection, wanted: dict[str, Callable[[Frame], bool]],
               seconds: float) -> dict[str, Frame]:
    """The first frame matching each of ``wanted`` (by name), in whatever order they arrive."""
    found: dict[str, Frame] = {}
    for _ in range(200):  # bounded: frames of other kinds (own presence, say) are skipped
        if len(found) == len(wanted):
            return found
        frame = json.loads(socket.recv(timeout=seconds))
        found |= {name: frame for name, matches in wanted.items() if name not in found and matches(frame)}
    raise AssertionError(f"missing frames: {sorted(set(wanted) - set(found))}")


def _about(user_id: str) -> Callable[[Frame], bool]:
    return lambda frame: frame.get("channel") == f"user:{user_id}" or user_id in json.dumps(frame.get("data", {}))


def test_given_a_completed_task_then_its_owner_gets_xp_level_and_a_notification_frame_and_another_user_nothing(
        stack, account, api) -> None:
    alice, bob = account("nf-alice"), account("nf-bob")
    with _socket(stack, alice.token) as mine, _socket(stack, bob.token) as theirs:
        _connected(api, alice.token)
        _connected(api, bob.token)
        due = to_iso(utc_now() + timedelta(days=1))  # epic, urgent and on time: 105 XP, level 2 on the first task
        task = api("POST", "/api/tasks", token=alice.token,
                   json={"title": "Ship the notifications", "difficulty": "epic", "priority": "urgent", "dueAt": due})
        assert task.status_code == 201, task.text
        assert api("POST", f"/api/tasks/{task.json()['id']}/complete", token=alice.token, json={}).status_code == 200

        on_alice = f"user:{alice.id}"
        frames = _each_once(mine, {
            "xp": lambda f: f["type"] == "xp.awarded" and f["channel"] == on_alice,
            "level": lambda f: f["type"] == "level.up" and f["channel"] == on_alice,
            "notification": lambda f: f["type"] == "notification" and f["data"].get("kind") == "levelUp"},
            seconds=90)
        assert frames["xp"]["data"]["userId"] == alice.id and frames["level"]["data"]["level"] == 2
        note = frames["notification"]
        assert (note["channel"], note["data"]["userId"], note["data"]["title"]) == (on_alice, alice.id, "Level 2!")
        listed = api("GET", "/api/notifications", token=alice.token).json()["items"]
        assert note["data"]["notificationId"] in [n["id"] for n in listed]
        assert [f for f in frames_within(theirs, 5) if _about(alice.id)(f)] == []


def test_given_a_duel_invitation_then_the_invitee_gets_it_on_their_own_channel_and_the_challenger_nothing(
        stack, account, api, publish) -> None:
    challenger, invitee = account("nf-challenger"), account("nf-invitee")
    duel = new_ulid()
    invited = DomainEvent.new("challenges", "DuelInvited", {
        "duelId": duel, "challengerId": challenger.id, "opponentId": invitee.id,
        "participantIds": [challenger.id, invitee.id], "expiresAt": to_iso(utc_now() + timedelta(days=1))},
        actor=challenger.id)
    with _socket(stack, challenger.token) as theirs, _socket(stack, invitee.token) as mine:
        _connected(api, challenger.token)
        _connected(api, invitee.token)

        publish(invited)

        on_invitee = f"user:{invitee.id}"
        frames = _each_once(mine, {
            "invitation": lambda f: f["type"] == "duel.update" and f["data"].get("duelId") == duel,
            "notification": lambda f: f["type"] == "notification" and f["data"].get("kind") == "duelInvited"},
            seconds=90)
        invitation = frames["invitation"]
        assert (invitation["channel"], invitation["data"]["kind"], invitation["id"]) == (
            on_invitee, "invited", invited.detail.id)
        assert frames["notification"]["channel"] == on_invitee
        assert frames["notification"]["data"]["title"].endswith("challenged you to a duel")
        assert [f for f in frames_within(theirs, 5) if duel in json.dumps(f)] == []
    [note] = [n for n in api("GET", "/api/notifications", token=invitee.token).json()["items"]
              if n["kind"] == "duelInvited"]
    assert note["link"] == f"/duels/{duel}"
    assert api("GET", "/api/notifications", token=challenger.token).json()["items"] == []


def test_given_a_timezone_set_on_the_account_then_the_notification_preferences_follow_it(stack, account, api) -> None:
    user = account("nf-traveller")
    me = api("GET", "/api/users/me", token=user.token).json()
    moved = api("PATCH", "/api/users/me", token=user.token, json={"version": me["version"], "timezone": "Asia/Tokyo"})
    assert moved.status_code == 200, moved.text

    wait_for(lambda: api("GET", "/api/notifications/preferences", token=user.token).json()["timezone"] == "Asia/Tokyo",
             seconds=60)
    refused = api("PUT", "/api/notifications/preferences", token=user.token, json={"timezone": "Europe/Paris"})
    assert refused.status_code == 422 and refused.json()["errors"][0]["field"] == "body.timezone"
    kept = api("PUT", "/api/notifications/preferences", token=user.token,
               json={"quietHours": {"start": "22:00", "end": "07:00"}})
    assert kept.status_code == 200 and kept.json()["timezone"] == "Asia/Tokyo"


def test_given_notification_toggles_sent_to_the_users_preferences_then_422_pointing_to_notifications(
        account, api) -> None:
    user = account("nf-old-client")
    old = api("PUT", "/api/users/me/preferences", token=user.token,
              json={"theme": "dark", "notifications": {"tasks": {"email": False, "push": True, "inApp": True}}})

    assert old.status_code == 422 and old.headers["Content-Type"].startswith("application/problem+json")
    [error] = old.json()["errors"]
    assert error["field"] == "body.notifications" and "/api/notifications/preferences" in error["message"]
    assert api("PUT", "/api/users/me/preferences", token=user.token, json={"theme": "dark"}).json() == {
        "weekStart": "monday", "theme": "dark"}

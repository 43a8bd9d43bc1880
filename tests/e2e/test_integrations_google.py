"""Google Calendar through the deployed stack, against the fake Google the session starts beside the fake
GitHub (tests/support/fake_google.py): connect with PKCE and offline access, calendar events become tasks
due at the right instant in the user's timezone (learnt from the users service's UserSettingsChanged),
completing one marks its event at the fake exactly once, an expired sync token (410) resets to a full read
without importing anything twice, and a focus block is created for the caller's own challenge (another
user's is 404). And GitHub's secondary rate limit (403 with ``x-ratelimit-remaining: 0``) delays the sync
without losing items."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from deepiri_common.ids import new_ulid
from tests.e2e.conftest import STAGE, Account, Stack, wait_for
from tests.support.fake_google import event
from tests.support.fake_providers import issue

pytestmark = pytest.mark.e2e

Api = Callable[..., requests.Response]
COLD = 150  # a cold function on this shared machine (see test_integrations.py)


def _control(stack: Stack, path: str, body: dict[str, Any]) -> None:
    requests.post(f"{stack.providers_url}/_control/{path}", json=body, timeout=10).raise_for_status()


def _google(stack: Stack) -> dict[str, Any]:
    return dict(requests.get(f"{stack.providers_url}/_control/google/state", timeout=10).json())


def _connect(api: Api, user: Account, provider: str, login: str) -> dict[str, Any]:
    started = api("POST", f"/api/integrations/{provider}/connect", token=user.token, timeout=COLD)
    assert started.status_code == 200, started.text
    redirect = requests.get(started.json()["authorizeUrl"] + f"&login={login}", allow_redirects=False, timeout=10)
    back = {name: values[0] for name, values in parse_qs(urlparse(redirect.headers["location"]).query).items()}
    connected = api("GET", f"/api/integrations/{provider}/callback", params=back, timeout=COLD)
    assert connected.status_code == 200, connected.text
    return dict(connected.json())


def _sync(api: Api, user: Account, provider: str) -> dict[str, Any]:
    answer = api("POST", f"/api/integrations/{provider}/sync", token=user.token, timeout=COLD)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _imported(api: Api, user: Account, provider: str) -> dict[str, dict[str, Any]]:
    tasks = api("GET", "/api/tasks", token=user.token, params={"limit": 100}, timeout=COLD).json()["items"]
    return {task["externalRef"]: task for task in tasks if task.get("source") == provider}


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


def _set_timezone(stack: Stack, api: Api, user: Account, timezone: str) -> None:
    """The user's timezone, changed at the users service, reaches the integrations service by its event."""
    profile = api("GET", "/api/users/me", token=user.token, timeout=COLD).json()
    patched = api("PATCH", "/api/users/me", token=user.token, timeout=COLD,
                  json={"version": profile["version"], "timezone": timezone})
    assert patched.status_code == 200, patched.text
    dynamodb = stack.client("dynamodb")

    def kept() -> bool:
        item = dynamodb.get_item(TableName=f"deepiri-{STAGE}-integrations", ConsistentRead=True,
                                 Key={"pk": {"S": f"PROFILE#{user.id}"}, "sk": {"S": "PROFILE"}}).get("Item")
        return bool(item) and item["timezone"]["S"] == timezone

    wait_for(kept, seconds=COLD, every=1)


def test_given_google_connected_then_events_become_tasks_due_locally_completion_marks_the_event_and_focus_blocks(
        stack: Stack, api: Api, account: Callable[[str], Account]) -> None:
    user, other = account("gcal-e2e"), account("gcal-other-e2e")
    login = f"gcal-{new_ulid()[-6:].lower()}@example.com"
    _set_timezone(stack, api, user, "America/New_York")
    _control(stack, "google/events", {"login": login, "events": [
        # Timed, with its own offset: due at its start, 08:30 UTC, whatever the user's timezone.
        event("standup1", "Team stand-up", {"dateTime": "2026-12-03T09:30:00+01:00", "timeZone": "Europe/Paris"},
              {"dateTime": "2026-12-03T10:00:00+01:00", "timeZone": "Europe/Paris"}),
        # All-day: due at the end of that day in New York (23:59:59 EST = 04:59:59 UTC the next day).
        event("review1", "Quarterly review", {"date": "2026-12-04"}, {"date": "2026-12-05"})]})

    connection = _connect(api, user, "google", login)
    first = _sync(api, user, "google")
    tasks = wait_for(lambda: (found := _imported(api, user, "google")) and len(found) == 2 and found, seconds=COLD)

    assert connection["account"] == login and connection["provider"] == "google"
    assert (first["outcome"], first["imported"]) == ("synced", 2)
    standup, review = tasks[f"{login}/standup1"], tasks[f"{login}/review1"]
    assert _instant(standup["dueAt"]) == datetime(2026, 12, 3, 8, 30, tzinfo=UTC)
    assert _instant(review["dueAt"]) == datetime(2026, 12, 5, 4, 59, 59, tzinfo=UTC)
    assert standup["title"] == "Team stand-up" and "calendar" in standup["tags"]

    # Completing the task marks the event at Google (the fake): a private property and a ✓ in its summary.
    assert api("POST", f"/api/tasks/{standup['id']}/complete", token=user.token, json={},
               timeout=COLD).status_code == 200

    def marked() -> dict[str, Any] | None:
        found = _google(stack)["calendars"][login][login]["standup1"]
        return found if found["summary"].startswith("✓") else None

    marked_event = wait_for(marked, seconds=COLD)
    assert marked_event["extendedProperties"]["private"]["deepiriDone"] == "true"
    # The marked event comes back on the next (incremental) sync; it changes no task and is not written again.
    again = _sync(api, user, "google")
    assert again["outcome"] == "synced"
    time.sleep(3)
    assert _google(stack)["patched"].count(f"{login}/standup1") == 1
    assert _imported(api, user, "google")[f"{login}/standup1"]["title"] == "Team stand-up"

    # An expired sync token (410) reads the calendar in full again; nothing is imported twice.
    _control(stack, "google/expire", {})
    reset = _sync(api, user, "google")
    assert (reset["outcome"], reset["imported"]) == ("synced", 0) and _google(stack)["gone"] >= 1

    # A focus block for the caller's own challenge, once; another user's challenge is 404.
    task = api("POST", "/api/tasks", token=user.token, json={"title": "Draft the launch post"}, timeout=COLD).json()
    challenge = api("POST", "/api/challenges/generate", token=user.token, json={"taskId": task["id"]}, timeout=COLD)
    assert challenge.status_code == 201, challenge.text
    ask = {"challengeId": challenge.json()["id"], "startAt": "2026-12-07T14:00:00Z", "minutes": 50}
    block = api("POST", "/api/integrations/google/focus-blocks", token=user.token, json=ask, timeout=COLD)
    repeat = api("POST", "/api/integrations/google/focus-blocks", token=user.token, json=ask, timeout=COLD)
    foreign = api("POST", "/api/integrations/google/focus-blocks", token=other.token, json=ask, timeout=COLD)

    assert block.status_code == 201, block.text
    assert block.json()["created"] is True and repeat.json()["created"] is False
    assert block.json()["eventId"] == repeat.json()["eventId"]
    assert (_instant(block.json()["startAt"]), _instant(block.json()["endAt"])) == (
        datetime(2026, 12, 7, 14, 0, tzinfo=UTC), datetime(2026, 12, 7, 14, 50, tzinfo=UTC))
    inserted = [e for e in _google(stack)["inserted"]
                if e["extendedProperties"]["private"].get("deepiriChallengeId") == challenge.json()["id"]]
    assert len(inserted) == 1 and inserted[0]["start"]["timeZone"] == "America/New_York"
    assert foreign.status_code == 404 and foreign.headers["content-type"].startswith("application/problem+json")


def test_given_githubs_secondary_rate_limit_then_the_sync_waits_and_loses_nothing(
        stack: Stack, api: Api, account: Callable[[str], Account]) -> None:
    user, login = account("secondary-e2e"), f"sec-{new_ulid()[-6:].lower()}"
    repo = f"deepiri/sec-{new_ulid()[-6:].lower()}"
    _control(stack, "issues", {"issues": [issue(repo, 1, "Survive the secondary limit", assignee=login)]})
    _connect(api, user, "github", login)
    reset = int(time.time()) + 3
    _control(stack, "fail", {"path": "/issues", "status": 403, "times": 1, "headers": {
        "x-ratelimit-remaining": "0", "x-ratelimit-reset": str(reset)}})

    limited = _sync(api, user, "github")
    listed = api("GET", "/api/integrations", token=user.token, timeout=COLD).json()["items"][0]
    time.sleep(max(0.0, reset - time.time()) + 1.2)
    resumed = _sync(api, user, "github")

    assert limited["outcome"] == "rateLimited" and limited["retryAfter"] is not None
    assert listed["status"] == "rateLimited" and "rate limit" in listed["lastError"]
    assert (resumed["outcome"], resumed["imported"]) == ("synced", 1)
    wait_for(lambda: f"{repo}#1" in _imported(api, user, "github"), seconds=COLD)

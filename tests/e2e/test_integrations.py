"""The integrations service through the deployed stack, against the fake GitHub the session starts
(tests/support/fake_providers.py): connect, import exactly once as tasks, a signed webhook updates one
(a tampered one is refused, a replay ignored), completing the task closes the issue at the fake, a 429
and an open breaker delay the sync without losing items, token refresh, disconnect, and no token in clear
in the table."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from deepiri_common.ids import new_ulid
from tests.e2e.conftest import STAGE, Account, Stack, wait_for
from tests.support import fake_providers
from tests.support.fake_providers import issue

pytestmark = pytest.mark.e2e

Api = Callable[..., requests.Response]


class Fake:
    def __init__(self, url: str) -> None:
        self.url = url

    def control(self, path: str, body: dict[str, Any]) -> None:
        requests.post(f"{self.url}/_control/{path}", json=body, timeout=10).raise_for_status()

    def state(self) -> dict[str, Any]:
        return dict(requests.get(f"{self.url}/_control/state", timeout=10).json())

    def calls(self, path: str) -> int:
        return int(self.state()["requests"].get(path, 0))


@pytest.fixture
def fake(stack: Stack) -> Fake:
    return Fake(stack.providers_url)


# The first call of a test may meet a cold function: on this shared 2-core machine a cold start under load
# has taken 45 s, longer than the api fixture's 30 s, so those calls (and the asynchronous hops) wait longer.
COLD = 150


def _connect(api: Api, user: Account, login: str) -> dict[str, Any]:
    started = api("POST", "/api/integrations/github/connect", token=user.token, timeout=COLD)
    assert started.status_code == 200, started.text
    redirect = requests.get(started.json()["authorizeUrl"] + f"&login={login}", allow_redirects=False, timeout=10)
    back = {name: values[0] for name, values in parse_qs(urlparse(redirect.headers["location"]).query).items()}
    connected = api("GET", "/api/integrations/github/callback", params=back, timeout=COLD)  # open: no bearer token
    assert connected.status_code == 200, connected.text
    return dict(connected.json())


def _sync(api: Api, user: Account) -> dict[str, Any]:
    answer = api("POST", "/api/integrations/github/sync", token=user.token, timeout=COLD)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _imported(api: Api, user: Account) -> dict[str, dict[str, Any]]:
    tasks = api("GET", "/api/tasks", token=user.token, params={"limit": 100}).json()["items"]
    return {task["externalRef"]: task for task in tasks if task.get("source") == "github"}


def _webhook(stack: Stack, payload: dict[str, Any], delivery: str,
             secret: str = fake_providers.WEBHOOK_SECRET) -> requests.Response:
    from deepiri_integrations.logic.webhooks import github_signature  # noqa: PLC0415 - the documented scheme

    raw = json.dumps(payload).encode()
    return requests.post(f"{stack.urls.rest}/webhooks/github", data=raw, timeout=COLD, headers={
        "Content-Type": "application/json", "X-GitHub-Event": "issues", "X-GitHub-Delivery": delivery,
        "X-Hub-Signature-256": github_signature(secret, raw)})


def test_given_github_connected_then_issues_import_once_webhooks_update_and_completion_closes_the_issue(
        stack: Stack, api: Api, account: Callable[[str], Account], fake: Fake) -> None:
    user, login, repo = account("octo-e2e"), f"octo-{new_ulid()[-6:].lower()}", f"deepiri/e2e-{new_ulid()[-6:].lower()}"
    fake.control("issues", {"issues": [
        issue(repo, 1, "Fix the flaky build", assignee=login, labels=("CI",), updated_at="2026-11-20T10:00:00Z"),
        issue(repo, 2, "Write the release notes", assignee=login, updated_at="2026-11-20T11:00:00Z",
              due_on="2026-12-24T17:00:00Z")]})

    connection = _connect(api, user, login)
    # The second run asks from the newest change seen (nothing new: nothing imported again); the third
    # asks the same URL with its ETag and gets 304.
    first, second, third = _sync(api, user), _sync(api, user), _sync(api, user)
    tasks = wait_for(lambda: (found := _imported(api, user)) and len(found) == 2 and found, seconds=COLD)

    assert connection["account"] == login and connection["status"] == "connected"
    assert (first["imported"], second["imported"], third["imported"], third["outcome"]) == (2, 0, 0, "unchanged")
    assert tasks[f"{repo}#1"]["tags"] == ["ci"] and tasks[f"{repo}#2"]["dueAt"].startswith("2026-12-24T17:00:00")

    # A signed webhook updates one task; a replay of it is ignored; a tampered one is refused (401).
    edited = {"action": "edited", "issue": issue(repo, 1, "Fix the flaky build on ARM", assignee=login,
                                                 labels=("CI",), updated_at="2026-11-21T10:00:00Z")}
    delivery = new_ulid()
    queued, replayed = _webhook(stack, edited, delivery), _webhook(stack, edited, delivery)
    tampered = _webhook(stack, {**edited, "action": "deleted"}, new_ulid(), secret="forged")
    assert (queued.status_code, queued.json()) == (202, {"outcome": "queued", "items": 1})
    assert replayed.json()["outcome"] == "duplicate"
    assert tampered.status_code == 401 and tampered.headers["content-type"].startswith("application/problem+json")
    wait_for(lambda: _imported(api, user)[f"{repo}#1"]["title"] == "Fix the flaky build on ARM", seconds=COLD)
    assert len(_imported(api, user)) == 2

    # Completing the imported task closes the issue at GitHub (the fake), through TaskCompleted.
    task_id = tasks[f"{repo}#2"]["id"]
    assert api("POST", f"/api/tasks/{task_id}/complete", token=user.token, json={}).status_code == 200
    wait_for(lambda: fake.state()["issues"][f"{repo}#2"]["state"] == "closed", seconds=COLD)
    assert fake.state()["closed"].count(f"{repo}#2") == 1

    # The table holds sealed tokens only.
    items = stack.client("dynamodb").scan(TableName=f"deepiri-{STAGE}-integrations")["Items"]
    assert items and "ghu_" not in json.dumps(items) and "ghr_" not in json.dumps(items)


def test_given_a_429_and_an_open_breaker_then_the_sync_waits_and_loses_nothing(
        stack: Stack, api: Api, account: Callable[[str], Account], fake: Fake) -> None:
    user, login = account("limits-e2e"), f"lim-{new_ulid()[-6:].lower()}"
    repo = f"deepiri/lim-{new_ulid()[-6:].lower()}"
    fake.control("issues", {"issues": [issue(repo, 1, "Survive the rate limit", assignee=login)]})
    _connect(api, user, login)

    fake.control("fail", {"path": "/issues", "status": 429, "retryAfter": 2, "times": 1})
    limited = _sync(api, user)
    calls = fake.calls("/issues")
    waiting = _sync(api, user)
    assert limited["outcome"] == "rateLimited" and waiting["outcome"] == "rateLimited"
    assert fake.calls("/issues") == calls  # waiting costs GitHub nothing
    listed = api("GET", "/api/integrations", token=user.token).json()["items"][0]
    assert listed["status"] == "rateLimited" and "rate limit" in listed["lastError"]

    time.sleep(2.2)
    fake.control("fail", {"path": "/issues", "status": 503, "times": 9})  # each run tries 3 times
    outcomes = [_sync(api, user)["outcome"] for _ in range(3)]
    calls = fake.calls("/issues")
    while_open = _sync(api, user)
    assert outcomes == ["unavailable"] * 3 and while_open["outcome"] == "unavailable"
    assert fake.calls("/issues") == calls  # the breaker is open: no call

    time.sleep(3.2)  # IntegrationsBreakerSeconds=3 on the e2e stage
    resumed = _sync(api, user)
    assert (resumed["outcome"], resumed["imported"]) == ("synced", 1)
    wait_for(lambda: f"{repo}#1" in _imported(api, user), seconds=COLD)


def test_given_a_short_lived_token_then_it_is_refreshed_and_disconnect_revokes_it(
        stack: Stack, api: Api, account: Callable[[str], Account], fake: Fake) -> None:
    user, login = account("refresh-e2e"), f"ref-{new_ulid()[-6:].lower()}"
    fake.control("config", {"expiresIn": 60})
    try:
        _connect(api, user, login)
    finally:
        fake.control("config", {"expiresIn": 28800})
    refreshes = fake.state()["refreshes"]

    synced = _sync(api, user)

    assert synced["outcome"] == "synced"
    assert fake.state()["refreshes"] == refreshes + 1
    gone = api("DELETE", "/api/integrations/github", token=user.token)
    assert gone.status_code == 204
    assert login in fake.state()["revoked"]
    assert api("GET", "/api/integrations", token=user.token).json() == {"items": []}
    assert api("POST", "/api/integrations/github/sync", token=user.token).status_code == 404

"""Google Calendar on moto (table, KMS key and secret from template.yaml) against the fake Google of
tests/support/fake_google.py, through the handlers as API Gateway and SQS call them: connect, events
imported in the user's timezone (from UserSettingsChanged), incremental reads, the 410 reset, cancelled
events, refresh without a new refresh token, marking a completed task's event once, and focus blocks. And
GitHub's gaps: one comment on write-back, the secondary rate limit, retries within a run, the conflict rule."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests

from deepiri_common.clock import to_iso, utc_now
from deepiri_common.events import DomainEvent
from deepiri_common.ids import new_ulid
from deepiri_common.outbox import outbox_events
from deepiri_integrations import wiring
from deepiri_integrations.dal.challenges_api import ChallengesApi
from deepiri_integrations.handlers import api, consumers
from deepiri_integrations.logic.webhooks import github_signature
from deepiri_integrations.logic.writeback import COMMENT, MARKER
from tests.support import fake_google, fake_providers, flows
from tests.support.apigw import rest_event
from tests.support.fake_google import event
from tests.support.fake_providers import issue
from tests.support.integrations_stack import deployed_integrations
from tests.support.lambda_context import FakeLambdaContext

CHALLENGE = new_ulid()
ADDRESS = "ada@example.com"


@dataclass
class Stack:
    created: dict[str, str]
    fake: str

    def call(self, method: str, path: str, body: Any = None, *, user: str | None = "ada", provider: str = "google",
             query: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        authorizer = {"userId": user, "roles": "user"} if user else None
        marker = f"/{provider}"
        resource = path.replace(marker, "/{provider}", 1) if marker in path and path.startswith("/api/") else path
        if path.startswith("/webhooks/"):
            resource = "/webhooks/{provider}"
        event_ = rest_event(method, path, body=body, authorizer=authorizer, query=query, headers=headers,
                            resource=resource, path_params={"provider": provider} if "{provider}" in resource else None)
        response = api.handler(event_, FakeLambdaContext())
        raw = response.get("body") or ""
        return response["statusCode"], json.loads(raw) if raw else None

    def control(self, path: str, body: dict[str, Any]) -> None:
        requests.post(f"{self.fake}/_control/{path}", json=body, timeout=5).raise_for_status()

    def google(self) -> dict[str, Any]:
        return dict(requests.get(f"{self.fake}/_control/google/state", timeout=5).json())

    def github(self) -> dict[str, Any]:
        return dict(requests.get(f"{self.fake}/_control/state", timeout=5).json())

    def connect(self, login: str, *, provider: str = "google", user: str = "ada") -> dict[str, Any]:
        status, started = self.call("POST", f"/api/integrations/{provider}/connect", user=user, provider=provider)
        assert status == 200, started
        answer = requests.get(started["authorizeUrl"] + f"&login={login}", allow_redirects=False, timeout=5)
        back = {name: values[0] for name, values in parse_qs(urlparse(answer.headers["location"]).query).items()}
        status, connection = self.call("GET", f"/api/integrations/{provider}/callback", user=None, query=back,
                                       provider=provider)
        assert status == 200, connection
        return dict(connection)

    def sync(self, provider: str = "google", user: str = "ada") -> dict[str, Any]:
        status, result = self.call("POST", f"/api/integrations/{provider}/sync", user=user, provider=provider)
        assert status == 200, result
        return dict(result)

    def imports(self) -> list[dict[str, Any]]:
        stream = flows.stream_event(self.created["IntegrationsTable"])
        return [e.detail.data for e in outbox_events(stream["Records"]) if e.detail_type == "IntegrationItemImported"]

    def deliver(self, detail_type: str, data: dict[str, Any], user: str = "ada") -> None:
        sent = DomainEvent.new("tasks" if detail_type == "TaskCompleted" else "users", detail_type, data, actor=user)
        assert consumers.handler(flows.sqs_of_events(sent), FakeLambdaContext()) == {"batchItemFailures": []}

    def complete(self, ref: str, source: str = "google", completed_at: str | None = None) -> None:
        self.deliver("TaskCompleted", {"taskId": "t1", "userId": "ada", "source": source, "externalRef": ref,
                                       "completedAt": completed_at or to_iso(utc_now())})


def _challenges_function(**kwargs: Any) -> dict[str, Any]:
    """The challenges API function as call_route invokes it: ada owns CHALLENGE, anyone else gets its 404."""
    request = json.loads(kwargs["Payload"])
    owner = request["requestContext"]["authorizer"]["userId"] == "ada"
    found = owner and request["path"] == f"/api/challenges/{CHALLENGE}"
    body = ({"id": CHALLENGE, "userId": "ada", "title": "Write the launch post", "status": "active",
             "timeLimitMinutes": 45} if found else {"status": 404, "title": "Not Found"})
    response = {"statusCode": 200 if found else 404, "body": json.dumps(body)}
    return {"StatusCode": 200, "Payload": io.BytesIO(json.dumps(response).encode())}


@pytest.fixture
def stack(aws: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    with deployed_integrations(monkeypatch, lambda url: {
            "GITHUB_WEB_URL": url, "GITHUB_API_URL": url, "GOOGLE_ACCOUNTS_URL": url, "GOOGLE_OAUTH_URL": url,
            "GOOGLE_API_URL": url, "BREAKER_OPEN_SECONDS": "2"}, {
            "githubClientId": fake_providers.CLIENT_ID, "githubClientSecret": fake_providers.CLIENT_SECRET,
            "githubWebhookSecret": fake_providers.WEBHOOK_SECRET, "googleClientId": fake_google.CLIENT_ID,
            "googleClientSecret": fake_google.CLIENT_SECRET}) as (created, url):
        # wiring.reset() clears each factory's cache: the stand-in is cached like the factory it replaces.
        monkeypatch.setattr(wiring, "challenges", cache(lambda: ChallengesApi("deepiri-test-challenges-api",
                                                                              invoke=_challenges_function)))
        yield Stack(created, url)


def _events(stack: Stack, *events: dict[str, Any]) -> None:
    stack.control("google/events", {"login": ADDRESS, "events": list(events)})


STANDUP = event("standup1", "Stand-up", {"dateTime": "2026-12-03T09:30:00+01:00", "timeZone": "Europe/Paris"},
                {"dateTime": "2026-12-03T10:00:00+01:00", "timeZone": "Europe/Paris"})
REVIEW = event("review1", "Review", {"date": "2026-12-04"}, {"date": "2026-12-05"})


# ---------------------------------------------------------------- Google Calendar
def test_given_a_user_in_tokyo_when_syncing_then_events_import_once_due_at_the_right_instant(stack: Stack) -> None:
    stack.deliver("UserSettingsChanged", {"userId": "ada", "timezone": "Asia/Tokyo", "dayStartHour": 6})
    _events(stack, STANDUP, REVIEW)

    connection = stack.connect(ADDRESS)
    first, second = stack.sync(), stack.sync()

    assert (connection["provider"], connection["account"]) == ("google", ADDRESS)
    assert (first["outcome"], first["imported"]) == ("synced", 2)
    assert (second["outcome"], second["imported"]) == ("unchanged", 0)  # the sync token: nothing new
    due = {item["externalRef"]: item["dueAt"] for item in stack.imports()}
    assert due[f"{ADDRESS}/standup1"].startswith("2026-12-03T08:30:00")
    assert due[f"{ADDRESS}/review1"].startswith("2026-12-04T14:59:59")  # 23:59:59 in Tokyo (+09:00)


def test_given_an_expired_sync_token_then_the_next_sync_reads_in_full_and_imports_only_changes(stack: Stack) -> None:
    _events(stack, STANDUP)
    stack.connect(ADDRESS)
    stack.sync()
    stack.control("google/expire", {})
    _events(stack, REVIEW)

    reset = stack.sync()
    after = stack.sync()

    assert (reset["outcome"], reset["imported"]) == ("synced", 1) and stack.google()["gone"] == 1
    assert after["outcome"] == "unchanged"
    assert sorted(item["externalRef"] for item in stack.imports()) == [f"{ADDRESS}/review1", f"{ADDRESS}/standup1"]


def test_given_cancelled_events_then_no_task_is_made_and_an_imported_one_is_never_written_back(stack: Stack) -> None:
    _events(stack, STANDUP)
    stack.connect(ADDRESS)
    stack.sync()
    stack.control("google/cancel", {"login": ADDRESS, "id": "standup1"})
    _events(stack, {**REVIEW, "status": "cancelled"})

    synced = stack.sync()
    stack.complete(f"{ADDRESS}/standup1")

    assert synced["imported"] == 0
    assert [item["externalRef"] for item in stack.imports()] == [f"{ADDRESS}/standup1"]
    assert stack.google()["patched"] == []


def test_given_an_imported_event_when_its_task_completes_twice_then_the_event_is_marked_once(stack: Stack) -> None:
    _events(stack, REVIEW)
    stack.connect(ADDRESS)
    stack.sync()

    stack.complete(f"{ADDRESS}/review1")
    stack.complete(f"{ADDRESS}/review1")
    echoed = stack.sync()

    state = stack.google()
    marked = state["calendars"][ADDRESS][ADDRESS]["review1"]
    assert state["patched"] == [f"{ADDRESS}/review1"]
    assert marked["summary"] == "✓ Review" and marked["extendedProperties"]["private"]["deepiriDone"] == "true"
    # The echo of the mark imports as done with its title unmarked, and never writes back again.
    assert echoed["imported"] == 1
    last = stack.imports()[-1]
    assert (last["title"], last["status"]) == ("Review", "done")
    stack.complete(f"{ADDRESS}/review1")
    assert stack.google()["patched"] == [f"{ADDRESS}/review1"]


def test_given_an_event_changed_at_google_after_the_completion_then_google_wins(stack: Stack) -> None:
    _events(stack, REVIEW)
    stack.connect(ADDRESS)
    stack.sync()
    completed_at = to_iso(utc_now())
    _events(stack, {**REVIEW, "summary": "Review, moved"})
    stack.sync()

    stack.complete(f"{ADDRESS}/review1", completed_at=completed_at)

    assert stack.google()["patched"] == []


def test_given_a_short_lived_google_token_then_it_is_refreshed_twice_with_the_first_refresh_token(
        stack: Stack) -> None:
    stack.control("google/config", {"expiresIn": 60})
    stack.connect(ADDRESS)

    first, second = stack.sync(), stack.sync()

    assert (first["outcome"], second["outcome"]) == ("synced", "unchanged")
    assert stack.google()["refreshes"] == 2  # Google issues no new refresh token: the first one is kept
    status, _ = stack.call("DELETE", "/api/integrations/google")
    assert status == 204 and stack.google()["revoked"] == [ADDRESS]


def test_given_a_challenge_then_one_focus_block_is_made_and_another_users_challenge_is_404(stack: Stack) -> None:
    stack.deliver("UserSettingsChanged", {"userId": "ada", "timezone": "Europe/Paris", "dayStartHour": 6})
    stack.connect(ADDRESS)
    ask = {"challengeId": CHALLENGE, "startAt": "2026-12-07T14:00:00Z"}

    made = stack.call("POST", "/api/integrations/google/focus-blocks", ask)
    again = stack.call("POST", "/api/integrations/google/focus-blocks", ask)
    foreign = stack.call("POST", "/api/integrations/google/focus-blocks", ask, user="mallory")
    unknown = stack.call("POST", "/api/integrations/google/focus-blocks", {**ask, "challengeId": "0" * 26})
    on_github = stack.call("POST", "/api/integrations/github/focus-blocks", ask, provider="github")
    bad = stack.call("POST", "/api/integrations/google/focus-blocks", {**ask, "minutes": 5})

    assert made[0] == 201 and made[1]["created"] is True
    assert made[1]["endAt"].startswith("2026-12-07T14:45:00")  # the challenge's 45-minute limit
    assert made[1]["timeZone"] == "Europe/Paris" and made[1]["summary"] == "Focus: Write the launch post"
    assert again[0] == 201 and again[1]["created"] is False and again[1]["eventId"] == made[1]["eventId"]
    assert len(stack.google()["inserted"]) == 1
    assert foreign[0] == 404 and unknown[0] == 404 and on_github[0] == 404
    assert bad[0] == 422


def test_given_google_not_connected_then_a_focus_block_is_404(stack: Stack) -> None:
    status, problem = stack.call("POST", "/api/integrations/google/focus-blocks", {"challengeId": CHALLENGE})
    assert status == 404 and "not connected" in problem["detail"]


# ---------------------------------------------------------------- GitHub's gaps
def test_given_a_completed_github_task_delivered_twice_then_the_issue_gets_one_comment(stack: Stack) -> None:
    stack.control("issues", {"issues": [issue("ada/notes", 4, "Ship", assignee="note-gh")]})
    stack.connect("note-gh", provider="github")
    stack.sync("github")

    stack.complete("ada/notes#4", source="github")
    stack.complete("ada/notes#4", source="github")

    comments = stack.github()["comments"]["ada/notes#4"]
    assert [c["body"] for c in comments] == [COMMENT] and MARKER in COMMENT
    assert stack.github()["issues"]["ada/notes#4"]["state"] == "closed"


def test_given_a_failed_comment_then_the_redelivery_comments_once(stack: Stack) -> None:
    stack.control("issues", {"issues": [issue("ada/retry", 5, "Ship", assignee="retry-gh")]})
    stack.connect("retry-gh", provider="github")
    stack.sync("github")
    stack.control("fail", {"path": "/repos/ada/retry/issues/5/comments", "status": 502, "times": 3})

    failed = DomainEvent.new("tasks", "TaskCompleted", {"taskId": "t1", "userId": "ada", "source": "github",
                                                        "externalRef": "ada/retry#5",
                                                        "completedAt": to_iso(utc_now())}, actor="ada")
    first = consumers.handler(flows.sqs_of_events(failed), FakeLambdaContext())
    stack.complete("ada/retry#5", source="github")

    assert len(first["batchItemFailures"]) == 1  # the queue delivers it again
    assert [c["body"] for c in stack.github()["comments"]["ada/retry#5"]] == [COMMENT]


def test_given_githubs_secondary_rate_limit_then_the_sync_is_delayed_not_failed(stack: Stack) -> None:
    stack.control("issues", {"issues": [issue("ada/second", 1, "One", assignee="second-gh")]})
    stack.connect("second-gh", provider="github")
    stack.control("fail", {"path": "/issues", "status": 403, "times": 1, "retryAfter": 1,
                           "headers": {"x-github-request-id": "AB:CD"}})

    limited = stack.sync("github")
    _, listed = stack.call("GET", "/api/integrations")

    assert (limited["outcome"], limited["imported"]) == ("rateLimited", 0) and limited["retryAfter"]
    assert listed["items"][0]["status"] == "rateLimited" and "rate limit" in listed["items"][0]["lastError"]


def test_given_transient_failures_then_the_run_retries_and_imports_without_opening_the_breaker(stack: Stack) -> None:
    stack.control("issues", {"issues": [issue("ada/flaky", 1, "One", assignee="flaky-gh")]})
    stack.connect("flaky-gh", provider="github")
    stack.control("fail", {"path": "/issues", "status": 503, "times": 2})

    result = stack.sync("github")

    assert (result["outcome"], result["imported"]) == ("synced", 1)
    assert stack.github()["requests"]["/issues"] == 3


def test_given_an_older_webhook_after_a_newer_sync_then_the_last_writer_by_github_time_wins(stack: Stack) -> None:
    stack.control("issues", {"issues": [issue("ada/order", 2, "Newest title", assignee="order-gh",
                                              updated_at="2026-11-22T10:00:00Z")]})
    stack.connect("order-gh", provider="github")
    stack.sync("github")
    stale = {"action": "edited", "issue": issue("ada/order", 2, "Stale title", assignee="order-gh",
                                                updated_at="2026-11-21T10:00:00Z")}
    raw = json.dumps(stale)

    status, receipt = stack.call("POST", "/webhooks/github", raw, user=None, provider="github", headers={
        "Content-Type": "application/json", "X-GitHub-Event": "issues", "X-GitHub-Delivery": "late-1",
        "X-Hub-Signature-256": github_signature(fake_providers.WEBHOOK_SECRET, raw.encode())})

    assert (status, receipt) == (202, {"outcome": "ignored", "items": 0})
    assert [item["title"] for item in stack.imports() if item["externalRef"] == "ada/order#2"] == ["Newest title"]


def test_given_an_issue_changed_at_github_after_the_completion_then_github_wins(stack: Stack) -> None:
    stack.control("issues", {"issues": [issue("ada/later", 3, "Ship", assignee="later-gh",
                                              updated_at="2026-11-22T10:00:00Z")]})
    stack.connect("later-gh", provider="github")
    stack.sync("github")

    stack.complete("ada/later#3", source="github", completed_at="2026-11-21T10:00:00.000Z")

    assert stack.github()["closed"] == [] and "ada/later#3" not in stack.github()["comments"]

"""The integrations service on moto (table, KMS key and secret from template.yaml) against the fake GitHub
of tests/support/fake_providers.py on 127.0.0.1: connect, import once, webhooks, write-back, rate limits,
the breaker, token refresh and disconnect, through the handlers as API Gateway and SQS call them."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlparse

import boto3
import pytest
import requests

from deepiri_common.clock import to_iso, utc_now
from deepiri_common.events import DomainEvent
from deepiri_common.outbox import outbox_events
from deepiri_integrations.handlers import api, consumers
from deepiri_integrations.logic.webhooks import github_signature
from tests.support import fake_providers, flows, template
from tests.support.apigw import rest_event
from tests.support.fake_providers import issue
from tests.support.integrations_stack import deployed_integrations
from tests.support.lambda_context import FakeLambdaContext


@dataclass
class Stack:
    created: dict[str, str]
    fake: str

    def call(self, method: str, path: str, body: Any = None, *, user: str | None = "ada",
             query: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        authorizer = {"userId": user, "roles": "user"} if user else None
        resource = path.replace("/github", "/{provider}", 1) if "/github" in path else path
        event = rest_event(method, path, body=body, authorizer=authorizer, query=query, headers=headers,
                           resource=resource, path_params={"provider": "github"} if "{provider}" in resource else None)
        response = api.handler(event, FakeLambdaContext())
        raw = response.get("body") or ""
        return response["statusCode"], json.loads(raw) if raw else None

    def control(self, path: str, body: dict[str, Any]) -> None:
        requests.post(f"{self.fake}/_control/{path}", json=body, timeout=5).raise_for_status()

    def fake_state(self) -> dict[str, Any]:
        return dict(requests.get(f"{self.fake}/_control/state", timeout=5).json())

    def connect(self, login: str, user: str = "ada") -> dict[str, Any]:
        status, started = self.call("POST", "/api/integrations/github/connect", user=user)
        assert status == 200, started
        answer = requests.get(started["authorizeUrl"] + f"&login={login}", allow_redirects=False, timeout=5)
        back = {name: values[0] for name, values in parse_qs(urlparse(answer.headers["location"]).query).items()}
        status, connection = self.call("GET", "/api/integrations/github/callback", user=None, query=back)
        assert status == 200, connection
        return dict(connection)

    def sync(self, user: str = "ada") -> dict[str, Any]:
        status, result = self.call("POST", "/api/integrations/github/sync", user=user)
        assert status == 200, result
        return dict(result)

    def imports(self) -> list[dict[str, Any]]:
        stream = flows.stream_event(self.created["IntegrationsTable"])
        return [e.detail.data for e in outbox_events(stream["Records"]) if e.detail_type == "IntegrationItemImported"]

    def webhook(self, payload: dict[str, Any], delivery: str, *, secret: str = fake_providers.WEBHOOK_SECRET,
                event: str = "issues") -> tuple[int, Any]:
        raw = json.dumps(payload)
        headers = {"Content-Type": "application/json", "X-GitHub-Event": event, "X-GitHub-Delivery": delivery,
                   "X-Hub-Signature-256": github_signature(secret, raw.encode())}
        return self.call("POST", "/webhooks/github", raw, user=None, headers=headers)


@pytest.fixture
def stack(aws: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    with deployed_integrations(monkeypatch, lambda url: {
            "GITHUB_WEB_URL": url, "GITHUB_API_URL": url, "BREAKER_OPEN_SECONDS": "2"}, {
            "githubClientId": fake_providers.CLIENT_ID, "githubClientSecret": fake_providers.CLIENT_SECRET,
            "githubWebhookSecret": fake_providers.WEBHOOK_SECRET}) as (created, url):
        yield Stack(created, url)


def _table_text(stack: Stack) -> str:
    items = boto3.client("dynamodb", region_name=template.REGION).scan(
        TableName=stack.created["IntegrationsTable"])["Items"]
    return json.dumps(items)


def test_given_a_connected_user_when_syncing_twice_then_each_assigned_issue_is_imported_once(stack: Stack) -> None:
    stack.control("issues", {"issues": [
        issue("ada/engine", 1, "Fix the boiler", assignee="ada-gh", labels=("Bug", "p1"),
              due_on="2026-12-24T08:00:00Z"),
        issue("ada/engine", 2, "Review the PR", assignee="ada-gh", pull_request=True,
              updated_at="2026-11-20T10:00:00Z"),
        issue("ada/engine", 3, "Not mine", assignee="someone-else")]})

    connection = stack.connect("ada-gh")
    first, second, third = stack.sync(), stack.sync(), stack.sync()

    assert connection["account"] == "ada-gh" and connection["status"] == "connected"
    assert (first["outcome"], first["imported"]) == ("synced", 2)
    assert second["imported"] == 0  # asked from the newest change seen: nothing imported twice
    assert (third["outcome"], third["imported"]) == ("unchanged", 0)  # the same URL's ETag answered 304
    imported = {item["externalRef"]: item for item in stack.imports()}
    assert set(imported) == {"ada/engine#1", "ada/engine#2"}
    assert imported["ada/engine#1"]["tags"] == ["bug", "p1"]
    assert imported["ada/engine#1"]["dueAt"].startswith("2026-12-24T08:00:00")
    status, listed = stack.call("GET", "/api/integrations")
    assert status == 200 and listed["items"][0]["lastSyncAt"] is not None


def test_given_a_connection_then_the_table_holds_no_token_in_clear(stack: Stack) -> None:
    stack.connect("grace-gh")

    text = _table_text(stack)

    assert "ghu_" not in text and "ghr_" not in text
    assert stack.fake_state()["tokens"] == 1


def test_given_a_used_or_forged_state_then_the_callback_refuses_it(stack: Stack) -> None:
    status, started = stack.call("POST", "/api/integrations/github/connect")
    answer = requests.get(started["authorizeUrl"], allow_redirects=False, timeout=5)
    back = {name: values[0] for name, values in parse_qs(urlparse(answer.headers["location"]).query).items()}
    forged = {**back, "state": back["state"][:-2] + ("AA" if not back["state"].endswith("AA") else "BB")}

    refused_forged = stack.call("GET", "/api/integrations/github/callback", user=None, query=forged)
    accepted = stack.call("GET", "/api/integrations/github/callback", user=None, query=back)
    replayed = stack.call("GET", "/api/integrations/github/callback", user=None, query=back)

    assert status == 200 and "code_challenge_method=S256" in started["authorizeUrl"]
    assert refused_forged[0] == 400
    assert accepted[0] == 200
    assert replayed[0] == 400


def test_given_signed_webhooks_then_one_updates_a_replay_is_ignored_and_a_tampered_one_is_refused(
        stack: Stack) -> None:
    stack.control("issues", {"issues": [issue("ada/hooks", 7, "Old title", assignee="hook-gh",
                                              updated_at="2026-11-01T10:00:00Z")]})
    stack.connect("hook-gh")
    stack.sync()
    edited = {"action": "edited", "issue": issue("ada/hooks", 7, "New title", assignee="hook-gh",
                                                 updated_at="2026-11-02T10:00:00Z")}

    queued = stack.webhook(edited, "d-1")
    replayed = stack.webhook(edited, "d-1")
    tampered = stack.webhook(edited, "d-2", secret="not-the-secret")

    assert queued == (202, {"outcome": "queued", "items": 1})
    assert replayed == (202, {"outcome": "duplicate", "items": 0})
    assert tampered[0] == 401 and tampered[1]["status"] == 401
    titles = [item["title"] for item in stack.imports() if item["externalRef"] == "ada/hooks#7"]
    assert titles == ["Old title", "New title"]


def test_given_an_imported_task_completed_then_its_issue_is_closed_once(stack: Stack) -> None:
    stack.control("issues", {"issues": [issue("ada/close", 3, "Ship it", assignee="close-gh")]})
    stack.connect("close-gh")
    stack.sync()

    def completed() -> DomainEvent:
        return DomainEvent.new("tasks", "TaskCompleted", {
            "taskId": "t1", "userId": "ada", "source": "github", "externalRef": "ada/close#3",
            "completedAt": to_iso(utc_now())}, actor="ada")

    for event in (completed(), completed()):
        assert consumers.handler(flows.sqs_of_events(event), FakeLambdaContext()) == {"batchItemFailures": []}

    state = stack.fake_state()
    assert state["closed"] == ["ada/close#3"]
    assert state["issues"]["ada/close#3"]["state"] == "closed"


def test_given_a_429_then_the_sync_waits_for_retry_after_and_loses_nothing(stack: Stack) -> None:
    stack.control("issues", {"issues": [issue("ada/limits", 1, "One", assignee="limit-gh")]})
    stack.connect("limit-gh")
    stack.control("fail", {"path": "/issues", "status": 429, "retryAfter": 1, "times": 1})

    limited = stack.sync()
    calls = stack.fake_state()["requests"].get("/issues", 0)
    waiting = stack.sync()
    unchanged_calls = stack.fake_state()["requests"].get("/issues", 0)
    time.sleep(1.2)
    resumed = stack.sync()

    assert limited["outcome"] == "rateLimited" and limited["retryAfter"] is not None
    assert waiting["outcome"] == "rateLimited" and unchanged_calls == calls
    assert (resumed["outcome"], resumed["imported"]) == ("synced", 1)
    _, listed = stack.call("GET", "/api/integrations")
    assert listed["items"][0]["lastError"] is None


def test_given_three_provider_failures_then_the_breaker_opens_and_the_sync_resumes_after(stack: Stack) -> None:
    stack.control("issues", {"issues": [issue("ada/breaker", 1, "One", assignee="breaker-gh")]})
    stack.connect("breaker-gh")
    stack.control("fail", {"path": "/issues", "status": 503, "times": 9})  # 3 runs, each trying 3 times

    outcomes = [stack.sync()["outcome"] for _ in range(3)]
    calls = stack.fake_state()["requests"].get("/issues", 0)
    while_open = stack.sync()
    calls_while_open = stack.fake_state()["requests"].get("/issues", 0)
    time.sleep(2.1)
    after = stack.sync()

    assert outcomes == ["unavailable"] * 3
    assert while_open["outcome"] == "unavailable" and calls_while_open == calls
    assert (after["outcome"], after["imported"]) == ("synced", 1)


def test_given_a_token_about_to_expire_then_it_is_refreshed_before_use(stack: Stack) -> None:
    stack.control("config", {"expiresIn": 60})
    stack.control("issues", {"issues": [issue("ada/refresh", 1, "One", assignee="refresh-gh")]})
    stack.connect("refresh-gh")

    result = stack.sync()

    assert stack.fake_state()["refreshes"] == 1  # the old token no longer works at the fake, the new one did
    assert (result["outcome"], result["imported"]) == ("synced", 1)


def test_given_a_connection_when_disconnected_then_revoked_and_forgotten(stack: Stack) -> None:
    stack.connect("bye-gh")

    status, _ = stack.call("DELETE", "/api/integrations/github")
    _, listed = stack.call("GET", "/api/integrations")
    again, _ = stack.call("GET", "/api/integrations/github/sources")

    assert status == 204
    assert stack.fake_state()["revoked"] == ["bye-gh"]
    assert listed == {"items": []} and again == 404


def test_given_sources_then_only_the_chosen_repositories_are_imported(stack: Stack) -> None:
    stack.control("issues", {"issues": [issue("ada/keep", 1, "Keep", assignee="src-gh"),
                                        issue("ada/drop", 1, "Drop", assignee="src-gh")]})
    stack.connect("src-gh")

    status, chosen = stack.call("PUT", "/api/integrations/github/sources", {"repositories": ["ada/keep"]})
    result = stack.sync()

    assert status == 200 and chosen["repositories"] == ["ada/keep"]
    assert result["imported"] == 1
    assert [item["externalRef"] for item in stack.imports()] == ["ada/keep#1"]

"""Trello and Notion on moto (table, KMS key and secret from template.yaml) against the fake providers of
tests/support (fake_trello.py, fake_notion.py) on 127.0.0.1, through the handlers as API Gateway and SQS call
them: connect, import once, a signed webhook queues a read that updates the item (a replay queues nothing, a
tampered one is refused), completing the task writes back once, and the write-back never comes back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlparse

import boto3
import pytest
import requests

from deepiri_common.events import DomainEvent
from deepiri_common.outbox import outbox_events
from deepiri_integrations.handlers import api, consumers
from deepiri_integrations.logic import notion, trello
from tests.support import fake_notion, fake_trello, flows, template
from tests.support.apigw import rest_event
from tests.support.fake_notion import page
from tests.support.fake_trello import card
from tests.support.integrations_stack import deployed_integrations
from tests.support.lambda_context import FakeLambdaContext

BOARD, TODO, DONE = "b0" * 12, "1a" * 12, "d0" * 12
DATABASE = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
HOST = "api.example.com"


@dataclass
class Stack:
    created: dict[str, str]
    fake: str

    def call(self, method: str, path: str, body: Any = None, *, provider: str, user: str | None = "ada",
             query: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> tuple[int, Any]:
        authorizer = {"userId": user, "roles": "user"} if user else None
        resource = path.replace(f"/{provider}", "/{provider}", 1)
        event = rest_event(method, path, body=body, authorizer=authorizer, query=query,
                           headers={"Host": HOST, **(headers or {})}, resource=resource,
                           path_params={"provider": provider})
        response = api.handler(event, FakeLambdaContext())
        raw = response.get("body") or ""
        return response["statusCode"], json.loads(raw) if raw else None

    def control(self, path: str, body: dict[str, Any]) -> None:
        requests.post(f"{self.fake}/_control/{path}", json=body, timeout=5).raise_for_status()

    def state(self, provider: str) -> dict[str, Any]:
        return dict(requests.get(f"{self.fake}/_control/{provider}/state", timeout=5).json())

    def connect(self, provider: str, who: dict[str, str], user: str = "ada") -> dict[str, Any]:
        status, started = self.call("POST", f"/api/integrations/{provider}/connect", provider=provider, user=user)
        assert status == 200, started
        answer = requests.get(started["authorizeUrl"] + "&" + "&".join(f"{k}={v}" for k, v in who.items()),
                              allow_redirects=False, timeout=5)
        back = {name: values[0] for name, values in parse_qs(urlparse(answer.headers["location"]).query).items()}
        status, connection = self.call("GET", f"/api/integrations/{provider}/callback", provider=provider,
                                       user=None, query=back)
        assert status == 200, connection
        return dict(connection)

    def sync(self, provider: str, user: str = "ada") -> dict[str, Any]:
        status, result = self.call("POST", f"/api/integrations/{provider}/sync", provider=provider, user=user)
        assert status == 200, result
        return dict(result)

    def outbox(self, detail_type: str) -> list[DomainEvent]:
        stream = flows.stream_event(self.created["IntegrationsTable"])
        return [e for e in outbox_events(stream["Records"]) if e.detail_type == detail_type]

    def imports(self, provider: str) -> list[dict[str, Any]]:
        return [e.detail.data for e in self.outbox("IntegrationItemImported") if e.detail.data["provider"] == provider]

    def consume(self, *events: DomainEvent) -> None:
        assert consumers.handler(flows.sqs_of_events(*events), FakeLambdaContext()) == {"batchItemFailures": []}


@pytest.fixture
def stack(aws: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    with deployed_integrations(monkeypatch, lambda url: {
            "TRELLO_WEB_URL": url, "TRELLO_API_URL": url, "NOTION_API_URL": url,
            "CALLBACK_BASE_URL": f"https://{HOST}/prod"}, {
            "trelloApiKey": fake_trello.API_KEY, "trelloApiSecret": fake_trello.API_SECRET,
            "notionClientId": fake_notion.CLIENT_ID, "notionClientSecret": fake_notion.CLIENT_SECRET},
    ) as (created, url):
        yield Stack(created, url)


def _completed(provider: str, ref: str) -> DomainEvent:
    return DomainEvent.new("tasks", "TaskCompleted", {"taskId": "t1", "userId": "ada", "source": provider,
                                                      "externalRef": ref}, actor="ada")


def _trello_webhook(stack: Stack, card_id: str, action_id: str, secret: str = fake_trello.API_SECRET,
                    callback: str = f"https://{HOST}/prod/webhooks/trello") -> tuple[int, Any]:
    raw = json.dumps({"model": {"id": BOARD}, "action": {"id": action_id, "type": "updateCard", "data": {
        "card": {"id": card_id}, "board": {"id": BOARD}}}})
    return stack.call("POST", "/webhooks/trello", raw, provider="trello", user=None,
                      headers={"Content-Type": "application/json",
                               "X-Trello-Webhook": trello.signature(secret, raw.encode(), callback)})


def test_given_trello_connected_then_cards_import_once_webhooks_update_and_completion_ticks_the_card(
        stack: Stack) -> None:
    first_card, second_card = "c1" * 12, "c2" * 12
    stack.control("trello/cards", {"cards": [
        card(first_card, BOARD, "Plan the launch", list_id=TODO, labels=("Urgent",), desc="Dates and owners",
             due="2026-12-24T17:00:00.000Z", last_activity="2026-11-20T10:00:00.000Z"),
        card(second_card, BOARD, "Book the venue", list_id=TODO, last_activity="2026-11-20T11:00:00.000Z")]})

    connection = stack.connect("trello", {"username": "ada-trello"})
    status, _ = stack.call("PUT", "/api/integrations/trello/sources", {"boards": [BOARD], "doneList": DONE},
                           provider="trello")
    first, second = stack.sync("trello"), stack.sync("trello")

    assert (connection["account"], connection["scopes"]) == ("ada-trello", ["read", "write"]) and status == 200
    assert (first["imported"], second["imported"]) == (2, 0)
    imported = {item["externalRef"]: item for item in stack.imports("trello")}
    assert imported[first_card]["tags"] == ["urgent"] and imported[first_card]["dueAt"].startswith("2026-12-24T17")
    assert imported[first_card]["description"] == "Dates and owners"
    assert imported[first_card]["url"].startswith("https://trello.com/c/")

    # A signed webhook queues a read of the card; the consumer imports its new version once.
    stack.control("trello/cards", {"cards": [card(first_card, BOARD, "Plan the launch party", list_id=TODO)]})
    queued = _trello_webhook(stack, first_card, "a1" * 12)
    replayed = _trello_webhook(stack, first_card, "a1" * 12)
    tampered = _trello_webhook(stack, first_card, "a2" * 12, secret="forged")
    wrong_url = _trello_webhook(stack, first_card, "a3" * 12, callback="https://elsewhere.example/webhooks/trello")
    stack.consume(*stack.outbox("IntegrationChangeNotified"))

    assert queued == (202, {"outcome": "queued", "items": 1}) and replayed[1]["outcome"] == "duplicate"
    assert tampered[0] == 401 and wrong_url[0] == 401
    assert [i["title"] for i in stack.imports("trello") if i["externalRef"] == first_card] == [
        "Plan the launch", "Plan the launch party"]

    # Completing the task ticks the card and moves it to the done list, once; reading it back imports nothing.
    stack.consume(_completed("trello", second_card), _completed("trello", second_card))
    fake = stack.state("trello")
    assert fake["completed"] == [second_card] and fake["cards"][second_card]["idList"] == DONE
    assert stack.sync("trello")["imported"] == 0


def test_given_trello_s_check_then_the_webhook_url_answers_head_with_200(stack: Stack) -> None:
    status, _ = stack.call("HEAD", "/webhooks/trello", provider="trello", user=None)
    assert status == 200


def _notion_webhook(stack: Stack, payload: dict[str, Any], key: str | None) -> tuple[int, Any]:
    raw = json.dumps(payload)
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["X-Notion-Signature"] = notion.signature(key, raw.encode())
    return stack.call("POST", "/webhooks/notion", raw, provider="notion", user=None, headers=headers)


def test_given_notion_connected_then_pages_import_once_webhooks_update_and_completion_sets_the_status(
        stack: Stack) -> None:
    first_page, second_page = "11111111-2222-4333-8444-555555555555", "66666666-7777-4888-8999-000000000000"
    stack.control("notion/pages", {"pages": [
        page(first_page, DATABASE, "Write the brief", tags=("Docs",), due="2026-12-24",
             last_edited="2026-11-20T10:00:00.000Z"),
        page(second_page, DATABASE, "Review the budget", last_edited="2026-11-20T11:00:00.000Z")]})

    connection = stack.connect("notion", {"workspace": "ws-ada"})
    first, second = stack.sync("notion"), stack.sync("notion")

    assert connection["account"] == "ws-ada"
    assert (first["imported"], second["imported"]) == (2, 0)
    imported = {item["externalRef"]: item for item in stack.imports("notion")}
    assert imported[first_page]["tags"] == ["docs"] and imported[first_page]["dueAt"].startswith("2026-12-24T00:00")
    assert stack.state("notion")["requests"]["/v1/search"] >= 1  # no database chosen: every shared one

    # The subscription's verification, then signed events: one queued, a replay and a tampered one not.
    verified = _notion_webhook(stack, {"verification_token": "secret_e2e"}, None)
    stack.control("notion/pages", {"pages": [page(first_page, DATABASE, "Write the final brief")]})
    event = {"id": "evt-1", "type": "page.properties_updated", "workspace_id": "ws-ada",
             "entity": {"id": first_page, "type": "page"}, "timestamp": "2026-11-30T10:00:00.000Z"}
    queued = _notion_webhook(stack, event, "secret_e2e")
    replayed = _notion_webhook(stack, event, "secret_e2e")
    tampered = _notion_webhook(stack, {**event, "id": "evt-2"}, "not-the-token")
    stack.consume(*stack.outbox("IntegrationChangeNotified"))

    assert verified == (202, {"outcome": "verification", "items": 0})
    assert queued == (202, {"outcome": "queued", "items": 1}) and replayed[1]["outcome"] == "duplicate"
    assert tampered[0] == 401
    titles = [i["title"] for i in stack.imports("notion") if i["externalRef"] == first_page]
    assert titles == ["Write the brief", "Write the final brief"]
    assert "secret_e2e" not in json.dumps(boto3.client("dynamodb", region_name=template.REGION).scan(
        TableName=stack.created["IntegrationsTable"])["Items"])

    # Completing the task sets the page's status to Done once; reading it back imports nothing.
    stack.consume(_completed("notion", second_page), _completed("notion", second_page))
    fake = stack.state("notion")
    assert fake["updated"] == [second_page]
    assert fake["pages"][second_page.replace("-", "")]["properties"]["Status"]["status"]["name"] == "Done"
    assert stack.sync("notion")["imported"] == 0

    status, _ = stack.call("DELETE", "/api/integrations/notion", provider="notion")
    assert status == 204 and stack.state("notion")["revoked"] == ["ws-ada"]


def test_given_an_unknown_provider_then_422(stack: Stack) -> None:
    status, problem = stack.call("POST", "/api/integrations/asana/connect", provider="asana")
    assert status == 422 and problem["status"] == 422

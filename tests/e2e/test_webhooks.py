"""Outgoing webhooks and the OAuth metadata through the deployed stack.

The e2e stage allows the 127.0.0.1 receiver (WebhookAllowedTargets) and retries fast (a 1-3 s backoff, a
20 s window) so a retry and a dead letter are seen in seconds; every other stage retries for a day.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.oauth2.rfc8414 import AuthorizationServerMetadata

from deepiri_common.events import DomainEvent
from deepiri_common.ids import new_ulid
from deepiri_webhooks.logic.verifier import verify_signature
from tests.e2e.conftest import wait_for
from tests.support.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver().start()
    yield server
    server.stop()


@pytest.fixture(scope="module", autouse=True)
def _warm(stack, account) -> None:
    """Cold starts first, with room to spare on a loaded machine (one took 36 s under a load of 25)."""
    headers = {"Authorization": f"Bearer {account('hooked').token}"}
    requests.get(f"{stack.urls.rest}/api/webhooks/subscriptions", headers=headers, timeout=120)
    requests.get(f"{stack.urls.rest}/.well-known/oauth-authorization-server", timeout=120)


def _subscribe(api: Callable[..., requests.Response], token: str, url: str,
               types: tuple[str, ...] = ("LevelUp",)) -> dict[str, Any]:
    created = api("POST", "/api/webhooks/subscriptions", token=token, json={"url": url, "eventTypes": list(types)})
    assert created.status_code == 201, created.text
    return dict(created.json())


def _level_up(user: str) -> DomainEvent:
    return DomainEvent.new("engagement", "LevelUp", {"userId": user, "level": 5, "previousLevel": 4}, actor=user)


def test_given_a_subscription_when_a_task_is_completed_then_the_receiver_gets_a_delivery_the_verifier_accepts(
        api, account, receiver) -> None:
    me = account("hooked")
    path = f"/ok/{new_ulid()}"
    subscription = _subscribe(api, me.token, receiver.url(path), ("TaskCompleted",))
    assert api("GET", f"/api/webhooks/subscriptions/{subscription['id']}", token=me.token).json().get("secret") is None

    task = api("POST", "/api/tasks", token=me.token, json={"title": "Send the invoices"}).json()
    assert api("POST", f"/api/tasks/{task['id']}/complete", token=me.token, json={}).status_code == 200

    # The tasks outbox, the webhooks consumer and the delivery function may each start cold here.
    [got] = wait_for(lambda: receiver.received(path), seconds=150)
    assert verify_signature(subscription["secret"], got.body, got.headers["deepiri-signature"])
    assert not verify_signature(subscription["secret"], got.body + b" ", got.headers["deepiri-signature"])
    body = json.loads(got.body)
    assert (body["type"], body["userId"], body["data"]["taskId"]) == ("TaskCompleted", me.id, task["id"])
    assert got.headers["deepiri-event"] == "TaskCompleted"
    delivered = wait_for(lambda: api("GET", f"/api/webhooks/subscriptions/{subscription['id']}/deliveries",
                                     token=me.token).json()["items"], seconds=20)
    assert [d["id"] for d in delivered] == [got.headers["deepiri-delivery"]]


def test_given_a_receiver_that_fails_first_then_the_delivery_is_retried_and_delivered(
        api, account, publish, receiver) -> None:
    me = account("hooked-flaky")
    path = f"/flaky/1/{new_ulid()}"
    subscription = _subscribe(api, me.token, receiver.url(path))

    publish(_level_up(me.id))

    first, second = wait_for(lambda: len(receiver.received(path)) >= 2 and receiver.received(path)[:2], seconds=150)
    assert (first.status, second.status) == (503, 204) and first.body == second.body
    assert verify_signature(subscription["secret"], second.body, second.headers["deepiri-signature"])

    def delivered() -> list[dict[str, Any]] | None:
        items = api("GET", f"/api/webhooks/subscriptions/{subscription['id']}/deliveries", token=me.token).json()
        return items["items"] if items["items"] and items["items"][0]["status"] == "delivered" else None

    [delivery] = wait_for(delivered, seconds=20)
    assert [a["outcome"] for a in delivery["attempts"]] == ["503", "204"]


def test_given_a_receiver_that_keeps_failing_then_the_delivery_is_dead_lettered_and_listed(
        api, account, publish, receiver) -> None:
    me = account("hooked-down")
    path = f"/down/{new_ulid()}"
    subscription = _subscribe(api, me.token, receiver.url(path))

    publish(_level_up(me.id))

    dead_letters = f"/api/webhooks/subscriptions/{subscription['id']}/dead-letters"
    [dead] = wait_for(lambda: api("GET", dead_letters, token=me.token).json()["items"], seconds=150)
    assert dead["status"] == "dead" and "retry window" in dead["deadReason"]
    assert len(dead["attempts"]) == len(receiver.received(path)) >= 2
    assert all(a["outcome"] == "500" for a in dead["attempts"])
    other = account("hooked-other")
    assert api("GET", dead_letters, token=other.token).status_code == 404


@pytest.mark.parametrize("url", ["https://10.0.0.1/hook", "https://169.254.169.254/latest/meta-data",
                                 "http://localhost:8080/hook", "https://[::1]/hook", "http://192.168.1.10/hook"])
def test_given_a_private_address_then_the_subscription_is_refused_with_422(api, account, url: str) -> None:
    refused = api("POST", "/api/webhooks/subscriptions", token=account("hooked").token,
                  json={"url": url, "eventTypes": ["LevelUp"]})

    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["errors"][0]["field"] == "body.url"


def test_given_the_metadata_then_it_answers_and_an_oauth_client_library_configures_itself_from_it(
        api, account, stack, receiver) -> None:
    answer = api("GET", "/.well-known/oauth-authorization-server")
    assert answer.status_code == 200, answer.text
    metadata = AuthorizationServerMetadata(answer.json())
    metadata.validate()  # RFC 8414's rules, as authlib reads them
    assert "webhooks:manage" in metadata["scopes_supported"] and metadata["code_challenge_methods_supported"] == [
        "S256"]
    assert requests.get(metadata["jwks_uri"], timeout=30).json()["keys"]

    owner, user = account("hook-app-owner"), account("hook-app-user")
    redirect = "http://127.0.0.1:8765/callback"
    client = api("POST", "/api/oauth/clients", token=owner.token, json={
        "name": "Hook Dashboard", "clientType": "confidential", "redirectUris": [redirect],
        "scopes": ["webhooks:manage"]}).json()
    # authlib is given only the client's credentials and what the metadata says.
    session = OAuth2Session(client["clientId"], client["clientSecret"], scope="webhooks:manage",
                            redirect_uri=redirect, code_challenge_method="S256",
                            token_endpoint_auth_method=metadata["token_endpoint_auth_methods_supported"][0])
    verifier = secrets.token_urlsafe(48)
    url, state = session.create_authorization_url(metadata["authorization_endpoint"], code_verifier=verifier)
    assert url.startswith(stack.urls.rest + "/api/oauth/authorize?")
    request = {name: values[0] for name, values in parse_qs(urlparse(url).query).items()}
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    assert request["code_challenge"] == challenge
    # The user approves in the first-party app, which sends the browser back to the client's redirect URI.
    decision = api("POST", "/api/oauth/authorize", token=user.token, json={**request, "approve": True})
    assert decision.status_code == 200, decision.text

    token = session.fetch_token(metadata["token_endpoint"], authorization_response=decision.json()["redirectTo"],
                                code_verifier=verifier, state=state)

    assert token["scope"] == "webhooks:manage"
    made = session.post(f"{stack.urls.rest}/api/webhooks/subscriptions", timeout=30,
                        json={"url": receiver.url(f"/ok/{new_ulid()}"), "eventTypes": ["BadgeEarned"]})
    assert made.status_code == 201, made.text
    listed = api("GET", "/api/webhooks/subscriptions", token=user.token).json()["items"]
    assert [s["id"] for s in listed] == [made.json()["id"]]
    assert session.get(f"{stack.urls.rest}/api/tasks", timeout=30).status_code == 403  # no tasks scope

"""End-to-end fixtures: a fresh emulator on a free port, the stack deployed to it, real clients.

The session starts its own emulator (state in a temporary folder), builds and deploys
template.yaml exactly as `make up` does, and stops the emulator afterwards, leaving nothing running.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests

from deepiri_common.events import DomainEvent, EventBridgePublisher
from deepiri_common.ids import new_ulid
from deepiri_common.tokens import KeyStore, issue_access_token
from infra import deploy, emulator
from infra.config import LOCAL, REGION, Target, activate
from infra.urls import StackUrls, discover
from tests.support import fake_google, fake_notion, fake_providers, fake_trello
from tests.support.fake_openai import FakeOpenAI
from tests.support.fake_providers import FakeProviders

STAGE = "e2e"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run tests that restart the shared emulator after all the others."""
    items.sort(key=lambda item: item.get_closest_marker("restarts_emulator") is not None)


@dataclass(frozen=True)
class Stack:
    target: Target
    urls: StackUrls
    providers_url: str = ""  # the fake GitHub and Google (tests/support/fake_providers.py) the integrations call

    def client(self, service: str) -> Any:
        return boto3.client(service, endpoint_url=self.target.endpoint, region_name=REGION)


@pytest.fixture(scope="session")
def stack() -> Iterator[Stack]:
    port = emulator.free_port()
    state_dir = LOCAL / "e2e" / str(port)
    target = activate(Target(endpoint=f"http://127.0.0.1:{port}", stage=STAGE, state_dir=state_dir))
    # The emulator forwards Bedrock Converse to a fake OpenAI-compatible server (tests/support/fake_openai.py);
    # only the AI service calls Bedrock, and only its tests depend on what the server answers.
    fake_model = FakeOpenAI().start()
    # The integrations service reaches its providers at their configured base URLs: here, a fake GitHub.
    providers = FakeProviders().start()
    os.environ["MINISTACK_BEDROCK_PROXY_URL"] = fake_model.url
    try:
        emulator.start(target)
        # Every e2e client is 127.0.0.1, so the per-IP registration limit is raised for this stage only; the AI
        # service asks Bedrock (the fake model) with a small daily budget, so the 429 is reachable; outgoing
        # webhooks may reach the tests' receiver on 127.0.0.1 and retry within seconds instead of a day.
        deploy.build_and_deploy(target, {"RegistrationsPerIpPerHour": "500", "AiProvider": "bedrock",
                                         "AiDailyTokenBudget": "5000", "WebhookAllowedTargets": "127.0.0.1",
                                         "WebhookRetryBaseSeconds": "1", "WebhookRetryMaxDelaySeconds": "3",
                                         "WebhookRetryWindowSeconds": "20", **_provider_parameters(providers.url)})
        yield Stack(target=target, urls=discover(target), providers_url=providers.url)
    finally:
        os.environ.pop("MINISTACK_BEDROCK_PROXY_URL", None)
        emulator.stop(target)
        fake_model.stop()
        providers.stop()
        shutil.rmtree(state_dir, ignore_errors=True)


def _provider_parameters(url: str) -> dict[str, str]:
    """The template parameters that point the integrations at the fake providers, with a short breaker."""
    return {"GithubWebUrl": url, "GithubApiUrl": url, "GithubClientId": fake_providers.CLIENT_ID,
            "GithubClientSecret": fake_providers.CLIENT_SECRET, "GithubWebhookSecret": fake_providers.WEBHOOK_SECRET,
            "IntegrationsBreakerSeconds": "3", "GoogleAccountsUrl": url, "GoogleOauthUrl": url, "GoogleApiUrl": url,
            "GoogleClientId": fake_google.CLIENT_ID, "GoogleClientSecret": fake_google.CLIENT_SECRET,
            "TrelloWebUrl": url, "TrelloApiUrl": url,
            "TrelloApiKey": fake_trello.API_KEY, "TrelloApiSecret": fake_trello.API_SECRET, "NotionApiUrl": url,
            "NotionClientId": fake_notion.CLIENT_ID, "NotionClientSecret": fake_notion.CLIENT_SECRET}


@pytest.fixture(scope="session")
def key_store(stack: Stack) -> KeyStore:
    store = KeyStore(f"deepiri-{STAGE}-jwt-keys", stack.client("secretsmanager"))
    store.signing_key()  # initialise the key set once, as the first token issuer does
    return store


@pytest.fixture(scope="session")
def mint(key_store: KeyStore) -> Callable[..., str]:
    """Issue an access token the way the users service will: ES256, this stage's issuer and audience."""

    def _mint(user_id: str | None = None, **claims: Any) -> str:
        return issue_access_token(
            key_store, subject=user_id or new_ulid(), roles=claims.pop("roles", ["user"]),
            issuer=f"https://deepiri.{STAGE}", audience="deepiri-api", **claims,
        )

    return _mint


PASSWORD = "correct horse battery staple"


@dataclass(frozen=True)
class Account:
    """A user registered through the API, with the token pair registration answered."""

    id: str
    email: str
    token: str
    refresh: str


@pytest.fixture(scope="session")
def account(stack: Stack) -> Callable[[str], Account]:
    """Register (once per session per name) a real user through POST /api/auth/register.

    Accounts are shared by name within the session where tests do not need their own.
    """
    registered: dict[str, Account] = {}

    def _account(name: str) -> Account:
        if name not in registered:
            email = f"{name.lower()}-{new_ulid().lower()}@example.com"
            response = requests.post(f"{stack.urls.rest}/api/auth/register", timeout=30, json={
                "email": f"  {email.upper()} ", "password": PASSWORD, "displayName": name.title()})
            assert response.status_code == 201, response.text
            body = response.json()
            registered[name] = Account(id=body["user"]["userId"], email=email,
                                       token=body["tokens"]["accessToken"], refresh=body["tokens"]["refreshToken"])
        return registered[name]

    return _account


@pytest.fixture
def api(stack: Stack) -> Callable[..., requests.Response]:
    """Call the REST API: api("GET", "/health", token=..., json=...) (30 s unless ``timeout=`` says otherwise)."""

    def _call(method: str, path: str, *, token: str | None = None, **kwargs: Any) -> requests.Response:
        headers = dict(kwargs.pop("headers", {}))
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return requests.request(method, f"{stack.urls.rest}{path}", headers=headers, **{"timeout": 30, **kwargs})

    return _call


@pytest.fixture
def publish(stack: Stack) -> Callable[[DomainEvent], None]:
    """Put a domain event on the stage's bus, as a service's outbox forwarder would."""
    publisher = EventBridgePublisher(f"deepiri-{STAGE}", stack.client("events"))
    return lambda event: publisher.publish([event])


@pytest.fixture
def bus_tap(stack: Stack) -> Iterator[Callable[..., Callable[[], list[dict[str, Any]]]]]:
    """A queue of this test's own that receives the named events from the bus (test namespace only)."""
    sqs, events = stack.client("sqs"), stack.client("events")
    name = f"e2e-tap-{new_ulid().lower()}"
    queue_url = sqs.create_queue(QueueName=name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def tap(*detail_types: str) -> Callable[[], list[dict[str, Any]]]:
        events.put_rule(Name=name, EventBusName="deepiri-e2e",
                        EventPattern=json.dumps({"detail-type": list(detail_types)}))
        events.put_targets(Rule=name, EventBusName="deepiri-e2e", Targets=[{"Id": "tap", "Arn": queue_arn}])

        def received() -> list[dict[str, Any]]:
            messages = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, WaitTimeSeconds=1)
            return [json.loads(m["Body"]) for m in messages.get("Messages", [])]

        return received

    yield tap
    events.remove_targets(Rule=name, EventBusName="deepiri-e2e", Ids=["tap"])
    events.delete_rule(Name=name, EventBusName="deepiri-e2e")
    sqs.delete_queue(QueueUrl=queue_url)


@pytest.fixture
def tasks_directory(stack: Stack) -> Callable[..., None]:
    """Wait until the tasks service's users directory holds what the users service announced: each user
    in ``users`` is known, and each (blocker, blocked) pair in ``blocks`` is recorded as a block.

    The directory is fed asynchronously (outbox → bus → the tasks queue), so a test that invites a user
    it just registered waits here first (bounded), instead of racing the events.
    """
    table, dynamodb = f"deepiri-{STAGE}-tasks", stack.client("dynamodb")

    def item(pk: str, sk: str) -> dict[str, Any]:
        key = {"pk": {"S": pk}, "sk": {"S": sk}}
        return dict(dynamodb.get_item(TableName=table, Key=key, ConsistentRead=True).get("Item") or {})

    def caught_up(users: tuple[str, ...], blocks: tuple[tuple[str, str], ...]) -> bool:
        return (all(item(f"DIRECTORY#{u}", "USER").get("state") == {"S": "active"} for u in users)
                and all(item(f"DIRECTORY#{a}", f"BLOCK#{b}").get("blocking") == {"BOOL": True} for a, b in blocks))

    def wait(*users: str, blocks: tuple[tuple[str, str], ...] = ()) -> None:
        wait_for(lambda: caught_up(users, blocks), seconds=30)

    return wait


# Badges a task earns by the hour it is finished at in the user's zone (UTC for these accounts): a suite run
# before 08:00 or after 22:00 earns one, 10 coins, on a user's first completion.
HOUR_BADGES = frozenset({"early-bird", "night-owl"})


def wait_for(check: Callable[[], Any], *, seconds: float = 20, every: float = 0.25) -> Any:
    """Poll ``check`` until it returns something truthy, or fail after ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"condition not met within {seconds}s")


def read_json(path: Path) -> Any:
    return json.loads(path.read_text())

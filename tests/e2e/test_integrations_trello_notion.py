"""Trello and Notion through the deployed stack, against the fake providers the session starts
(tests/support/fake_trello.py, fake_notion.py): connect, import exactly once as tasks, a signed webhook updates
a task (a tampered one is refused with 401, a replay ignored), completing the task writes back at the fake
once, and reading the write-back again imports nothing."""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import pytest
import requests

from deepiri_common.ids import new_ulid
from tests.e2e.conftest import STAGE, Account, Stack, wait_for
from tests.support import fake_trello
from tests.support.fake_notion import page
from tests.support.fake_trello import card

pytestmark = pytest.mark.e2e

Api = Callable[..., requests.Response]
COLD = 150  # a cold function under load on this shared machine (see test_integrations.py)


def _hex() -> str:
    return secrets.token_hex(12)


def _control(stack: Stack, path: str, body: dict[str, Any]) -> None:
    requests.post(f"{stack.providers_url}/_control/{path}", json=body, timeout=10).raise_for_status()


def _state(stack: Stack, provider: str) -> dict[str, Any]:
    return dict(requests.get(f"{stack.providers_url}/_control/{provider}/state", timeout=10).json())


def _connect(api: Api, user: Account, provider: str, who: dict[str, str]) -> dict[str, Any]:
    started = api("POST", f"/api/integrations/{provider}/connect", token=user.token, timeout=COLD)
    assert started.status_code == 200, started.text
    redirect = requests.get(f"{started.json()['authorizeUrl']}&{urlencode(who)}", allow_redirects=False, timeout=10)
    back = {name: values[0] for name, values in parse_qs(urlparse(redirect.headers["location"]).query).items()}
    connected = api("GET", f"/api/integrations/{provider}/callback", params=back, timeout=COLD)  # open route
    assert connected.status_code == 200, connected.text
    return dict(connected.json())


def _sync(api: Api, user: Account, provider: str) -> dict[str, Any]:
    answer = api("POST", f"/api/integrations/{provider}/sync", token=user.token, timeout=COLD)
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def _imported(api: Api, user: Account, provider: str) -> dict[str, dict[str, Any]]:
    tasks = api("GET", "/api/tasks", token=user.token, params={"limit": 100}).json()["items"]
    return {task["externalRef"]: task for task in tasks if task.get("source") == provider}


def _trello_webhook(stack: Stack, board: str, card_id: str, action_id: str,
                    secret: str = fake_trello.API_SECRET) -> requests.Response:
    from deepiri_integrations.logic.trello import signature  # noqa: PLC0415 - the documented scheme

    raw = json.dumps({"model": {"id": board}, "action": {"id": action_id, "type": "updateCard", "data": {
        "card": {"id": card_id}, "board": {"id": board}, "old": {"name": "before"}}}}).encode()
    callback = f"{stack.urls.rest}/webhooks/trello"
    return requests.post(callback, data=raw, timeout=COLD, headers={
        "Content-Type": "application/json", "X-Trello-Webhook": signature(secret, raw, callback)})


def test_given_trello_connected_then_cards_import_once_a_signed_webhook_updates_and_completion_ticks_the_card(
        stack: Stack, api: Api, account: Callable[[str], Account]) -> None:
    user, username = account("trello-e2e"), f"taco-{new_ulid()[-6:].lower()}"
    board, todo, done, first, second = _hex(), _hex(), _hex(), _hex(), _hex()
    _control(stack, "trello/cards", {"cards": [
        card(first, board, "Plan the launch", list_id=todo, labels=("Urgent",), due="2026-12-24T17:00:00.000Z",
             last_activity="2026-11-20T10:00:00.000Z"),
        card(second, board, "Book the venue", list_id=todo, last_activity="2026-11-20T11:00:00.000Z")]})

    connection = _connect(api, user, "trello", {"username": username})
    chosen = api("PUT", "/api/integrations/trello/sources", token=user.token,
                 json={"boards": [board], "doneList": done})
    first_run, second_run = _sync(api, user, "trello"), _sync(api, user, "trello")
    tasks = wait_for(lambda: (found := _imported(api, user, "trello")) and len(found) == 2 and found, seconds=COLD)

    assert connection["account"] == username and chosen.status_code == 200
    assert (first_run["imported"], second_run["imported"]) == (2, 0)
    assert tasks[first]["tags"] == ["urgent"] and tasks[first]["dueAt"].startswith("2026-12-24T17:00:00")

    # Trello's HEAD check answers 200; a signed webhook updates the task; a replay is ignored; a tampered one: 401.
    assert requests.head(f"{stack.urls.rest}/webhooks/trello", timeout=COLD).status_code == 200
    _control(stack, "trello/cards", {"cards": [card(first, board, "Plan the launch party", list_id=todo)]})
    action = _hex()
    queued, replayed = _trello_webhook(stack, board, first, action), _trello_webhook(stack, board, first, action)
    tampered = _trello_webhook(stack, board, first, _hex(), secret="forged")
    assert (queued.status_code, queued.json()) == (202, {"outcome": "queued", "items": 1})
    assert replayed.json()["outcome"] == "duplicate"
    assert tampered.status_code == 401 and tampered.headers["content-type"].startswith("application/problem+json")
    wait_for(lambda: _imported(api, user, "trello")[first]["title"] == "Plan the launch party", seconds=COLD)

    # Completing the task ticks the card and moves it to the done list at the fake, once; no loop back.
    assert api("POST", f"/api/tasks/{tasks[second]['id']}/complete", token=user.token, json={}).status_code == 200
    wait_for(lambda: second in _state(stack, "trello")["completed"], seconds=COLD)
    assert _state(stack, "trello")["completed"].count(second) == 1
    assert _state(stack, "trello")["cards"][second]["idList"] == done
    assert _sync(api, user, "trello")["imported"] == 0
    assert len(_imported(api, user, "trello")) == 2


def _notion_webhook(stack: Stack, payload: dict[str, Any], key: str | None) -> requests.Response:
    from deepiri_integrations.logic.notion import signature  # noqa: PLC0415 - the documented scheme

    raw = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["X-Notion-Signature"] = signature(key, raw)
    return requests.post(f"{stack.urls.rest}/webhooks/notion", data=raw, headers=headers, timeout=COLD)


def test_given_notion_connected_then_pages_import_once_a_signed_webhook_updates_and_completion_sets_the_status(
        stack: Stack, api: Api, account: Callable[[str], Account]) -> None:
    user, workspace = account("notion-e2e"), f"ws-{new_ulid().lower()}"
    database, first, second = (f"{n:08x}-aaaa-4bbb-8ccc-{secrets.token_hex(6)}" for n in range(3))
    _control(stack, "notion/pages", {"pages": [
        page(first, database, "Write the brief", tags=("Docs",), due="2026-12-24T09:00:00.000+01:00",
             last_edited="2026-11-20T10:00:00.000Z"),
        page(second, database, "Review the budget", last_edited="2026-11-20T11:00:00.000Z")]})

    connection = _connect(api, user, "notion", {"workspace": workspace})
    chosen = api("PUT", "/api/integrations/notion/sources", token=user.token, json={"databases": [database]})
    first_run, second_run = _sync(api, user, "notion"), _sync(api, user, "notion")
    tasks = wait_for(lambda: (found := _imported(api, user, "notion")) and len(found) == 2 and found, seconds=COLD)

    assert connection["account"] == workspace and chosen.status_code == 200
    assert (first_run["imported"], second_run["imported"]) == (2, 0)
    assert tasks[first]["tags"] == ["docs"] and tasks[first]["dueAt"].startswith("2026-12-24T08:00:00")

    # The subscription's verification request; then a signed event updates the task, a replay is ignored and a
    # tampered one is refused.
    token = f"secret_{secrets.token_hex(16)}"
    verified = _notion_webhook(stack, {"verification_token": token}, None)
    _control(stack, "notion/pages", {"pages": [page(first, database, "Write the final brief")]})
    event = {"id": new_ulid(), "type": "page.properties_updated", "workspace_id": workspace,
             "entity": {"id": first, "type": "page"}, "timestamp": "2026-11-30T10:00:00.000Z", "attempt_number": 1}
    queued, replayed = _notion_webhook(stack, event, token), _notion_webhook(stack, event, token)
    tampered = _notion_webhook(stack, {**event, "id": new_ulid()}, "secret_forged")
    assert verified.status_code == 202 and verified.json()["outcome"] == "verification"
    assert (queued.status_code, queued.json()) == (202, {"outcome": "queued", "items": 1})
    assert replayed.json()["outcome"] == "duplicate" and tampered.status_code == 401
    wait_for(lambda: _imported(api, user, "notion")[first]["title"] == "Write the final brief", seconds=COLD)

    # Completing the task sets the page's status to Done at the fake, once; no loop back.
    assert api("POST", f"/api/tasks/{tasks[second]['id']}/complete", token=user.token, json={}).status_code == 200
    wait_for(lambda: second in _state(stack, "notion")["updated"], seconds=COLD)
    fake = _state(stack, "notion")
    assert fake["updated"].count(second) == 1
    assert fake["pages"][second.replace("-", "")]["properties"]["Status"]["status"]["name"] == "Done"
    assert _sync(api, user, "notion")["imported"] == 0

    # Neither the tokens nor the webhook's verification token are in clear in the table.
    items = json.dumps(stack.client("dynamodb").scan(TableName=f"deepiri-{STAGE}-integrations")["Items"])
    assert token not in items and "ntn_" not in items

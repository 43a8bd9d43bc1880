"""GitHub's webhook end to end without a network (signature, delivery id, replay, which assignees import,
issues and pull requests), and IntegrationChangeNotified's read-back of a Trello card or a Notion page."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from deepiri_common.problems import Unauthorized
from deepiri_integrations.dal.http import Refused
from deepiri_integrations.logic import webhooks
from deepiri_integrations.logic.notified import change_notified
from deepiri_integrations.models.connections import ImportedItem, IntegrationSources, StoredConnection, Tokens
from deepiri_integrations.models.events import ChangeNotifiedData

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
SECRET = "gh-webhook-secret"
CARD, BOARD = "d" * 24, "a" * 24
PAGE_ID = "1f0e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"
DATABASE = "8e2c2b76-4f1b-4c3a-9d55-0a2b3c4d5e6f"


def _connection(user: str, provider: str = "github", **sources: Any) -> StoredConnection:
    return StoredConnection(userId=user, provider=provider, status="connected", account=user, scopes=[],
                            connectedAt=NOW, sealedTokens=f"sealed-{user}", sources=IntegrationSources(**sources))


@dataclass
class FakeRepository:
    accounts: dict[str, str] = field(default_factory=dict)
    connections: dict[tuple[str, str], StoredConnection] = field(default_factory=dict)
    seen: set[tuple[str, str]] = field(default_factory=set)
    remembered: list[tuple[str, str, datetime]] = field(default_factory=list)
    imported: list[tuple[str, str, ImportedItem, Any]] = field(default_factory=list)
    versions: set[tuple[str, str, str, datetime]] = field(default_factory=set)
    looked_up: list[tuple[str, str]] = field(default_factory=list)

    def delivery_seen(self, provider: str, delivery: str) -> bool:
        return (provider, delivery) in self.seen

    def remember_delivery(self, provider: str, delivery: str, now: datetime) -> None:
        self.seen.add((provider, delivery))
        self.remembered.append((provider, delivery, now))

    def account_user(self, provider: str, login: str) -> str | None:
        return self.accounts.get(f"{provider}:{login}")

    def connection(self, user_id: str, provider: str) -> StoredConnection | None:
        self.looked_up.append((user_id, provider))
        return self.connections.get((user_id, provider))

    def record_import(self, user_id: str, provider: str, item: ImportedItem, event: Any) -> bool:
        version = (user_id, provider, item.externalRef, item.updatedAt)
        if version in self.versions:
            return False
        self.versions.add(version)
        self.imported.append((user_id, provider, item, event))
        return True


@dataclass
class Secrets:
    githubWebhookSecret: str = SECRET


class Vault:
    def open(self, sealed: str, user_id: str, provider: str) -> Tokens:
        return Tokens(accessToken=f"access-of-{user_id}")


@dataclass
class Ctx:
    repository: FakeRepository = field(default_factory=FakeRepository)
    secrets: Secrets = field(default_factory=Secrets)
    vault: Vault = field(default_factory=Vault)
    trello: Any = None
    notion: Any = None


def _issue(**fields: Any) -> dict[str, Any]:
    return {"number": 7, "title": "Fix the build", "state": "open", "updated_at": "2026-11-30T10:00:00Z",
            "html_url": "https://github.com/ada/engine/issues/7", "body": "it fails",
            "labels": [{"name": "Bug"}], "assignees": [{"login": "ada-gh"}, {"login": "bob-gh"}], **fields}


def _body(event: str = "issues", issue: dict[str, Any] | None = None, **payload: Any) -> bytes:
    key = "issue" if event == "issues" else "pull_request"
    return json.dumps({"action": "opened", key: issue if issue is not None else _issue(),
                       "repository": {"full_name": "ada/engine"}, **payload}).encode()


def _ctx(*users: str, **sources: Any) -> Ctx:
    ctx = Ctx()
    for user in users:
        ctx.repository.accounts[f"github:{user}-gh"] = user
        ctx.repository.connections[(user, "github")] = _connection(user, **sources)
    return ctx


def _deliver(ctx: Ctx, body: bytes, *, delivery: str | None = "d-1", event: str | None = "issues",
             signature: str | None = "sign") -> Any:
    given = webhooks.github_signature(SECRET, body) if signature == "sign" else signature
    return webhooks.github_delivery(ctx, body, signature=given, delivery=delivery,  # type: ignore[arg-type]
                                    event_name=event, now=NOW)


# ---------------------------------------------------------------- GitHub's signature
def test_given_a_signature_then_it_is_sha256_and_the_hex_hmac_of_the_raw_body() -> None:
    signature = webhooks.github_signature("s", b"{}")
    assert signature.startswith("sha256=") and len(signature) == len("sha256=") + 64
    webhooks.verify_github("s", b"{}", signature)
    with pytest.raises(Unauthorized):
        webhooks.verify_github("s", b"{} ", signature)
    with pytest.raises(Unauthorized):
        webhooks.verify_github("s", b"{}", signature.upper())
    with pytest.raises(Unauthorized):
        webhooks.verify_github("s", b"{}", signature.removeprefix("sha256="))


# ---------------------------------------------------------------- deliveries
def test_given_a_signed_issue_then_each_connected_assignee_imports_it_and_the_delivery_is_remembered() -> None:
    ctx = _ctx("ada", "bob")

    receipt = _deliver(ctx, _body())

    assert (receipt.outcome, receipt.items) == ("queued", 2)
    assert [(user, provider, item.externalRef) for user, provider, item, _ in ctx.repository.imported] == [
        ("ada", "github", "ada/engine#7"), ("bob", "github", "ada/engine#7")]
    item = ctx.repository.imported[0][2]
    assert (item.title, item.description, item.tags, item.repository) == ("Fix the build", "it fails", ["bug"],
                                                                          "ada/engine")
    event = ctx.repository.imported[0][3]
    assert event.detail_type == "IntegrationItemImported" and event.detail.data["userId"] == "ada"
    assert event.detail.data["externalRef"] == "ada/engine#7" and event.detail.data["provider"] == "github"
    assert ctx.repository.remembered == [("github", "d-1", NOW)]


def test_given_a_replayed_delivery_then_it_is_a_duplicate_and_nothing_more_is_imported() -> None:
    ctx = _ctx("ada")
    _deliver(ctx, _body())

    replay = _deliver(ctx, _body(issue=_issue(updated_at="2026-11-30T11:00:00Z")))

    assert (replay.outcome, replay.items) == ("duplicate", 0)
    assert len(ctx.repository.imported) == 1 and len(ctx.repository.remembered) == 1


def test_given_a_new_delivery_of_an_already_imported_version_then_it_is_ignored_but_remembered() -> None:
    ctx = _ctx("ada")
    _deliver(ctx, _body())

    again = _deliver(ctx, _body(), delivery="d-2")

    assert (again.outcome, again.items) == ("ignored", 0)
    assert [r[1] for r in ctx.repository.remembered] == ["d-1", "d-2"]


@pytest.mark.parametrize("signature", [None, "", "sha256=" + "0" * 64])
def test_given_a_bad_signature_then_unauthorized_and_nothing_is_remembered_or_imported(
        signature: str | None) -> None:
    ctx = _ctx("ada")

    with pytest.raises(Unauthorized) as refused:
        _deliver(ctx, _body(), signature=signature)

    assert refused.value.detail == "the webhook signature does not match"

    assert ctx.repository.remembered == [] and ctx.repository.imported == []


def test_given_no_webhook_secret_configured_then_a_delivery_is_refused() -> None:
    ctx = _ctx("ada")
    ctx.secrets.githubWebhookSecret = ""
    body = _body()

    with pytest.raises(Unauthorized):
        webhooks.github_delivery(ctx, body, signature=webhooks.github_signature("", body),  # type: ignore[arg-type]
                                 delivery="d-1", event_name="issues", now=NOW)


@pytest.mark.parametrize("delivery", [None, ""])
def test_given_a_signed_delivery_without_its_id_then_unauthorized(delivery: str | None) -> None:
    ctx = _ctx("ada")

    with pytest.raises(Unauthorized) as refused:
        _deliver(ctx, _body(), delivery=delivery)

    assert refused.value.detail == "a signed delivery carries X-GitHub-Delivery"

    assert ctx.repository.imported == [] and ctx.repository.remembered == []


@pytest.mark.parametrize("event", ["push", None, "issue_comment"])
def test_given_an_event_that_is_not_handled_then_it_is_ignored_and_remembered(event: str | None) -> None:
    ctx = _ctx("ada")

    receipt = _deliver(ctx, _body(), event=event)

    assert (receipt.outcome, receipt.items) == ("ignored", 0)
    assert ctx.repository.imported == [] and ctx.repository.remembered == [("github", "d-1", NOW)]


@pytest.mark.parametrize("event", ["push", None])
def test_given_an_unhandled_event_whose_payload_hides_an_issue_under_odd_keys_then_nothing_is_imported(
        event: str | None) -> None:
    ctx = _ctx("ada")
    body = json.dumps({"": _issue(), "XXXX": _issue(), "None": _issue(),
                       "repository": {"full_name": "ada/engine"}}).encode()

    receipt = _deliver(ctx, body, event=event)

    assert (receipt.outcome, receipt.items) == ("ignored", 0) and ctx.repository.imported == []


def test_given_a_body_that_is_not_an_object_then_it_is_ignored() -> None:
    ctx = _ctx("ada")
    for n, body in enumerate([b"[]", b"not json", b'{"issue": "text"}']):
        assert _deliver(ctx, body, delivery=f"d-{n}").outcome == "ignored"
    assert ctx.repository.imported == []


def test_given_a_pull_request_event_then_it_imports_as_a_pull_request_of_the_payload_s_repository() -> None:
    ctx = _ctx("ada")
    pull = _issue(number=9, html_url="https://github.com/ada/engine/pull/9")

    receipt = _deliver(ctx, _body("pull_request", pull), event="pull_request")

    assert (receipt.outcome, receipt.items) == ("queued", 1)
    item = ctx.repository.imported[0][2]
    assert item.pullRequest and item.externalRef == "ada/engine#9" and item.repository == "ada/engine"


def test_given_a_user_who_does_not_import_pull_requests_then_a_pull_request_is_ignored() -> None:
    ctx = _ctx("ada", pullRequests=False)

    receipt = _deliver(ctx, _body("pull_request", _issue()), event="pull_request")

    assert (receipt.outcome, receipt.items) == ("ignored", 0) and ctx.repository.imported == []
    assert _deliver(ctx, _body(), delivery="d-2").items == 1  # an issue still imports


def test_given_an_issue_naming_its_own_repository_then_the_payload_s_does_not_replace_it() -> None:
    ctx = _ctx("ada")
    issue = _issue(repository={"full_name": "ada/other"})

    _deliver(ctx, _body(issue=issue))

    assert ctx.repository.imported[0][2].externalRef == "ada/other#7"


def test_given_an_issue_without_repository_anywhere_then_nothing_is_imported() -> None:
    ctx = _ctx("ada")
    body = json.dumps({"issue": _issue()}).encode()

    assert _deliver(ctx, body).outcome == "ignored" and ctx.repository.imported == []


def test_given_assignees_without_a_connection_or_outside_their_sources_then_only_the_rest_import() -> None:
    ctx = _ctx("ada")
    ctx.repository.accounts["github:bob-gh"] = "bob"  # knows bob's account, but he disconnected
    ctx.repository.accounts["github:cy-gh"] = "cy"
    ctx.repository.connections[("cy", "github")] = _connection("cy", repositories=["cy/elsewhere"])
    issue = _issue(assignees=[{"login": "nobody"}, {"login": "bob-gh"}, {"login": "cy-gh"}, {"login": "ada-gh"}])

    receipt = _deliver(ctx, _body(issue=issue))

    assert (receipt.outcome, receipt.items) == ("queued", 1)
    assert [imported[0] for imported in ctx.repository.imported] == ["ada"]
    assert ctx.repository.looked_up == [("bob", "github"), ("cy", "github"), ("ada", "github")]


# ---------------------------------------------------------------- IntegrationChangeNotified
class TrelloCards:
    def __init__(self, card: dict[str, Any] | Exception) -> None:
        self.result = card
        self.asked: list[tuple[str, str]] = []

    def card(self, access: str, ref: str) -> dict[str, Any]:
        self.asked.append((access, ref))
        if isinstance(self.result, Exception):
            raise self.result
        return self.result


class NotionPages:
    def __init__(self, page: dict[str, Any]) -> None:
        self.result = page
        self.asked: list[tuple[str, str]] = []

    def page(self, access: str, ref: str) -> dict[str, Any]:
        self.asked.append((access, ref))
        return self.result


def _card(**fields: Any) -> dict[str, Any]:
    return {"id": CARD, "name": "Ship it", "idBoard": BOARD, "idList": "b" * 24,
            "dateLastActivity": "2026-11-30T10:00:00.000Z", **fields}


def _page(**fields: Any) -> dict[str, Any]:
    return {"id": PAGE_ID, "last_edited_time": "2026-11-30T10:00:00.000Z",
            "parent": {"type": "database_id", "database_id": DATABASE},
            "properties": {"Name": {"type": "title", "title": [{"plain_text": "Plan"}]}}, **fields}


def _notified_ctx(provider: str, **sources: Any) -> Ctx:
    ctx = Ctx()
    ctx.repository.connections[("ada", provider)] = _connection("ada", provider, **sources)
    return ctx


def test_given_a_trello_card_changed_then_it_is_read_with_the_user_s_access_and_imported_once() -> None:
    ctx = _notified_ctx("trello")
    ctx.trello = TrelloCards(_card())
    data = ChangeNotifiedData(userId="ada", provider="trello", ref=CARD)

    assert change_notified(ctx, data, NOW) == "imported"  # type: ignore[arg-type]
    assert change_notified(ctx, data, NOW) == "unchanged"  # type: ignore[arg-type]

    assert ctx.trello.asked == [("access-of-ada", CARD)] * 2
    assert [(user, provider, item.externalRef, item.title) for user, provider, item, _ in ctx.repository.imported] == [
        ("ada", "trello", CARD, "Ship it")]


def test_given_a_notion_page_changed_then_it_is_read_and_imported() -> None:
    ctx = _notified_ctx("notion")
    ctx.notion = NotionPages(_page())

    outcome = change_notified(ctx, ChangeNotifiedData(userId="ada", provider="notion", ref=PAGE_ID), NOW)  # type: ignore[arg-type]

    assert outcome == "imported" and ctx.notion.asked == [("access-of-ada", PAGE_ID)]
    assert [(i[1], i[2].externalRef, i[2].title) for i in ctx.repository.imported] == [("notion", PAGE_ID, "Plan")]


def test_given_a_card_outside_the_chosen_sources_or_unreadable_then_it_is_ignored() -> None:
    ctx = _notified_ctx("trello", boards=["f" * 24])
    ctx.trello = TrelloCards(_card())
    data = ChangeNotifiedData(userId="ada", provider="trello", ref=CARD)
    assert change_notified(ctx, data, NOW) == "ignored"  # type: ignore[arg-type]

    ctx = _notified_ctx("trello")
    ctx.trello = TrelloCards(_card(dateLastActivity=None))
    assert change_notified(ctx, data, NOW) == "ignored"  # type: ignore[arg-type]
    assert ctx.repository.imported == []


def test_given_a_page_without_a_wanted_label_then_it_is_ignored() -> None:
    ctx = _notified_ctx("notion", labels=["urgent"])
    ctx.notion = NotionPages(_page())

    assert change_notified(ctx, ChangeNotifiedData(userId="ada", provider="notion", ref=PAGE_ID), NOW) == "ignored"  # type: ignore[arg-type]
    assert ctx.repository.imported == []


def test_given_no_connection_or_another_provider_then_ignored_without_reading() -> None:
    ctx = _notified_ctx("trello")
    ctx.trello = TrelloCards(_card())

    assert change_notified(ctx, ChangeNotifiedData(userId="bob", provider="trello", ref=CARD), NOW) == "ignored"  # type: ignore[arg-type]
    assert change_notified(ctx, ChangeNotifiedData(userId="ada", provider="github", ref=CARD), NOW) == "ignored"  # type: ignore[arg-type]
    assert ctx.trello.asked == [] and ctx.repository.looked_up == [("bob", "trello")]


def test_given_an_access_token_valid_for_an_hour_then_it_is_used_without_a_refresh() -> None:
    ctx = _notified_ctx("trello")
    ctx.repository.connections[("ada", "trello")] = _connection("ada", "trello").model_copy(
        update={"accessExpiresAt": NOW + timedelta(hours=1)})
    ctx.trello = TrelloCards(_card())

    outcome = change_notified(ctx, ChangeNotifiedData(userId="ada", provider="trello", ref=CARD), NOW)  # type: ignore[arg-type]

    assert outcome == "imported" and ctx.trello.asked == [("access-of-ada", CARD)]


def test_given_the_card_is_gone_then_refused_and_nothing_imported() -> None:
    ctx = _notified_ctx("trello")
    ctx.trello = TrelloCards(Refused(404, "gone"))

    assert change_notified(ctx, ChangeNotifiedData(userId="ada", provider="trello", ref=CARD), NOW) == "refused"  # type: ignore[arg-type]
    assert ctx.repository.imported == []

"""Trello's and Notion's edges: ids and timestamps that are not what they seem, the exact arguments the
provider clients and the delivery record receive, the bounds of Notion's ids and tokens, and the
write-back at the very instant of the completion (the task's completion wins a tie)."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from deepiri_common.problems import Unauthorized
from deepiri_integrations.dal import notion as notion_api
from deepiri_integrations.logic import notion, trello
from deepiri_integrations.models.connections import IntegrationSources, StoredConnection, Tokens

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
CALLBACK = "https://api.example.com/prod/webhooks/trello"
SECRET = "trello-app-secret"
BOARD, LIST, DONE, CARD = "a" * 24, "b" * 24, "c" * 24, "d" * 24
DATABASE = "8e2c2b76-4f1b-4c3a-9d55-0a2b3c4d5e6f"
PAGE_ID = "1f0e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"


@dataclass
class State:
    calls: list[tuple[Any, ...]] = field(default_factory=list)
    claimed: set[tuple[str, str]] = field(default_factory=set)
    key: str | None = None
    board_watchers: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def watch(self, provider: str, container: str, user_id: str) -> None:
        self.calls.append(("watch", provider, container, user_id))

    def claim_delivery(self, provider: str, delivery_id: str, events: list[Any], now: datetime) -> bool:
        self.calls.append(("claim", provider, delivery_id, len(events), now))
        if (provider, delivery_id) in self.claimed:
            return False
        self.claimed.add((provider, delivery_id))
        return True

    def watchers(self, provider: str, container: str) -> list[str]:
        self.calls.append(("watchers", provider, container))
        return self.board_watchers.get((provider, container), [])

    def webhook_key(self, provider: str) -> str | None:
        self.calls.append(("webhook_key", provider))
        return self.key if provider == "notion" else None

    def keep_webhook_key(self, provider: str, sealed: str) -> bool:
        self.calls.append(("keep", provider))
        if self.key is not None or provider != "notion":
            return False
        self.key = sealed
        return True

    def record_echo(self, user_id: str, provider: str, ref: str, echoed_at: datetime | None) -> None:
        self.calls.append(("echo", user_id, provider, ref, echoed_at))


class Vault:
    def seal(self, tokens: Tokens, user_id: str, provider: str) -> str:
        return base64.b64encode(f"{user_id}|{provider}|{tokens.accessToken}".encode()).decode()

    def open(self, sealed: str, user_id: str, provider: str) -> Tokens:
        owner, kind, token = base64.b64decode(sealed).decode().split("|", 2)
        assert (owner, kind) == (user_id, provider)
        return Tokens(accessToken=token)


@dataclass
class Accounts:
    accounts: dict[tuple[str, str], str] = field(default_factory=dict)
    asked: list[tuple[str, str]] = field(default_factory=list)

    def account_user(self, provider: str, login: str) -> str | None:
        self.asked.append((provider, login))
        return self.accounts.get((provider, login))


@dataclass
class Secrets:
    trelloApiSecret: str = SECRET


@dataclass
class Ctx:
    provider_state: State = field(default_factory=State)
    vault: Vault = field(default_factory=Vault)
    repository: Accounts = field(default_factory=Accounts)
    secrets: Secrets = field(default_factory=Secrets)
    trello: Any = None
    notion: Any = None


def _connection(**sources: Any) -> StoredConnection:
    return StoredConnection(userId="ada", provider="trello", status="connected", account="ada", scopes=[],
                            connectedAt=NOW, sealedTokens="x", sources=IntegrationSources(**sources))


# ---------------------------------------------------------------- Trello: mapping
def _card(**fields: Any) -> dict[str, Any]:
    return {"id": CARD, "name": "Ship it", "desc": "", "idBoard": BOARD, "idList": LIST,
            "dateLastActivity": "2026-11-30T10:00:00.000Z", **fields}


@pytest.mark.parametrize("card_id", ["z" * 24, "abc", "a" * 25, "A" * 24, 123])
def test_given_a_card_id_that_is_not_24_lower_hex_digits_then_no_item(card_id: Any) -> None:
    assert trello.card_item(_card(id=card_id)) is None


def test_given_a_card_id_using_every_hex_digit_then_it_is_an_id() -> None:
    card_id = "0123456789abcdef01234567"
    item = trello.card_item(_card(id=card_id))
    assert item is not None and item.externalRef == card_id


@pytest.mark.parametrize("stamp", [1234567890, ["2026-11-30"], ""])
def test_given_a_last_activity_that_is_not_a_timestamp_text_then_no_item(stamp: Any) -> None:
    assert trello.card_item(_card(dateLastActivity=stamp)) is None


def test_given_a_card_without_name_url_due_or_board_then_its_id_titles_it_and_the_rest_is_empty() -> None:
    item = trello.card_item(_card(name="", url=42, due=1234, idBoard=None, desc=None))

    assert item is not None
    assert (item.title, item.url, item.dueAt, item.description, item.repository) == (CARD, None, None, None, "")
    assert (item.pullRequest, item.assignees, item.status) == (False, [], "todo")


def test_given_a_card_then_its_board_is_the_item_s_repository() -> None:
    item = trello.card_item(_card(url="https://trello.com/c/x"))
    assert item is not None and item.repository == BOARD and item.url == "https://trello.com/c/x"


# ---------------------------------------------------------------- Trello: webhook
def _action(action_id: Any = "e" * 24, card: Any = CARD, board: Any = BOARD) -> bytes:
    return json.dumps({"action": {"id": action_id, "data": {"card": {"id": card}, "board": {"id": board}}}}).encode()


def _trello_delivery(ctx: Ctx, body: bytes) -> Any:
    given = trello.signature(SECRET, body, CALLBACK)
    return trello.delivery(ctx, body, given=given, callback_url=CALLBACK, now=NOW)  # type: ignore[arg-type]


def test_given_a_trello_action_then_the_board_s_trello_watchers_are_asked_and_the_action_claimed_now() -> None:
    ctx = Ctx()
    ctx.provider_state.board_watchers[("trello", BOARD)] = ["ada"]

    receipt = _trello_delivery(ctx, _action())

    assert (receipt.outcome, receipt.items) == ("queued", 1)
    assert ctx.provider_state.calls == [("watchers", "trello", BOARD), ("claim", "trello", "e" * 24, 1, NOW)]


@pytest.mark.parametrize("action_id", [None, "short", 7])
def test_given_an_action_without_an_id_then_it_is_ignored_and_not_claimed(action_id: Any) -> None:
    ctx = Ctx()
    ctx.provider_state.board_watchers[("trello", BOARD)] = ["ada"]

    receipt = _trello_delivery(ctx, _action(action_id))

    assert (receipt.outcome, receipt.items) == ("ignored", 0) and ctx.provider_state.calls == []


@pytest.mark.parametrize(("card", "board"), [(None, BOARD), (CARD, None), ("x", BOARD), (CARD, "y")])
def test_given_an_action_without_a_card_and_a_board_then_it_is_claimed_and_ignored(card: Any, board: Any) -> None:
    ctx = Ctx()
    ctx.provider_state.board_watchers[("trello", BOARD)] = ["ada"]

    receipt = _trello_delivery(ctx, _action(card=card, board=board))

    assert (receipt.outcome, receipt.items) == ("ignored", 0)
    assert ctx.provider_state.calls == [("claim", "trello", "e" * 24, 0, NOW)]


def test_given_a_board_nobody_imports_then_the_action_is_ignored() -> None:
    receipt = _trello_delivery(Ctx(), _action())
    assert (receipt.outcome, receipt.items) == ("ignored", 0)


def test_given_a_refused_signature_then_the_problem_says_so() -> None:
    with pytest.raises(Unauthorized) as refused:
        trello.verify(SECRET, b"{}", CALLBACK, "nope")
    assert refused.value.detail == "the webhook signature does not match"
    with pytest.raises(Unauthorized) as refused:
        notion.verify("k", b"{}", "nope")
    assert refused.value.detail == "the webhook signature does not match"


# ---------------------------------------------------------------- Trello: sync and write-back
class TrelloApi:
    def __init__(self, cards: list[dict[str, Any]], last_activity: str = "2026-11-30T11:00:00.000Z") -> None:
        self.list, self.last_activity = cards, last_activity
        self.calls: list[tuple[Any, ...]] = []

    def boards(self, access: str) -> list[str]:
        self.calls.append(("boards", access))
        return [BOARD]

    def cards(self, access: str, board: str) -> list[dict[str, Any]]:
        self.calls.append(("cards", access, board))
        return self.list

    def card(self, access: str, ref: str) -> dict[str, Any]:
        self.calls.append(("card", access, ref))
        return _card(dateLastActivity=self.last_activity)

    def complete_card(self, access: str, ref: str, done_list: str | None) -> dict[str, Any]:
        self.calls.append(("complete", access, ref, done_list))
        return _card(dueComplete=True, dateLastActivity="2026-11-30T12:00:05.000Z")


def test_given_cards_that_omit_their_board_then_the_board_read_counts_for_the_chosen_boards() -> None:
    no_board = {k: v for k, v in _card().items() if k != "idBoard"}
    in_done = {**no_board, "id": "1" * 24, "idList": DONE}
    broken = [{**no_board, "id": "2" * 24, "dateLastActivity": None}, {**no_board, "id": "bad"}]
    ctx = Ctx(trello=TrelloApi([no_board, in_done, *broken]))

    fetched = trello.fetch(ctx, _connection(boards=[BOARD], doneList=DONE), "tok")  # type: ignore[arg-type]

    assert [(item.externalRef, item.status) for item in fetched.items] == [(CARD, "todo"), ("1" * 24, "done")]
    assert fetched.unreadable == 2 and ctx.trello.calls == [("cards", "tok", BOARD)]


def test_given_a_card_that_names_another_board_then_its_own_board_decides_whether_it_is_chosen() -> None:
    ctx = Ctx(trello=TrelloApi([_card(idBoard=DONE)]))

    fetched = trello.fetch(ctx, _connection(boards=[BOARD]), "tok")  # type: ignore[arg-type]

    assert fetched.items == [] and fetched.unreadable == 0


def test_given_no_board_chosen_then_the_boards_are_listed_with_the_access_token() -> None:
    ctx = Ctx(trello=TrelloApi([]))
    trello.fetch(ctx, _connection(), "tok")  # type: ignore[arg-type]
    assert ctx.trello.calls == [("boards", "tok"), ("cards", "tok", BOARD)]


def test_given_a_card_last_changed_at_the_completion_instant_then_the_write_back_closes_it() -> None:
    ctx = Ctx(trello=TrelloApi([], last_activity="2026-11-30T12:00:00.000Z"))

    outcome = trello.write_back(ctx, _connection(), "tok", CARD, NOW)  # type: ignore[arg-type]

    assert outcome == "closed"
    assert ctx.trello.calls == [("card", "tok", CARD), ("complete", "tok", CARD, None)]
    assert ctx.provider_state.calls == [("echo", "ada", "trello", CARD, datetime(2026, 11, 30, 12, 0, 5, tzinfo=UTC))]


def test_given_a_card_the_user_reads_then_it_is_read_with_the_access_token_and_the_done_list() -> None:
    ctx = Ctx(trello=TrelloApi([], last_activity="2026-11-30T11:00:00.000Z"))
    connection = _connection(boards=[BOARD], doneList=LIST)

    item = trello.read_card(ctx, connection, "tok", CARD)  # type: ignore[arg-type]

    assert item is not None and item.status == "done" and ctx.trello.calls == [("card", "tok", CARD)]
    assert trello.read_card(ctx, _connection(boards=[DONE]), "tok", CARD) is None  # type: ignore[arg-type]


# ---------------------------------------------------------------- Notion: mapping
def test_given_notion_ids_then_the_compact_form_drops_dashes_and_lower_cases() -> None:
    assert notion.compact("8E2C2B76-4F1B") == "8e2c2b764f1b"
    assert notion.compact(None) == "" and notion.compact("") == ""


def _page(**fields: Any) -> dict[str, Any]:
    return {"id": PAGE_ID, "last_edited_time": "2026-11-30T10:00:00.000Z",
            "parent": {"type": "database_id", "database_id": DATABASE},
            "properties": {"Name": {"type": "title", "title": [{"plain_text": "Plan"}, {"plain_text": None},
                                                              {"text": "x"}, "odd"]}}, **fields}


def test_given_a_page_with_title_parts_without_text_then_they_add_nothing() -> None:
    item = notion.page_item(_page(), IntegrationSources())
    assert item is not None and item.title == "Plan" and item.repository == DATABASE
    assert (item.description, item.dueAt, item.tags, item.pullRequest, item.url) == (None, None, [], False, None)


@pytest.mark.parametrize("fields", [{"id": ""}, {"id": 5}, {"last_edited_time": 1234}, {"last_edited_time": "x"},
                                    {"last_edited_time": ""}])
def test_given_a_page_without_an_id_or_a_readable_edit_time_then_no_item(fields: dict[str, Any]) -> None:
    assert notion.page_item(_page(**fields), IntegrationSources()) is None


def test_given_an_empty_date_property_before_a_set_one_then_the_set_one_is_the_due_date() -> None:
    properties = {"Empty": {"type": "date", "date": None}, "Other": {"type": "rich_text", "date": {"start": "x"}},
                  "When": {"type": "date", "date": {"start": "2026-12-24T09:30:00.000+01:00"}}}
    item = notion.page_item(_page(properties=properties), IntegrationSources())
    assert item is not None and item.dueAt == datetime(2026, 12, 24, 8, 30, tzinfo=UTC)
    assert item.title == PAGE_ID  # no title property: the id names it


def test_given_a_page_outside_a_database_then_its_repository_is_empty_and_a_text_url_is_kept() -> None:
    item = notion.page_item(_page(parent={"type": "workspace"}, url="https://notion.so/p"), IntegrationSources())
    assert item is not None and item.repository == "" and item.url == "https://notion.so/p"


@pytest.mark.parametrize(("prop", "expected"), [
    ({"type": "status", "status": None}, ("status", None)),
    ({"type": "select", "select": {"name": ""}}, ("select", None)),
    ({"type": "select", "select": {"name": "Done"}}, ("select", "Done")),
    ({"type": "rich_text", "rich_text": []}, (None, None)),
    ("Done", (None, None)),
])
def test_given_status_properties_then_their_kind_and_option_are_read(prop: Any, expected: tuple[Any, Any]) -> None:
    assert notion.status_of({"Status": prop}, IntegrationSources()) == expected


def test_given_a_status_without_an_option_then_the_page_is_todo() -> None:
    item = notion.page_item(_page(properties={"Status": {"type": "status", "status": None}}), IntegrationSources())
    assert item is not None and item.status == "todo"


# ---------------------------------------------------------------- Notion: webhook
def _notion_ctx(key: str | None = "k") -> Ctx:
    ctx = Ctx(repository=Accounts({("notion", "ws-1"): "ada"}))
    if key is not None:
        ctx.provider_state.key = ctx.vault.seal(Tokens(accessToken=key), notion.KEY_OWNER, "notion")
    return ctx


def _event(event_id: Any = "evt-1", page: Any = PAGE_ID, kind: str = "page.created", entity_type: str = "page",
           workspace: Any = "ws-1") -> bytes:
    return json.dumps({"id": event_id, "workspace_id": workspace, "type": kind,
                       "entity": {"id": page, "type": entity_type}}).encode()


def _notion_delivery(ctx: Ctx, body: bytes, key: str = "k") -> Any:
    return notion.delivery(ctx, body, given=notion.signature(key, body), now=NOW)  # type: ignore[arg-type]


@pytest.mark.parametrize(("page", "queued"), [("p", 1), ("p" * 100, 1), ("p" * 101, 0), ("", 0), (7, 0)])
def test_given_page_ids_of_every_length_then_only_1_to_100_characters_are_queued(page: Any, queued: int) -> None:
    ctx = _notion_ctx()

    receipt = _notion_delivery(ctx, _event(page=page))

    assert (receipt.outcome, receipt.items) == (("queued", 1) if queued else ("ignored", 0))
    assert ("claim", "notion", "evt-1", queued, NOW) in ctx.provider_state.calls


def test_given_a_signed_event_then_the_key_and_the_account_are_looked_up_for_notion() -> None:
    ctx = _notion_ctx()

    _notion_delivery(ctx, _event())

    assert ctx.repository.asked == [("notion", "ws-1")]
    assert ctx.provider_state.calls[0] == ("webhook_key", "notion")


def test_given_an_event_without_a_workspace_then_no_account_is_found() -> None:
    ctx = _notion_ctx()
    ctx.repository.accounts[("notion", "")] = "eve"

    receipt = _notion_delivery(ctx, _event(workspace=None))

    assert ctx.repository.asked == [("notion", "")] and (receipt.outcome, receipt.items) == ("queued", 1)


def test_given_an_event_about_a_database_then_nothing_is_queued() -> None:
    receipt = _notion_delivery(_notion_ctx(), _event(entity_type="database"))
    assert (receipt.outcome, receipt.items) == ("ignored", 0)


@pytest.mark.parametrize(("event_id", "outcome"), [("e", "queued"), ("e" * 100, "queued"), ("e" * 101, "ignored"),
                                                   ("", "ignored"), (12, "ignored"), (None, "ignored")])
def test_given_event_ids_then_only_text_of_1_to_100_characters_is_a_delivery(event_id: Any, outcome: str) -> None:
    ctx = _notion_ctx()

    receipt = _notion_delivery(ctx, _event(event_id=event_id))

    assert (receipt.outcome, receipt.items) == (outcome, 1 if outcome == "queued" else 0)
    assert any(call[0] == "claim" for call in ctx.provider_state.calls) == (outcome == "queued")


def test_given_a_replayed_event_then_it_is_a_duplicate_with_no_items() -> None:
    ctx = _notion_ctx()
    _notion_delivery(ctx, _event())
    receipt = _notion_delivery(ctx, _event())
    assert (receipt.outcome, receipt.items) == ("duplicate", 0)


def test_given_no_key_kept_then_a_signature_under_any_made_up_key_is_refused() -> None:
    ctx = _notion_ctx(key=None)
    for key in ("", "XXXX", "k"):
        with pytest.raises(Unauthorized):
            _notion_delivery(ctx, _event(), key=key)


@pytest.mark.parametrize(("token", "outcome"), [("t", "verification"), ("t" * 200, "verification")])
def test_given_verification_tokens_up_to_200_characters_then_they_are_kept(token: str, outcome: str) -> None:
    ctx = _notion_ctx(key=None)

    receipt = notion.delivery(ctx, json.dumps({"verification_token": token}).encode(), given=None, now=NOW)  # type: ignore[arg-type]

    assert (receipt.outcome, receipt.items) == (outcome, 0)
    assert ctx.provider_state.calls == [("keep", "notion")]
    assert ctx.provider_state.key is not None
    assert ctx.vault.open(ctx.provider_state.key, notion.KEY_OWNER, "notion").accessToken == token


@pytest.mark.parametrize("payload", [{"verification_token": "t" * 201}, {"verification_token": ""},
                                     {"verification_token": 5}, {"verification_token": "t", "id": "evt-1"}])
def test_given_no_acceptable_verification_request_then_no_key_is_kept_and_it_must_be_signed(
        payload: dict[str, Any]) -> None:
    ctx = _notion_ctx(key=None)

    with pytest.raises(Unauthorized):
        notion.delivery(ctx, json.dumps(payload).encode(), given=None, now=NOW)  # type: ignore[arg-type]

    assert ctx.provider_state.key is None and ("keep", "notion") not in ctx.provider_state.calls


def test_given_a_signed_event_that_also_carries_a_verification_token_then_the_key_is_not_replaced() -> None:
    ctx = _notion_ctx()
    kept = ctx.provider_state.key
    body = json.dumps({"verification_token": "evil"}).encode()

    with pytest.raises(Unauthorized):
        notion.delivery(ctx, body, given="sha256=00", now=NOW)  # type: ignore[arg-type]
    receipt = _notion_delivery(ctx, body)

    assert ctx.provider_state.key == kept and (receipt.outcome, receipt.items) == ("ignored", 0)


def test_given_a_second_verification_request_then_it_is_ignored_with_no_items() -> None:
    ctx = _notion_ctx()
    receipt = notion.delivery(ctx, b'{"verification_token": "again"}', given=None, now=NOW)  # type: ignore[arg-type]
    assert (receipt.outcome, receipt.items) == ("ignored", 0)


# ---------------------------------------------------------------- Notion: sync and write-back
class NotionApi:
    def __init__(self, pages: list[dict[str, Any]], edited: str = "2026-11-30T11:00:00.000Z") -> None:
        self.pages, self.edited = pages, edited
        self.calls: list[tuple[Any, ...]] = []

    def databases(self, access: str) -> list[str]:
        self.calls.append(("databases", access))
        return [DATABASE]

    def changed_pages(self, access: str, database: str, since: datetime | None) -> notion_api.PageBatch:
        self.calls.append(("changed", access, database, since))
        return notion_api.PageBatch(pages=self.pages, truncated=False)

    def page(self, access: str, ref: str) -> dict[str, Any]:
        self.calls.append(("page", access, ref))
        return _page(last_edited_time=self.edited,
                     properties={"Status": {"type": "select", "select": {"name": "Doing"}}})

    def set_status(self, access: str, ref: str, prop: str, kind: str, value: str) -> dict[str, Any]:
        self.calls.append(("set", access, ref, prop, kind, value))
        return _page(last_edited_time="2026-11-30T12:01:00.000Z")


def test_given_unreadable_pages_then_each_is_counted_and_the_access_token_is_used() -> None:
    ctx = Ctx(notion=NotionApi([_page(), _page(id=""), _page(last_edited_time=None)]))

    fetched = notion.fetch(ctx, _connection(), "tok")  # type: ignore[arg-type]

    assert [item.externalRef for item in fetched.items] == [PAGE_ID] and fetched.unreadable == 2
    assert ctx.notion.calls == [("databases", "tok"), ("changed", "tok", DATABASE, None)]


def test_given_a_page_edited_at_the_completion_instant_then_the_write_back_sets_the_named_done_option() -> None:
    ctx = Ctx(notion=NotionApi([], edited="2026-11-30T12:00:00.000Z"))
    connection = _connection(statusProperty="Status", doneStatus="Shipped")

    outcome = notion.write_back(ctx, connection, "tok", PAGE_ID, NOW)  # type: ignore[arg-type]

    assert outcome == "closed"
    assert ctx.notion.calls == [("page", "tok", PAGE_ID), ("set", "tok", PAGE_ID, "Status", "select", "Shipped")]
    assert ctx.provider_state.calls == [("echo", "ada", "notion", PAGE_ID, datetime(2026, 11, 30, 12, 1, tzinfo=UTC))]


def test_given_a_page_the_user_reads_then_it_is_read_with_the_access_token() -> None:
    ctx = Ctx(notion=NotionApi([]))
    item = notion.read_page(ctx, _connection(), "tok", PAGE_ID)  # type: ignore[arg-type]
    assert item is not None and item.externalRef == PAGE_ID and ctx.notion.calls == [("page", "tok", PAGE_ID)]
    assert notion.read_page(ctx, _connection(databases=["0" * 32]), "tok", PAGE_ID) is None  # type: ignore[arg-type]


@pytest.mark.parametrize(("kind", "queued"), [
    ("page.created", 1), ("page.properties_updated", 1), ("page.content_updated", 1), ("page.undeleted", 1),
    ("page.moved", 1), ("page.deleted", 0), ("page.locked", 0), ("comment.created", 0), ("database.created", 0)])
def test_given_each_kind_of_event_then_only_a_page_change_is_queued(kind: str, queued: int) -> None:
    ctx = _notion_ctx()

    receipt = _notion_delivery(ctx, _event(kind=kind))

    assert (receipt.outcome, receipt.items) == (("queued", 1) if queued else ("ignored", 0))

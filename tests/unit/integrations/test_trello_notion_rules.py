"""Trello's and Notion's rules without a network: the webhook verifiers (valid, tampered, wrong callback URL,
replayed), OAuth 1.0a signing, the mapping of a card and a page, the chosen sources, Notion's paged query,
and the write-back's last-writer rule."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest

from deepiri_common.problems import Unauthorized
from deepiri_integrations.dal import notion as notion_api
from deepiri_integrations.dal.http import Reply
from deepiri_integrations.dal.trello import oauth1_header
from deepiri_integrations.logic import notion, trello
from deepiri_integrations.models.connections import IntegrationSources, StoredConnection, Tokens

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)
CALLBACK = "https://api.example.com/prod/webhooks/trello"
BOARD, LIST, DONE, CARD = "a" * 24, "b" * 24, "c" * 24, "d" * 24
DATABASE = "8e2c2b76-4f1b-4c3a-9d55-0a2b3c4d5e6f"
PAGE_ID = "1f0e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"


# ---------------------------------------------------------------- in-memory collaborators
@dataclass
class FakeState:
    claimed: set[tuple[str, str]] = field(default_factory=set)
    queued: list[Any] = field(default_factory=list)
    key: str | None = None
    board_watchers: dict[str, list[str]] = field(default_factory=dict)
    echoes: list[tuple[str, str, datetime | None]] = field(default_factory=list)
    watched: list[tuple[str, str, str]] = field(default_factory=list)

    def watch(self, provider: str, container: str, user_id: str) -> None:
        self.watched.append((provider, container, user_id))

    def claim_delivery(self, provider: str, delivery_id: str, events: list[Any], now: datetime) -> bool:
        if (provider, delivery_id) in self.claimed:
            return False
        self.claimed.add((provider, delivery_id))
        self.queued += events
        return True

    def watchers(self, provider: str, container: str) -> list[str]:
        return self.board_watchers.get(container, [])

    def webhook_key(self, provider: str) -> str | None:
        return self.key

    def keep_webhook_key(self, provider: str, sealed: str) -> bool:
        if self.key is not None:
            return False
        self.key = sealed
        return True

    def record_echo(self, user_id: str, provider: str, ref: str, echoed_at: datetime | None) -> None:
        self.echoes.append((provider, ref, echoed_at))


class FakeVault:
    """Seals by base64 (the real vault is KMS); enough to prove the key is kept sealed, not in clear."""

    def seal(self, tokens: Tokens, user_id: str, provider: str) -> str:
        return base64.b64encode(f"{user_id}|{provider}|{tokens.accessToken}".encode()).decode()

    def open(self, sealed: str, user_id: str, provider: str) -> Tokens:
        owner, kind, token = base64.b64decode(sealed).decode().split("|", 2)
        assert (owner, kind) == (user_id, provider)
        return Tokens(accessToken=token)


@dataclass
class FakeAccounts:
    accounts: dict[str, str] = field(default_factory=dict)

    def account_user(self, provider: str, login: str) -> str | None:
        return self.accounts.get(login)


@dataclass
class Secrets:
    trelloApiSecret: str = "trello-app-secret"


@dataclass
class Ctx:
    provider_state: FakeState = field(default_factory=FakeState)
    vault: FakeVault = field(default_factory=FakeVault)
    repository: FakeAccounts = field(default_factory=FakeAccounts)
    secrets: Secrets = field(default_factory=Secrets)
    trello: Any = None
    notion: Any = None


def _trello_body(action_id: str = "e" * 24) -> bytes:
    return json.dumps({"model": {"id": BOARD}, "action": {"id": action_id, "type": "updateCard", "data": {
        "card": {"id": CARD, "name": "Ship it"}, "board": {"id": BOARD}}}}).encode()


def _notion_body(event_id: str = "evt-1", kind: str = "page.properties_updated") -> bytes:
    return json.dumps({"id": event_id, "timestamp": "2026-11-30T11:59:00.000Z", "workspace_id": "ws-1",
                       "type": kind, "entity": {"id": PAGE_ID, "type": "page"},
                       "data": {"parent": {"id": DATABASE, "type": "database"}}}).encode()


# ---------------------------------------------------------------- Trello's webhook
def test_given_trello_s_scheme_then_the_signature_is_base64_hmac_sha1_of_body_and_callback_url() -> None:
    body = _trello_body()
    digest = hmac.new(b"trello-app-secret", body + CALLBACK.encode(), hashlib.sha1).digest()
    expected = base64.b64encode(digest).decode()

    assert trello.signature("trello-app-secret", body, CALLBACK) == expected
    trello.verify("trello-app-secret", body, CALLBACK, expected)


@pytest.mark.parametrize("case", ["tampered body", "wrong callback URL", "wrong secret", "missing", "no secret"])
def test_given_a_trello_delivery_that_does_not_match_then_unauthorized(case: str) -> None:
    body = _trello_body()
    signed = trello.signature("trello-app-secret", body, CALLBACK)
    arguments = {
        "tampered body": ("trello-app-secret", body.replace(b"Ship it", b"Ship that"), CALLBACK, signed),
        "wrong callback URL": ("trello-app-secret", body, CALLBACK.replace("prod", "dev"), signed),
        "wrong secret": ("another-secret", body, CALLBACK, signed),
        "missing": ("trello-app-secret", body, CALLBACK, None),
        "no secret": ("", body, CALLBACK, trello.signature("", body, CALLBACK)),
    }[case]

    with pytest.raises(Unauthorized):
        trello.verify(*arguments)


def test_given_a_signed_trello_action_then_the_card_is_queued_for_each_watcher_and_a_replay_is_ignored() -> None:
    ctx = Ctx()
    ctx.provider_state.board_watchers[BOARD] = ["ada", "bob"]
    body = _trello_body()
    given = trello.signature("trello-app-secret", body, CALLBACK)

    first = trello.delivery(ctx, body, given=given, callback_url=CALLBACK, now=NOW)  # type: ignore[arg-type]
    replay = trello.delivery(ctx, body, given=given, callback_url=CALLBACK, now=NOW)  # type: ignore[arg-type]

    assert (first.outcome, first.items) == ("queued", 2)
    assert (replay.outcome, replay.items) == ("duplicate", 0)
    assert [(e.detail_type, e.detail.data["userId"], e.detail.data["ref"]) for e in ctx.provider_state.queued] == [
        ("IntegrationChangeNotified", "ada", CARD), ("IntegrationChangeNotified", "bob", CARD)]


def test_given_a_tampered_trello_delivery_then_nothing_is_claimed_or_queued() -> None:
    ctx = Ctx()
    ctx.provider_state.board_watchers[BOARD] = ["ada"]
    body = _trello_body()
    given = trello.signature("trello-app-secret", body, CALLBACK)

    with pytest.raises(Unauthorized):
        trello.delivery(ctx, body + b" ", given=given, callback_url=CALLBACK, now=NOW)  # type: ignore[arg-type]

    assert ctx.provider_state.claimed == set() and ctx.provider_state.queued == []


# ---------------------------------------------------------------- Notion's webhook
def test_given_notion_s_verification_request_then_its_token_is_kept_sealed_once() -> None:
    ctx = Ctx()

    first = notion.delivery(ctx, b'{"verification_token": "secret_abc"}', given=None, now=NOW)  # type: ignore[arg-type]
    second = notion.delivery(ctx, b'{"verification_token": "secret_evil"}', given=None, now=NOW)  # type: ignore[arg-type]

    assert (first.outcome, second.outcome) == ("verification", "ignored")
    assert ctx.provider_state.key is not None and "secret_abc" not in ctx.provider_state.key
    assert ctx.vault.open(ctx.provider_state.key, notion.KEY_OWNER, "notion").accessToken == "secret_abc"


def test_given_a_signed_notion_event_then_the_page_is_queued_and_a_replay_or_tampered_one_is_not() -> None:
    ctx = Ctx(repository=FakeAccounts({"ws-1": "ada"}))
    notion.delivery(ctx, b'{"verification_token": "secret_abc"}', given=None, now=NOW)  # type: ignore[arg-type]
    body = _notion_body()
    given = "sha256=" + hmac.new(b"secret_abc", body, hashlib.sha256).hexdigest()

    first = notion.delivery(ctx, body, given=given, now=NOW)  # type: ignore[arg-type]
    replay = notion.delivery(ctx, body, given=given, now=NOW)  # type: ignore[arg-type]
    with pytest.raises(Unauthorized):
        notion.delivery(ctx, body.replace(b"evt-1", b"evt-2"), given=given, now=NOW)  # type: ignore[arg-type]

    assert notion.signature("secret_abc", body) == given
    assert (first.outcome, first.items, replay.outcome) == ("queued", 1, "duplicate")
    assert [e.detail.data for e in ctx.provider_state.queued] == [
        {"userId": "ada", "provider": "notion", "ref": PAGE_ID}]


@pytest.mark.parametrize("given", [None, "", "sha256=00", "sha1=whatever"])
def test_given_a_notion_event_without_a_right_signature_then_unauthorized(given: str | None) -> None:
    ctx = Ctx(repository=FakeAccounts({"ws-1": "ada"}))
    notion.delivery(ctx, b'{"verification_token": "secret_abc"}', given=None, now=NOW)  # type: ignore[arg-type]

    with pytest.raises(Unauthorized):
        notion.delivery(ctx, _notion_body(), given=given, now=NOW)  # type: ignore[arg-type]


def test_given_no_verification_yet_then_even_a_self_consistent_signature_is_refused() -> None:
    body = _notion_body()
    with pytest.raises(Unauthorized):
        notion.delivery(Ctx(), body, given=notion.signature("", body), now=NOW)  # type: ignore[arg-type]


def test_given_a_notion_event_about_something_else_then_it_is_claimed_and_ignored() -> None:
    ctx = Ctx(repository=FakeAccounts({"ws-1": "ada"}))
    notion.delivery(ctx, b'{"verification_token": "k"}', given=None, now=NOW)  # type: ignore[arg-type]
    body = _notion_body(kind="comment.created")

    receipt = notion.delivery(ctx, body, given=notion.signature("k", body), now=NOW)  # type: ignore[arg-type]

    assert (receipt.outcome, receipt.items) == ("ignored", 0) and ("notion", "evt-1") in ctx.provider_state.claimed


# ---------------------------------------------------------------- OAuth 1.0a
def test_given_oauth_core_s_example_then_the_oauth1_signature_matches() -> None:
    # OAuth Core 1.0's appendix A example: GET http://photos.example.net/photos?file=vacation.jpg&size=original
    header = oauth1_header("GET", "http://photos.example.net/photos?file=vacation.jpg&size=original",
                           "dpf43f3p2l4k3l03", "kd94hf93k423kf44", "pfkkdhi9sl3r4s00",
                           extra={"oauth_token": "nnch734d00sl2jdk"}, nonce="kllo9940pd9333jh", timestamp=1191242096)
    assert 'oauth_signature="tR3%2BTy81lMeYAr%2FFid0kMTYa%2FWM%3D"' in header


# ---------------------------------------------------------------- mapping
def _card(**fields: Any) -> dict[str, Any]:
    return {"id": CARD, "name": "Ship\u200b the  release", "desc": "notes\x00", "due": "2026-12-24T17:00:00.000Z",
            "dueComplete": False, "idBoard": BOARD, "idList": LIST, "url": f"https://trello.com/c/{CARD[-8:]}",
            "labels": [{"name": "Urgent"}, {"name": "", "color": "green"}, {"name": "urgent"}],
            "dateLastActivity": "2026-11-30T10:00:00.000Z", **fields}


def test_given_a_card_then_it_maps_name_desc_due_labels_and_link() -> None:
    item = trello.card_item(_card())

    assert item is not None
    assert (item.externalRef, item.title, item.description, item.status) == (CARD, "Ship the release", "notes", "todo")
    assert item.dueAt == datetime(2026, 12, 24, 17, tzinfo=UTC) and item.tags == ["urgent", "green"]
    assert item.url == f"https://trello.com/c/{CARD[-8:]}" and item.updatedAt == datetime(2026, 11, 30, 10, tzinfo=UTC)


@pytest.mark.parametrize(("fields", "done_list", "status"), [
    ({"dueComplete": True}, None, "done"), ({"idList": DONE}, DONE, "done"), ({}, DONE, "todo")])
def test_given_a_ticked_card_or_one_in_the_done_list_then_it_is_done(fields: dict[str, Any], done_list: str | None,
                                                                      status: str) -> None:
    item = trello.card_item(_card(**fields), done_list)
    assert item is not None and item.status == status


@pytest.mark.parametrize("fields", [{"id": "not-an-id"}, {"dateLastActivity": None}, {"dateLastActivity": "soon"}])
def test_given_a_card_without_identity_or_version_then_no_item(fields: dict[str, Any]) -> None:
    assert trello.card_item(_card(**fields)) is None


def test_given_chosen_boards_and_lists_then_only_their_cards_are_in_the_sources() -> None:
    chosen = IntegrationSources(boards=[BOARD], lists=[LIST])

    assert trello.in_sources(_card(), chosen) and trello.in_sources(_card(), IntegrationSources())
    assert not trello.in_sources(_card(idBoard=DONE), chosen)
    assert not trello.in_sources(_card(idList=DONE), chosen)


def _page(status: str = "In progress", kind: str = "status", **fields: Any) -> dict[str, Any]:
    return {"object": "page", "id": PAGE_ID, "last_edited_time": "2026-11-30T10:00:00.000Z",
            "url": "https://www.notion.so/Plan-1f0e", "parent": {"type": "database_id", "database_id": DATABASE},
            "properties": {
                "Task": {"type": "title", "title": [{"plain_text": "Plan "}, {"plain_text": "the sprint"}]},
                "Status": {"type": kind, kind: {"name": status}},
                "When": {"type": "date", "date": {"start": "2026-12-24"}},
                "Labels": {"type": "multi_select", "multi_select": [{"name": "Team"}, {"name": "Q4"}]}},
            **fields}


def test_given_a_page_then_it_maps_title_status_date_tags_and_link() -> None:
    item = notion.page_item(_page(), IntegrationSources())

    assert item is not None
    assert (item.externalRef, item.title, item.status) == (PAGE_ID, "Plan the sprint", "todo")
    assert item.tags == ["team", "q4"]
    assert item.dueAt == datetime(2026, 12, 24, tzinfo=UTC) and item.url == "https://www.notion.so/Plan-1f0e"
    assert item.repository == DATABASE and item.updatedAt == datetime(2026, 11, 30, 10, tzinfo=UTC)


@pytest.mark.parametrize(("kind", "status", "sources", "expected"), [
    ("status", "Done", IntegrationSources(), "done"),
    ("select", "done", IntegrationSources(), "done"),
    ("status", "Shipped", IntegrationSources(doneStatus="Shipped"), "done"),
    ("status", "Done", IntegrationSources(statusProperty="Stage"), "todo"),
])
def test_given_the_status_the_user_named_then_the_page_is_done(kind: str, status: str, sources: IntegrationSources,
                                                               expected: str) -> None:
    item = notion.page_item(_page(status, kind), sources)
    assert item is not None and item.status == expected


def test_given_a_page_without_its_last_edit_or_outside_the_databases_then_no_item() -> None:
    assert notion.page_item(_page(last_edited_time=None), IntegrationSources()) is None
    assert not notion.in_sources(_page(), IntegrationSources(databases=["0" * 32]))
    assert notion.in_sources(_page(), IntegrationSources(databases=[DATABASE.replace("-", "")]))
    assert not notion.in_sources(_page(parent={"type": "page_id", "page_id": PAGE_ID}), IntegrationSources())


# ---------------------------------------------------------------- Notion's paged query
def test_given_more_pages_than_one_answer_then_the_query_follows_the_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    sent: list[dict[str, Any]] = []
    answers = [{"results": [{"id": "p1"}, {"id": "p2"}], "has_more": True, "next_cursor": "c2"},
               {"results": [{"id": "p3"}], "has_more": False, "next_cursor": None}]

    def call(method: str, url: str, **kwargs: Any) -> Reply:
        sent.append(kwargs["json_body"])
        return Reply(status=200, body=answers[len(sent) - 1])

    monkeypatch.setattr(notion_api, "call", call)
    batch = notion_api.Notion("https://api.notion.com", "id", "secret", 5).changed_pages("t", DATABASE, NOW)

    assert [p["id"] for p in batch.pages] == ["p1", "p2", "p3"] and not batch.truncated
    assert "start_cursor" not in sent[0] and sent[1]["start_cursor"] == "c2"
    assert sent[0]["filter"] == {"timestamp": "last_edited_time",
                                 "last_edited_time": {"on_or_after": "2026-11-30T12:00:00+00:00"}}


def test_given_endless_pages_then_one_run_stops_at_its_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[int] = []

    def call(method: str, url: str, **kwargs: Any) -> Reply:
        calls.append(1)
        return Reply(status=200, body={"results": [{"id": f"p{len(calls)}"}], "has_more": True, "next_cursor": "n"})

    monkeypatch.setattr(notion_api, "call", call)
    batch = notion_api.Notion("https://api.notion.com", "id", "secret", 5).changed_pages("t", DATABASE, None)

    assert len(calls) == notion_api.MAX_PAGES and batch.truncated and len(batch.pages) == notion_api.MAX_PAGES


# ---------------------------------------------------------------- write-back: last writer by provider timestamp
class TrelloAt:
    def __init__(self, last_activity: str) -> None:
        self.last_activity = last_activity
        self.completed: list[tuple[str, str | None]] = []

    def card(self, access: str, ref: str) -> dict[str, Any]:
        return _card(dateLastActivity=self.last_activity)

    def complete_card(self, access: str, ref: str, done_list: str | None) -> dict[str, Any]:
        self.completed.append((ref, done_list))
        return _card(dueComplete=True, dateLastActivity="2026-11-30T12:00:05.000Z")


def _connection(**sources: Any) -> StoredConnection:
    return StoredConnection(userId="ada", provider="trello", status="connected", account="ada", scopes=[],
                            connectedAt=NOW, sealedTokens="x", sources=IntegrationSources(**sources))


def test_given_a_card_unchanged_since_the_completion_then_it_is_ticked_moved_and_the_echo_recorded() -> None:
    ctx = Ctx(trello=TrelloAt("2026-11-30T11:00:00.000Z"))

    outcome = trello.write_back(ctx, _connection(doneList=DONE), "t", CARD, NOW)  # type: ignore[arg-type]

    assert outcome == "closed" and ctx.trello.completed == [(CARD, DONE)]
    assert ctx.provider_state.echoes == [("trello", CARD, datetime(2026, 11, 30, 12, 0, 5, tzinfo=UTC))]


def test_given_a_card_changed_at_trello_after_the_completion_then_trello_wins_and_nothing_is_written() -> None:
    ctx = Ctx(trello=TrelloAt("2026-11-30T12:30:00.000Z"))

    outcome = trello.write_back(ctx, _connection(), "t", CARD, NOW)  # type: ignore[arg-type]

    assert outcome == "superseded" and ctx.trello.completed == [] and ctx.provider_state.echoes == []


class NotionAt:
    def __init__(self, edited: str, kind: str = "status") -> None:
        self.edited, self.kind = edited, kind
        self.set: list[tuple[str, str, str, str]] = []

    def page(self, access: str, ref: str) -> dict[str, Any]:
        return _page(kind=self.kind, last_edited_time=self.edited)

    def set_status(self, access: str, ref: str, prop: str, kind: str, value: str) -> dict[str, Any]:
        self.set.append((ref, prop, kind, value))
        return _page("Done", kind, last_edited_time="2026-11-30T12:00:00.000Z")


@pytest.mark.parametrize("kind", ["status", "select"])
def test_given_a_page_unchanged_since_the_completion_then_its_status_is_set_done(kind: str) -> None:
    ctx = Ctx(notion=NotionAt("2026-11-30T11:59:00.000Z", kind))

    outcome = notion.write_back(ctx, _connection(), "t", PAGE_ID, NOW)  # type: ignore[arg-type]

    assert outcome == "closed" and ctx.notion.set == [(PAGE_ID, "Status", kind, "Done")]
    assert ctx.provider_state.echoes == [("notion", PAGE_ID, NOW)]


def test_given_a_page_edited_after_the_completion_then_notion_wins() -> None:
    ctx = Ctx(notion=NotionAt("2026-11-30T12:01:00.000Z"))

    assert notion.write_back(ctx, _connection(), "t", PAGE_ID, NOW) == "superseded"  # type: ignore[arg-type]
    assert ctx.notion.set == []


def test_given_a_page_without_the_named_status_property_then_the_write_back_is_skipped() -> None:
    ctx = Ctx(notion=NotionAt("2026-11-30T11:00:00.000Z"))

    assert notion.write_back(ctx, _connection(statusProperty="Stage"), "t", PAGE_ID, NOW) == "skipped"  # type: ignore[arg-type]
    assert ctx.notion.set == []


# ---------------------------------------------------------------- what a sync run offers for import
class TrelloBoards:
    def __init__(self, cards: dict[str, list[dict[str, Any]]]) -> None:
        self.by_board = cards
        self.asked_boards = 0

    def boards(self, access: str) -> list[str]:
        self.asked_boards += 1
        return list(self.by_board)

    def cards(self, access: str, board: str) -> list[dict[str, Any]]:
        return self.by_board[board]


def test_given_a_cursor_then_trello_offers_the_chosen_cards_changed_since_it_oldest_first() -> None:
    other_board = "e" * 24
    older = _card(id="1" * 24, dateLastActivity="2026-11-29T09:00:00.000Z")
    newer = _card(id="2" * 24, dateLastActivity="2026-11-30T11:00:00.000Z")
    at_cursor = _card(id="3" * 24, dateLastActivity="2026-11-30T10:00:00.000Z")
    elsewhere = _card(id="4" * 24, idList=DONE, dateLastActivity="2026-11-30T11:30:00.000Z")
    broken = _card(id="5" * 24, dateLastActivity="not a time")
    ctx = Ctx(trello=TrelloBoards({BOARD: [newer, older, at_cursor, elsewhere, broken], other_board: []}))
    connection = _connection(boards=[BOARD], lists=[LIST]).model_copy(
        update={"since": datetime(2026, 11, 30, 10, tzinfo=UTC)})

    fetched = trello.fetch(ctx, connection, "t")  # type: ignore[arg-type]

    assert [item.externalRef for item in fetched.items] == ["3" * 24, "2" * 24]
    assert fetched.unreadable == 1 and ctx.trello.asked_boards == 0
    assert ctx.provider_state.watched == [("trello", BOARD, "ada")]


def test_given_no_board_chosen_then_trello_reads_every_open_board_and_watches_each() -> None:
    other_board = "e" * 24
    ctx = Ctx(trello=TrelloBoards({BOARD: [_card()], other_board: [_card(id="6" * 24, idBoard=other_board)]}))

    fetched = trello.fetch(ctx, _connection(), "t")  # type: ignore[arg-type]

    assert {item.externalRef for item in fetched.items} == {CARD, "6" * 24} and ctx.trello.asked_boards == 1
    assert [w[1] for w in ctx.provider_state.watched] == [BOARD, other_board]


class NotionDatabases:
    def __init__(self, pages: dict[str, list[dict[str, Any]]]) -> None:
        self.by_database = pages
        self.asked: list[tuple[str, datetime | None]] = []

    def databases(self, access: str) -> list[str]:
        return list(self.by_database)

    def changed_pages(self, access: str, database: str, since: datetime | None) -> notion_api.PageBatch:
        self.asked.append((database, since))
        return notion_api.PageBatch(pages=self.by_database[database], truncated=False)


def test_given_no_database_chosen_then_notion_reads_every_shared_one_from_the_cursor_oldest_first() -> None:
    other = "0" * 32
    later = _page(id="a" * 32, last_edited_time="2026-11-30T11:00:00.000Z")
    earlier = _page(id="b" * 32, last_edited_time="2026-11-30T09:00:00.000Z")
    ctx = Ctx(notion=NotionDatabases({DATABASE: [later, _page(last_edited_time=None)], other: [earlier]}))
    connection = _connection().model_copy(update={"since": NOW})

    fetched = notion.fetch(ctx, connection, "t")  # type: ignore[arg-type]

    assert [item.externalRef for item in fetched.items] == ["b" * 32, "a" * 32] and fetched.unreadable == 1
    assert ctx.notion.asked == [(DATABASE, NOW), (other, NOW)]

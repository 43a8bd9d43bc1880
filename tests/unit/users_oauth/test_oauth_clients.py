"""Client registration and authentication: what an app developer and an OAuth library see."""

from __future__ import annotations

import base64
from datetime import UTC, datetime

import pytest

from deepiri_common.clock import to_iso
from deepiri_common.pagination import Page
from deepiri_common.problems import NotFound, ValidationFailed
from deepiri_users.logic import oauth_clients
from deepiri_users.logic.oauth_clients import ClientCredentials
from deepiri_users.logic.oauth_errors import InvalidClient, InvalidRequest
from deepiri_users.models.oauth import OAuthClient, OAuthClientRegistration
from tests.unit.users_oauth.fakes import FakeOAuthStore

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
APP_URI = "https://app.example.com/callback"


def _register(store: FakeOAuthStore, client_type: str = "confidential", owner: str = "owner",
              uris: list[str] | None = None, scopes: list[str] | None = None):
    return oauth_clients.register_client(store, owner, OAuthClientRegistration(
        name="Planner", clientType=client_type, redirectUris=[APP_URI] if uris is None else uris,
        scopes=scopes or ["tasks:read", "profile:read"]), NOW)


def _basic(raw: bytes) -> str:
    return "Basic " + base64.b64encode(raw).decode()


# ---------------------------------------------------------------- redirect URIs

@pytest.mark.parametrize(("uri", "problem"), [
    ("https://app.example.com/cb#frag", "must not contain a fragment"),
    ("https://user@app.example.com/cb", "must not contain credentials"),
    ("https://:pw@app.example.com/cb", "must not contain credentials"),
    ("https:///cb", "must name a host"),
    ("http://app.example.com/cb", "must use https (or http on 127.0.0.1 / localhost for native apps)"),
    ("http://[::1/cb", "is not a URL"),
    ("https://app.example.com/" + "a" * 2025, "is too long"),
])
def test_given_an_unsafe_redirect_uri_then_the_reason_is_named(uri: str, problem: str) -> None:
    assert oauth_clients.redirect_uri_problem(uri) == problem


def test_given_a_redirect_uri_of_2048_characters_then_accepted() -> None:
    uri = "https://app.example.com/" + "a" * 2024
    assert len(uri) == oauth_clients.MAX_REDIRECT_URI_LENGTH == 2048
    assert oauth_clients.redirect_uri_problem(uri) is None


def test_given_the_loopback_hosts_then_exactly_the_three_native_app_hosts() -> None:
    assert frozenset({"127.0.0.1", "localhost", "::1"}) == oauth_clients.LOOPBACK_HOSTS


# ---------------------------------------------------------------- registration

def test_given_a_confidential_client_when_registered_then_its_secret_is_shown_once_and_stored_hashed() -> None:
    store = FakeOAuthStore()
    created = _register(store, uris=[APP_URI, "http://localhost/cb", APP_URI])
    stored = store.clients[created.clientId]
    assert created.clientSecret is not None and len(created.clientSecret) >= 43  # 256 random bits
    assert stored.secretHash == oauth_clients.hash_secret(created.clientSecret) != created.clientSecret
    assert oauth_clients.secret_matches(created.clientSecret, stored.secretHash)
    assert stored.redirectUris == (APP_URI, "http://localhost/cb")  # duplicates dropped, order kept
    assert (stored.ownerId, stored.name, stored.createdAt) == ("owner", "Planner", to_iso(NOW))
    assert created.scopes == ["profile:read", "tasks:read"]


def test_given_two_registrations_then_their_secrets_differ() -> None:
    store = FakeOAuthStore()
    assert _register(store).clientSecret != _register(store).clientSecret


def test_given_a_public_client_when_registered_then_it_has_no_secret() -> None:
    store = FakeOAuthStore()
    created = _register(store, "public")
    assert created.clientSecret is None and store.clients[created.clientId].secretHash is None


def test_given_a_confidential_client_without_redirect_uri_then_accepted_but_a_public_one_refused() -> None:
    store = FakeOAuthStore()
    assert _register(store, "confidential", uris=[]).redirectUris == []
    with pytest.raises(ValidationFailed) as refused:
        _register(store, "public", uris=[])
    assert refused.value.errors == [{"field": "body.redirectUris", "message": "a public client needs a redirect URI"}]


def test_given_bad_uris_and_unknown_scopes_when_registering_then_every_problem_is_listed() -> None:
    store = FakeOAuthStore()
    with pytest.raises(ValidationFailed) as refused:
        _register(store, uris=[APP_URI, "http://evil.example/cb"], scopes=["tasks:read", "zeta", "alpha"])
    assert refused.value.errors == [
        {"field": "body.redirectUris.1",
         "message": "redirect URI must use https (or http on 127.0.0.1 / localhost for native apps)"},
        {"field": "body.scopes", "message": "unknown scope(s): alpha zeta"},
    ]
    assert store.clients == {}


def test_given_my_client_when_read_or_deleted_then_it_is_found_and_then_gone() -> None:
    store = FakeOAuthStore()
    created = _register(store)
    assert oauth_clients.owned_client(store, "owner", created.clientId).clientId == created.clientId
    with pytest.raises(NotFound, match=r"^no such client$"):
        oauth_clients.owned_client(store, "owner", "unknown")
    with pytest.raises(NotFound, match=r"^no such client$"):
        oauth_clients.delete_client(store, "intruder", created.clientId)
    oauth_clients.delete_client(store, "owner", created.clientId)
    assert store.clients == {}


class PagedClients(FakeOAuthStore):
    """Answers every listing with a next page, and remembers what it was asked."""

    def __init__(self) -> None:
        super().__init__()
        self.asked: list[tuple[str, int, str | None]] = []

    def clients_of(self, owner_id: str, limit: int, cursor: str | None) -> Page[OAuthClient]:
        self.asked.append((owner_id, limit, cursor))
        return Page[OAuthClient](items=super().clients_of(owner_id, limit, cursor).items, next_cursor="next-page")


def test_given_my_clients_when_listed_then_a_page_of_views_without_secrets_and_the_next_cursor() -> None:
    store = PagedClients()
    mine = _register(store)
    _register(store, owner="someone-else")
    page = oauth_clients.list_clients(store, "owner", 5, "this-page")
    assert store.asked == [("owner", 5, "this-page")]
    assert page.next_cursor == "next-page"
    assert [view.model_dump() for view in page.items] == [{
        "clientId": mine.clientId, "name": "Planner", "clientType": "confidential", "redirectUris": [APP_URI],
        "scopes": ["profile:read", "tasks:read"], "createdAt": to_iso(NOW)}]


# ---------------------------------------------------------------- reading client credentials

def test_given_basic_credentials_then_id_and_secret_are_form_decoded_and_the_secret_may_hold_colons() -> None:
    credentials = oauth_clients.credentials_from_request(_basic(b"my%20app:se:cr+et"), {})
    assert credentials == ClientCredentials(client_id="my app", client_secret="se:cr et", basic=True)
    lower = oauth_clients.credentials_from_request("  basic   " + _basic(b"a:b")[6:] + " ", {"client_id": "a"})
    assert lower == ClientCredentials(client_id="a", client_secret="b", basic=True)


def test_given_body_credentials_then_they_are_read_as_not_basic() -> None:
    credentials = oauth_clients.credentials_from_request(None, {"client_id": "app", "client_secret": "s"})
    assert credentials == ClientCredentials(client_id="app", client_secret="s", basic=False)
    assert oauth_clients.credentials_from_request("Bearer x", {"client_id": "app"}).client_secret is None


@pytest.mark.parametrize(("authorization", "form", "description"), [
    (_basic(b"a:b"), {"client_secret": "b"}, "use one client authentication method, not two"),
    (_basic(b"a:b"), {"client_id": "other"}, "client_id does not match the authenticated client"),
])
def test_given_conflicting_credentials_then_invalid_request_says_why(
    authorization: str, form: dict[str, str], description: str,
) -> None:
    with pytest.raises(InvalidRequest) as refused:
        oauth_clients.credentials_from_request(authorization, form)
    assert refused.value.description == description


@pytest.mark.parametrize("authorization", [
    "Basic !!!", _basic(b"a:b") + "*", _basic(b"\xff:\xfe"), _basic(b"no-separator"), _basic(b":secret"),
])
def test_given_malformed_basic_credentials_then_invalid_client_asking_for_basic(authorization: str) -> None:
    with pytest.raises(InvalidClient) as refused:
        oauth_clients.credentials_from_request(authorization, {})
    assert (refused.value.description, refused.value.basic) == ("malformed Basic credentials", True)


def test_given_no_credentials_at_all_then_invalid_client_without_basic() -> None:
    with pytest.raises(InvalidClient) as refused:
        oauth_clients.credentials_from_request(None, {"client_id": ""})
    assert (refused.value.description, refused.value.basic) == ("client authentication is required", False)


# ---------------------------------------------------------------- authenticating the client

@pytest.mark.parametrize("basic", [True, False])
def test_given_each_failure_when_authenticating_then_its_description_and_the_basic_flag_of_the_request(
    basic: bool,
) -> None:
    store = FakeOAuthStore()
    confidential, public = _register(store), _register(store, "public")
    no_hash = store.clients[confidential.clientId].model_copy(update={"clientId": "no-hash", "secretHash": None})
    store.put_client(no_hash)
    cases = [
        (ClientCredentials("unknown", "s", basic), "unknown client or bad credentials"),
        (ClientCredentials(public.clientId, "s", basic), "a public client has no secret"),
        (ClientCredentials(confidential.clientId, None, basic), "client authentication is required"),
        (ClientCredentials("no-hash", "s", basic), "client authentication is required"),
        (ClientCredentials(confidential.clientId, "wrong", basic), "unknown client or bad credentials"),
    ]
    for credentials, description in cases:
        with pytest.raises(InvalidClient) as refused:
            oauth_clients.authenticate_client(store, credentials)
        assert (refused.value.description, refused.value.basic) == (description, basic), credentials


def test_given_a_public_client_id_alone_when_authenticating_then_the_client_is_known() -> None:
    store = FakeOAuthStore()
    public = _register(store, "public")
    assert oauth_clients.authenticate_client(store, ClientCredentials(public.clientId, None, False)).clientId == (
        public.clientId)
    assert oauth_clients.authenticate_client(store, ClientCredentials(public.clientId, "", True)).clientId == (
        public.clientId)

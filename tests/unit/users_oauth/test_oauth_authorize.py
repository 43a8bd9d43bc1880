"""The authorization endpoint and the user's consents: what the first-party app shows and where the browser goes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from deepiri_common.clock import to_iso
from deepiri_common.pagination import Page
from deepiri_common.problems import BadRequest, NotFound
from deepiri_users.logic import oauth_authorize, oauth_clients
from deepiri_users.logic.oauth_clients import hash_secret
from deepiri_users.models.oauth import (
    OAuthAuthorizeDecision,
    OAuthAuthorizeRequest,
    OAuthClientRegistration,
    OAuthConsent,
    TokenFamily,
)
from tests.unit.users_oauth.fakes import FakeOAuthStore

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
APP_URI = "https://app.example.com/callback"
# RFC 7636 Appendix B.
RFC_CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


@pytest.fixture
def store() -> FakeOAuthStore:
    return FakeOAuthStore()


def _client(store: FakeOAuthStore, client_type: str = "public") -> str:
    return oauth_clients.register_client(store, "owner", OAuthClientRegistration(
        name="Planner", clientType=client_type, redirectUris=[APP_URI],
        scopes=["tasks:read", "profile:read", "offline_access"]), NOW).clientId


def _request(client_id: str, **changes: object) -> OAuthAuthorizeRequest:
    fields: dict[str, object] = {"response_type": "code", "client_id": client_id, "redirect_uri": APP_URI,
                                 "scope": "tasks:read", "state": "s1", "code_challenge": RFC_CHALLENGE,
                                 "code_challenge_method": "S256", **changes}
    return OAuthAuthorizeRequest.model_validate(fields)


def _decision(client_id: str, approve: bool = True, **changes: object) -> OAuthAuthorizeDecision:
    return OAuthAuthorizeDecision.model_validate(_request(client_id, **changes).model_dump() | {"approve": approve})


# ---------------------------------------------------------------- checking the request

@pytest.mark.parametrize(("changes", "detail", "error"), [
    ({"client_id": "nobody"}, "unknown client", "invalid_client"),
    ({"redirect_uri": APP_URI + "/"}, "redirect_uri is not registered for this client", "invalid_request"),
    ({"response_type": "token"}, "response_type must be code", "unsupported_response_type"),
    ({"scope": "tasks:write"}, "scope(s) not allowed for the client: tasks:write", "invalid_scope"),
    ({"scope": "nonsense"}, "unknown scope(s): nonsense", "invalid_scope"),
    ({"scope": "  "}, "scope is required", "invalid_scope"),
    ({"code_challenge": None}, "code_challenge_method without code_challenge", "invalid_request"),
    ({"code_challenge": None, "code_challenge_method": None},
     "public clients must use PKCE (code_challenge with S256)", "invalid_request"),
    ({"code_challenge_method": "plain"}, "code_challenge_method must be S256", "invalid_request"),
    ({"code_challenge_method": None}, "code_challenge_method must be S256", "invalid_request"),
    ({"code_challenge": "too-short"}, "code_challenge is not an S256 challenge", "invalid_request"),
])
def test_given_a_bad_authorization_request_then_400_with_the_reason_and_the_oauth_error(
    store: FakeOAuthStore, changes: dict[str, object], detail: str, error: str,
) -> None:
    fields = {"client_id": _client(store), **changes}
    with pytest.raises(BadRequest) as refused:
        oauth_authorize.check_request(store, _request(**fields))  # type: ignore[arg-type]
    assert (refused.value.detail, refused.value.extensions) == (detail, {"error": error})


def test_given_a_confidential_client_without_pkce_then_the_request_is_accepted(store: FakeOAuthStore) -> None:
    client_id = _client(store, "confidential")
    client, scopes = oauth_authorize.check_request(
        store, _request(client_id, code_challenge=None, code_challenge_method=None, scope="tasks:read profile:read"))
    assert client.clientId == client_id and scopes == frozenset({"tasks:read", "profile:read"})


# ---------------------------------------------------------------- the consent screen

def test_given_a_first_request_when_the_screen_is_shown_then_who_asks_for_what_and_no_consent_yet(
    store: FakeOAuthStore,
) -> None:
    client_id = _client(store)
    screen = oauth_authorize.consent_screen(store, "alice", _request(client_id, scope="tasks:read profile:read"))
    assert screen.model_dump() == {
        "clientId": client_id, "clientName": "Planner", "redirectUri": APP_URI, "alreadyConsented": False,
        "scopes": [{"name": "profile:read", "description": "Read your profile"},
                   {"name": "tasks:read", "description": "Read your tasks and projects"}]}


def test_given_a_consent_when_asked_again_then_already_consented_only_for_scopes_within_it(
    store: FakeOAuthStore,
) -> None:
    client_id = _client(store)
    oauth_authorize.decide(store, "alice", _decision(client_id, scope="tasks:read profile:read"), NOW)
    assert oauth_authorize.consent_screen(store, "alice", _request(client_id, scope="tasks:read")).alreadyConsented
    assert oauth_authorize.consent_screen(
        store, "alice", _request(client_id, scope="profile:read tasks:read")).alreadyConsented
    assert not oauth_authorize.consent_screen(
        store, "alice", _request(client_id, scope="tasks:read offline_access")).alreadyConsented
    assert not oauth_authorize.consent_screen(store, "bob", _request(client_id)).alreadyConsented


# ---------------------------------------------------------------- deciding

def test_given_an_approval_then_a_code_for_the_client_and_a_consent_are_stored(store: FakeOAuthStore) -> None:
    client_id = _client(store)
    answer = oauth_authorize.decide(store, "alice", _decision(client_id, scope="profile:read tasks:read"), NOW)
    parts = urlsplit(answer.redirectTo)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == APP_URI
    query = parse_qs(parts.query)
    assert query["state"] == ["s1"] and set(query) == {"code", "state"}
    [code] = store.codes.values()
    assert code.codeHash == hash_secret(query["code"][0])
    assert (code.clientId, code.userId, code.redirectUri, code.codeChallenge) == (
        client_id, "alice", APP_URI, RFC_CHALLENGE)
    assert code.scopes == frozenset({"profile:read", "tasks:read"})
    assert store.consents[("alice", client_id)] == OAuthConsent(
        clientId=client_id, clientName="Planner", scopes=["profile:read", "tasks:read"],
        grantedAt=to_iso(NOW), updatedAt=to_iso(NOW))


def test_given_a_later_approval_then_the_consent_grows_and_keeps_its_first_grant_time(
    store: FakeOAuthStore,
) -> None:
    client_id = _client(store)
    oauth_authorize.decide(store, "alice", _decision(client_id, scope="tasks:read"), NOW)
    later = NOW + timedelta(days=1)
    oauth_authorize.decide(store, "alice", _decision(client_id, scope="profile:read"), later)
    consent = store.consents[("alice", client_id)]
    assert consent.scopes == ["profile:read", "tasks:read"]
    assert (consent.grantedAt, consent.updatedAt) == (to_iso(NOW), to_iso(later))
    assert len(store.codes) == 2


def test_given_a_refusal_without_state_then_the_redirect_carries_only_access_denied(store: FakeOAuthStore) -> None:
    answer = oauth_authorize.decide(store, "alice", _decision(_client(store), state=None, approve=False), NOW)
    assert answer.redirectTo == f"{APP_URI}?error=access_denied"


@pytest.mark.parametrize(("uri", "params", "expected"), [
    ("https://a.example/cb?keep=1&empty=", {"code": "c", "state": None},
     "https://a.example/cb?keep=1&empty=&code=c"),
    ("https://a.example/cb", {"state": "a b&c"}, "https://a.example/cb?state=a+b%26c"),
])
def test_given_a_redirect_uri_with_its_own_query_then_parameters_are_appended_and_encoded(
    uri: str, params: dict[str, str | None], expected: str,
) -> None:
    assert oauth_authorize.with_query(uri, **params) == expected


# ---------------------------------------------------------------- consents

class PagedConsents(FakeOAuthStore):
    def __init__(self) -> None:
        super().__init__()
        self.asked: list[tuple[str, int, str | None]] = []

    def consents_of(self, user_id: str, limit: int, cursor: str | None) -> Page[OAuthConsent]:
        self.asked.append((user_id, limit, cursor))
        return super().consents_of(user_id, limit, cursor)


def test_given_my_consents_when_listed_then_my_page_is_returned() -> None:
    store = PagedConsents()
    client_id = _client(store)
    oauth_authorize.decide(store, "alice", _decision(client_id), NOW)
    oauth_authorize.decide(store, "bob", _decision(client_id), NOW)
    page = oauth_authorize.list_consents(store, "alice", 10, "cursor-1")
    assert store.asked == [("alice", 10, "cursor-1")]
    assert [c.clientId for c in page.items] == [client_id] and len(page.items) == 1


def test_given_a_consent_with_grants_when_revoked_then_every_family_is_revoked_now(store: FakeOAuthStore) -> None:
    client_id = _client(store)
    oauth_authorize.decide(store, "alice", _decision(client_id), NOW)
    for family_id, user in (("F1", "alice"), ("F2", "alice"), ("F3", "bob")):
        store.families[family_id] = TokenFamily(familyId=family_id, clientId=client_id, userId=user)
    later = NOW + timedelta(hours=1)
    oauth_authorize.revoke_consent(store, "alice", client_id, later)
    assert store.consents == {}
    assert {f: store.families[f].revokedAt for f in ("F1", "F2", "F3")} == {
        "F1": to_iso(later), "F2": to_iso(later), "F3": None}


def test_given_grants_but_no_consent_record_when_revoked_then_the_grants_still_end(store: FakeOAuthStore) -> None:
    store.families["F1"] = TokenFamily(familyId="F1", clientId="app", userId="alice")
    oauth_authorize.revoke_consent(store, "alice", "app", NOW)
    assert store.families["F1"].is_revoked


def test_given_a_consent_without_grants_when_revoked_then_it_is_forgotten(store: FakeOAuthStore) -> None:
    store.put_consent("alice", OAuthConsent(clientId="app", clientName="App", scopes=["tasks:read"],
                                            grantedAt=to_iso(NOW), updatedAt=to_iso(NOW)))
    oauth_authorize.revoke_consent(store, "alice", "app", NOW)
    assert store.consents == {}


def test_given_neither_consent_nor_grant_when_revoked_then_404(store: FakeOAuthStore) -> None:
    with pytest.raises(NotFound, match=r"^no consent for this client$"):
        oauth_authorize.revoke_consent(store, "alice", "app", NOW)

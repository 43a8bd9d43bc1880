"""Connecting a provider and living with the connection, with in-memory fakes: the signed single-use
state, PKCE, what each provider is asked on connect, refresh and revoke, and what is stored."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
from datetime import timedelta

import pytest
from logic_fakes import NOW, Provider, Repository, Vault, connection, context

from deepiri_common.problems import BadRequest, NotFound, ServiceUnavailable
from deepiri_integrations.dal.http import RateLimited, Refused, Unavailable
from deepiri_integrations.logic import connections
from deepiri_integrations.models.connections import IntegrationSources, PendingAuthorization, Tokens


# ---------------------------------------------------------------- state and PKCE
def test_given_a_state_then_it_is_the_nonce_and_its_hmac_for_that_provider() -> None:
    state = connections.sign_state("key", "github", "n0nce")
    nonce, _, mac = state.partition(".")
    expected = base64.urlsafe_b64encode(
        hmac.new(b"key", b"github.n0nce", hashlib.sha256).digest()).decode().rstrip("=")
    assert (nonce, mac) == ("n0nce", expected) and "=" not in state
    assert connections.state_nonce("key", "github", state) == "n0nce"


def test_given_a_state_signed_otherwise_then_it_has_no_nonce() -> None:
    state = connections.sign_state("key", "github", "n0nce")
    assert connections.state_nonce("key", "notion", state) is None
    assert connections.state_nonce("other", "github", state) is None
    assert connections.state_nonce("key", "github", "n0nce.forged") is None
    assert connections.state_nonce("key", "github", "n0nce") is None
    dotted = connections.sign_state("key", "github", "a.b")  # the nonce is what comes before the first dot
    assert connections.state_nonce("key", "github", dotted) is None


def test_given_a_verifier_then_the_challenge_is_its_unpadded_s256() -> None:
    # SHA-256("abc") = ba7816bf...f20015ad (FIPS 180-2), base64url without its "=" and with "-" and "_"
    assert connections.pkce_challenge("abc") == "ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0"


# ---------------------------------------------------------------- start
def test_given_github_then_the_authorize_url_carries_the_signed_state_and_the_pkce_challenge() -> None:
    repository, github = Repository(), Provider(authorize_url="https://github.test/authorize")
    answer = connections.start(context(repository, github=github), "ada", "github", "https://app/cb", NOW)

    (pending,) = repository.states.values()
    _, redirect, state, challenge = github.calls[0]
    assert answer.authorizeUrl == "https://github.test/authorize"
    assert answer.expiresAt == pending.expiresAt == NOW + timedelta(minutes=10)
    assert (pending.userId, pending.provider, pending.redirectUri, redirect) == ("ada", "github", "https://app/cb",
                                                                                  "https://app/cb")
    assert connections.state_nonce("state-key", "github", state) == pending.nonce
    assert challenge == connections.pkce_challenge(pending.verifier)
    assert (len(pending.nonce), len(pending.verifier)) == (32, 64)  # 24 and 48 random bytes (RFC 7636: 43 to 128)


def test_given_google_then_it_is_asked_with_pkce_and_the_verifier_kept() -> None:
    repository, google = Repository(), Provider(authorize_url="https://accounts.test/o")
    connections.start(context(repository, google=google), "ada", "google", "https://app/cb", NOW)
    (pending,) = repository.states.values()
    state = connections.sign_state("state-key", "google", pending.nonce)
    assert google.calls == [("authorize_url", "https://app/cb", state, connections.pkce_challenge(pending.verifier))]


def test_given_notion_then_no_pkce_and_trello_keeps_its_request_token() -> None:
    repository, notion = Repository(), Provider(authorize_url="https://notion.test/o")
    connections.start(context(repository, notion=notion), "ada", "notion", "https://app/cb", NOW)
    pending = next(iter(repository.states.values()))
    assert notion.calls == [("authorize_url", "https://app/cb", connections.sign_state("state-key", "notion",
                                                                                         pending.nonce))]
    assert pending.verifier == ""

    repository, trello = Repository(), Provider(begin=("https://trello.test/o", "request-token"))
    answer = connections.start(context(repository, trello=trello), "ada", "trello", "https://app/cb", NOW)
    assert answer.authorizeUrl == "https://trello.test/o"
    pending = next(iter(repository.states.values()))
    assert pending.verifier == "request-token"
    assert trello.calls == [("begin", "https://app/cb", connections.sign_state("state-key", "trello", pending.nonce))]


def test_given_a_provider_not_configured_or_down_then_starting_is_503() -> None:
    with pytest.raises(ServiceUnavailable, match=r"^Notion is not configured"):
        connections.start(context(Repository(), notion=Provider(configured=False)), "ada", "notion", "u", NOW)
    with pytest.raises(ServiceUnavailable, match=r"^Google Calendar is not configured"):
        connections.start(context(Repository()), "ada", "google", "u", NOW)
    with pytest.raises(ServiceUnavailable, match=r"^Trello is not configured on this deployment \(no client id\)$"):
        connections.start(context(Repository(), trello=Provider(configured=False)), "ada", "trello", "u", NOW)
    with pytest.raises(ServiceUnavailable, match=r"^Trello could not be reached"):
        connections.start(context(Repository(), trello=Provider(begin=Unavailable("x"))), "ada", "trello", "u", NOW)


def test_given_no_github_client_id_then_github_is_not_configured() -> None:
    ctx = context(Repository())
    object.__setattr__(ctx.secrets, "githubClientId", "")
    try:
        with pytest.raises(ServiceUnavailable):
            connections.start(ctx, "ada", "github", "u", NOW)
    finally:
        object.__delattr__(ctx.secrets, "githubClientId")


# ---------------------------------------------------------------- complete
def _pending(repository: Repository, provider: str = "github", expires: timedelta = timedelta(minutes=5)) -> str:
    repository.save_state(PendingAuthorization(nonce="n1", userId="ada", provider=provider,  # type: ignore[arg-type]
                                               verifier="verifier", redirectUri="https://app/cb",
                                               expiresAt=NOW + expires))
    return connections.sign_state("state-key", provider, "n1")


def test_given_the_callback_then_the_code_is_exchanged_and_the_connection_stored_sealed() -> None:
    repository, vault = Repository(), Vault()
    tokens = Tokens(accessToken="a1", refreshToken="r1", expiresIn=3600, scopes=["repo"])
    github = Provider(exchange=tokens, login="ada-gh")
    state = _pending(repository)

    public = connections.complete(context(repository, github=github, vault=vault), "github", "code1", state, NOW)

    assert github.calls == [("exchange", "code1", "verifier", "https://app/cb"), ("login", "a1")]
    (stored, event), = repository.connected
    assert (stored.account, stored.status, stored.scopes, stored.connectedAt) == ("ada-gh", "connected", ["repo"], NOW)
    assert (stored.accessExpiresAt, stored.version, stored.sources) == (NOW + timedelta(hours=1), 0,
                                                                        IntegrationSources())
    assert vault.open(stored.sealedTokens, "ada", "github").account == "ada-gh"
    assert vault.sealed[0][1:] == ("ada", "github")
    assert event.detail_type == "IntegrationConnected"
    data = event.detail.data
    assert (data["account"], data["scopes"], data["provider"]) == ("ada-gh", ["repo"], "github")
    assert public.account == "ada-gh" and not hasattr(public, "sealedTokens")
    assert repository.states == {}  # single use


def test_given_a_reconnection_then_the_chosen_sources_and_version_are_kept_and_scopes_default() -> None:
    sources = IntegrationSources(repositories=["ada/app"])
    repository = Repository(connection(sources=sources, version=4))
    github = Provider(exchange=Tokens(accessToken="a1"), login="ada-gh")
    connections.complete(context(repository, github=github), "github", "c", _pending(repository), NOW)
    stored = repository.connected[0][0]
    assert (stored.sources, stored.version, stored.accessExpiresAt) == (sources, 4, None)
    assert stored.scopes == list(connections.SCOPES["github"])


def test_given_each_provider_then_its_own_exchange_is_used() -> None:
    repository = Repository()
    notion = Provider(exchange=Tokens(accessToken="a", account="Ada's workspace"))
    connections.complete(context(repository, notion=notion), "notion", "c", _pending(repository, "notion"), NOW)
    assert notion.calls == [("exchange", "c", "https://app/cb")]
    assert repository.connected[-1][0].account == "Ada's workspace"

    trello = Provider(exchange=Tokens(accessToken="t"), login="ada-trello")
    connections.complete(context(repository, trello=trello), "trello", "c", _pending(repository, "trello"), NOW)
    assert trello.calls == [("exchange", "c", "verifier"), ("login", "t")]

    google = Provider(exchange=Tokens(accessToken="g"), login="ada@example.com")
    connections.complete(context(repository, google=google), "google", "c", _pending(repository, "google"), NOW)
    assert google.calls == [("exchange", "c", "verifier", "https://app/cb"), ("login", "g")]
    assert repository.connected[-1][0].account == "ada@example.com"


def test_given_a_state_unknown_used_expired_or_of_another_provider_then_the_callback_is_400() -> None:
    repository = Repository()
    github = Provider(exchange=Tokens(accessToken="a"), login="x")
    ctx = context(repository, github=github)
    with pytest.raises(BadRequest, match=r"^the authorization state is unknown, used or expired; connect again$"):
        connections.complete(ctx, "github", "c", "n1.forged", NOW)
    state = _pending(repository, expires=timedelta(0))
    with pytest.raises(BadRequest):
        connections.complete(ctx, "github", "c", state, NOW)
    with pytest.raises(BadRequest):
        connections.complete(ctx, "github", "c", state, NOW)  # taken by the first try
    repository.save_state(PendingAuthorization(nonce="n1", userId="ada", provider="notion", verifier="",
                                               redirectUri="u", expiresAt=NOW + timedelta(minutes=1)))
    with pytest.raises(BadRequest):
        connections.complete(ctx, "github", "c", connections.sign_state("state-key", "github", "n1"), NOW)
    assert github.calls == []


def test_given_the_provider_refuses_fails_or_names_no_account_then_the_callback_says_so() -> None:
    for answer, problem, text in ((Refused(400, "bad"), BadRequest, "^GitHub refused the authorization code"),
                                  (Unavailable("x"), ServiceUnavailable, "^GitHub could not be reached"),
                                  (Tokens(accessToken="a"), ServiceUnavailable, "^GitHub did not say who")):
        repository = Repository()
        github = Provider(exchange=answer, login="")
        with pytest.raises(problem, match=text):
            connections.complete(context(repository, github=github), "github", "c", _pending(repository), NOW)
        assert repository.connected == []


# ---------------------------------------------------------------- fresh access
def test_given_a_token_far_from_expiry_or_without_one_then_it_is_used_as_is() -> None:
    github = Provider()
    for expires in (None, NOW + timedelta(minutes=5, seconds=1)):
        stored = connection(accessExpiresAt=expires)
        assert connections.fresh_access(context(Repository(), github=github), stored, NOW) == (stored, "access")
    assert github.calls == []


def test_given_a_token_expiring_within_five_minutes_then_it_is_refreshed_sealed_and_saved() -> None:
    repository, vault = Repository(), Vault(Tokens(accessToken="old", refreshToken="r1"))
    github = Provider(refresh=Tokens(accessToken="new", expiresIn=600, scopes=["repo", "read:user"]))
    stored = connection(accessExpiresAt=NOW + timedelta(minutes=5))

    saved, access = connections.fresh_access(context(repository, github=github, vault=vault), stored, NOW)

    assert access == "new" and github.calls == [("refresh", "r1")]
    assert (saved.accessExpiresAt, saved.scopes) == (NOW + timedelta(minutes=10), ["repo", "read:user"])
    assert vault.sealed[-1][1:] == ("ada", "github")
    renewed = vault.open(saved.sealedTokens, "ada", "github")
    assert (renewed.accessToken, renewed.refreshToken) == ("new", "r1")  # the old refresh token is kept
    assert repository.saved[-1][0] == saved


def test_given_a_refresh_with_a_new_refresh_token_and_no_scopes_then_both_are_taken_as_given() -> None:
    vault = Vault(Tokens(accessToken="old", refreshToken="r1"))
    google = Provider(refresh=Tokens(accessToken="new", refreshToken="r2"))
    stored = connection(provider="google", accessExpiresAt=NOW, scopes=["calendar"])
    saved, _ = connections.fresh_access(context(Repository(), google=google, vault=vault), stored, NOW)
    assert vault.open(saved.sealedTokens, "ada", "google").refreshToken == "r2"
    assert (saved.scopes, saved.accessExpiresAt) == (["calendar"], None)
    assert google.calls == [("refresh", "r1")]


def test_given_no_refresh_token_or_trello_then_refreshing_is_refused() -> None:
    with pytest.raises(Refused) as refused:
        connections.fresh_access(context(Repository()), connection(accessExpiresAt=NOW), NOW)
    assert (refused.value.status, str(refused.value)) == (
        401, "the access token expired and there is no refresh token")
    vault = Vault(Tokens(accessToken="old", refreshToken="r1"))
    with pytest.raises(Refused) as refused:
        connections.fresh_access(context(Repository(), vault=vault), connection("trello", accessExpiresAt=NOW), NOW)
    assert (refused.value.status, str(refused.value)) == (401, "Trello tokens cannot be refreshed")


def test_given_tokens_sealed_for_another_owner_then_they_are_not_opened() -> None:
    vault = Vault(Tokens(accessToken="a"), owner=("ada", "github"))
    assert connections.fresh_access(context(Repository(), vault=vault), connection(), NOW)[1] == "a"
    with pytest.raises(KeyError):
        connections.fresh_access(context(Repository(), vault=vault), connection(userId="bob"), NOW)


def test_given_notion_then_notion_refreshes_its_own_token() -> None:
    vault, notion = Vault(Tokens(accessToken="old", refreshToken="r1")), Provider(refresh=Tokens(accessToken="n"))
    _, access = connections.fresh_access(context(Repository(), notion=notion, vault=vault),
                                         connection("notion", accessExpiresAt=NOW), NOW)
    assert (access, notion.calls) == ("n", [("refresh", "r1")])


# ---------------------------------------------------------------- listing, sources, disconnect
def test_given_a_new_choice_of_sources_then_every_cursor_is_reset() -> None:
    repository = Repository(connection(since=NOW, etag='"e"', cursors={"c": "sync:t"}))
    chosen = IntegrationSources(labels=["work"])
    assert connections.choose_sources(context(repository), "ada", "github", chosen) == chosen
    saved = repository.saved[-1][0]
    assert (saved.sources, saved.since, saved.etag, saved.cursors) == (chosen, None, None, {})
    assert connections.sources(context(repository), "ada", "github") == chosen


def test_given_no_connection_then_its_sources_are_404_and_the_list_is_the_users_own() -> None:
    with pytest.raises(NotFound, match=r"^notion is not connected$"):
        connections.sources(context(Repository()), "ada", "notion")
    repository = Repository(connection())
    repository.save(connection(userId="bob"))
    assert [i.account for i in connections.listing(context(repository), "ada").items] == ["ada-login"]


@pytest.mark.parametrize("provider", ["github", "trello", "notion", "google"])
def test_given_a_disconnect_then_the_grant_is_revoked_at_that_provider_and_forgotten(provider: str) -> None:
    clients = {name: Provider() for name in ("github", "trello", "notion", "google")}
    repository = Repository(connection(provider))
    connections.disconnect(context(repository, **clients), "ada", provider, NOW)  # type: ignore[arg-type]
    assert clients[provider].calls == [("revoke", "access")]
    assert all(c.calls == [] for name, c in clients.items() if name != provider)
    assert [c.provider for c in repository.forgotten] == [provider]


def test_given_an_expiring_token_at_disconnect_then_the_fresh_one_is_revoked() -> None:
    vault = Vault(Tokens(accessToken="old", refreshToken="r1"))
    github = Provider(refresh=Tokens(accessToken="new"))
    repository = Repository(connection(accessExpiresAt=NOW + timedelta(minutes=4)))
    connections.disconnect(context(repository, github=github, vault=vault), "ada", "github", NOW)
    assert github.calls == [("refresh", "r1"), ("revoke", "new")]


def test_given_the_provider_fails_to_revoke_then_the_connection_is_still_forgotten() -> None:
    for failure in (Refused(401, "x"), RateLimited(5), Unavailable("x")):
        repository = Repository(connection())
        connections.disconnect(context(repository, github=Provider(revoke=failure)), "ada", "github", NOW)
        assert len(repository.forgotten) == 1
    repository = Repository(connection("google"))
    connections.disconnect(context(repository), "ada", "google", NOW)  # Google not configured: 503 inside
    assert len(repository.forgotten) == 1
    with pytest.raises(NotFound):
        connections.disconnect(context(Repository()), "ada", "github", NOW)



# ---------------------------------------------------------------- what the operator reads in the log
def _logged(log_output: io.StringIO, message: str) -> list[dict[str, object]]:
    records = [json.loads(line) for line in log_output.getvalue().splitlines()]
    return [{k: v for k, v in r.items() if k in ("level", "provider", "userId", "reason")} for r in records
            if r.get("message") == message]


def test_given_a_connection_made_then_it_is_logged_with_provider_and_user(log_output: io.StringIO) -> None:
    repository = Repository()
    github = Provider(exchange=Tokens(accessToken="a1", scopes=["repo"]), login="ada-gh")

    connections.complete(context(repository, github=github), "github", "code1", _pending(repository), NOW)

    assert _logged(log_output, "connected") == [{"level": "INFO", "provider": "github", "userId": "ada"}]


def test_given_a_token_refreshed_then_it_is_logged_with_provider_and_user(log_output: io.StringIO) -> None:
    vault = Vault(Tokens(accessToken="old", refreshToken="r1"))
    github = Provider(refresh=Tokens(accessToken="new", expiresIn=600))

    connections.fresh_access(context(Repository(), github=github, vault=vault),
                             connection(accessExpiresAt=NOW + timedelta(minutes=1)), NOW)

    assert _logged(log_output, "token refreshed") == [{"level": "INFO", "provider": "github", "userId": "ada"}]


def test_given_a_revocation_that_fails_then_the_warning_names_provider_and_reason(log_output: io.StringIO) -> None:
    connections.disconnect(context(Repository(connection()), github=Provider(revoke=RateLimited(5))), "ada",
                           "github", NOW)

    assert _logged(log_output, "revocation at the provider failed") == [
        {"level": "WARNING", "provider": "github", "reason": "RateLimited"}]


def test_given_google_configured_and_no_github_client_id_then_google_still_starts() -> None:
    repository, google = Repository(), Provider(authorize_url="https://accounts.test/o")
    ctx = context(repository, google=google)
    object.__setattr__(ctx.secrets, "githubClientId", "")
    try:
        answer = connections.start(ctx, "ada", "google", "https://app/cb", NOW)
    finally:
        object.__delattr__(ctx.secrets, "githubClientId")
    assert answer.authorizeUrl == "https://accounts.test/o"


class _Taking(Repository):
    """A repository that records which states were taken."""

    def __init__(self) -> None:
        super().__init__()
        self.taken: list[object] = []

    def take_state(self, nonce: str) -> PendingAuthorization | None:
        self.taken.append(nonce)
        return super().take_state(nonce)


def test_given_a_forged_state_then_no_stored_state_is_taken() -> None:
    repository = _Taking()
    _pending(repository)

    with pytest.raises(BadRequest):
        connections.complete(context(repository), "github", "code1", "n1.forged", NOW)

    assert repository.taken == [] and list(repository.states) == ["n1"]

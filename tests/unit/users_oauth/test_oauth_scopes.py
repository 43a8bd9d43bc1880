"""The scopes a third-party client may ask for, how scope strings are read, and the OAuth error shapes."""

from __future__ import annotations

import pytest

from deepiri_users.logic import oauth_errors
from deepiri_users.logic.oauth_scopes import (
    MAX_SCOPE_LENGTH,
    SCOPES,
    format_scope,
    parse_scope,
    require_within,
    validate_scopes,
)


def test_given_the_published_scope_list_then_it_is_exactly_these_ten() -> None:
    # A scope added or dropped here changes what every consent screen offers: the list is a contract.
    assert set(SCOPES) == {"profile:read", "profile:write", "tasks:read", "tasks:write", "challenges:read",
                           "gamification:read", "analytics:read", "notifications:read", "webhooks:manage",
                           "offline_access"}
    assert all(description.strip() for description in SCOPES.values())


def test_given_a_scope_string_of_the_maximum_length_then_read_and_one_more_character_refused() -> None:
    assert MAX_SCOPE_LENGTH == 1000
    longest = " ".join(["tasks:read"] * 90) + " " * (MAX_SCOPE_LENGTH - 90 * 11 + 1)
    assert len(longest) == MAX_SCOPE_LENGTH
    assert parse_scope(longest) == frozenset({"tasks:read"})
    with pytest.raises(oauth_errors.InvalidScope) as refused:
        parse_scope(longest + " ")
    assert refused.value.description == "scope is too long"


@pytest.mark.parametrize("text", [None, "", "   "])
def test_given_no_scope_when_parsed_then_an_empty_set(text: str | None) -> None:
    assert parse_scope(text) == frozenset()


def test_given_unknown_scopes_when_validated_then_all_are_named_sorted_and_cut_at_200_characters() -> None:
    with pytest.raises(oauth_errors.InvalidScope) as refused:
        validate_scopes({"tasks:read", "zeta", "alpha"})
    assert refused.value.description == "unknown scope(s): alpha zeta"
    assert (refused.value.error, refused.value.status) == ("invalid_scope", 400)
    with pytest.raises(oauth_errors.InvalidScope) as long_one:
        validate_scopes({"x" * 300})
    assert long_one.value.description == "unknown scope(s): " + "x" * 200


def test_given_scopes_beyond_those_allowed_then_the_extra_ones_are_named_for_the_client_by_default() -> None:
    with pytest.raises(oauth_errors.InvalidScope) as refused:
        require_within(frozenset({"tasks:write", "profile:write", "tasks:read"}), frozenset({"tasks:read"}))
    assert refused.value.description == "scope(s) not allowed for the client: profile:write tasks:write"
    with pytest.raises(oauth_errors.InvalidScope) as narrowing:
        require_within(frozenset({"tasks:write"}), frozenset(), what="this grant")
    assert narrowing.value.description == "scope(s) not allowed for this grant: tasks:write"
    require_within(frozenset({"tasks:read"}), frozenset({"tasks:read", "profile:read"}))


def test_given_scopes_in_any_order_when_formatted_then_sorted_and_space_separated() -> None:
    assert format_scope({"tasks:read", "offline_access", "profile:read"}) == "offline_access profile:read tasks:read"
    assert format_scope(set()) == ""


@pytest.mark.parametrize(("error", "code", "status"), [
    (oauth_errors.InvalidRequest("x"), "invalid_request", 400),
    (oauth_errors.InvalidClient("x"), "invalid_client", 401),
    (oauth_errors.InvalidGrant("x"), "invalid_grant", 400),
    (oauth_errors.UnauthorizedClient("x"), "unauthorized_client", 400),
    (oauth_errors.UnsupportedGrantType("x"), "unsupported_grant_type", 400),
    (oauth_errors.InvalidScope("x"), "invalid_scope", 400),
])
def test_given_each_oauth_error_then_its_rfc_6749_code_and_status(
    error: oauth_errors.OAuthError, code: str, status: int,
) -> None:
    assert (error.error, error.status, error.description, str(error)) == (code, status, "x", "x")


def test_given_a_client_authentication_failure_then_basic_is_only_flagged_when_asked() -> None:
    assert oauth_errors.InvalidClient("unknown client").basic is False
    assert oauth_errors.InvalidClient("wrong secret", basic=True).basic is True
    assert str(oauth_errors.InvalidClient("wrong secret", basic=True)) == "wrong secret"


def test_given_too_many_token_requests_then_a_429_that_says_when_to_retry() -> None:
    limited = oauth_errors.RateLimited(12)
    assert (limited.error, limited.status, limited.retry_after) == ("rate_limited", 429, 12)
    assert limited.description == str(limited) == "too many requests; retry in 12 s"

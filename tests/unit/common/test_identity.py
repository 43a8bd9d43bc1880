"""The caller is read from what the REQUEST authorizer put into the request context."""

from __future__ import annotations

from typing import Any

import pytest

from deepiri_common.api import create_resolver
from deepiri_common.identity import Caller, caller_from_event, current_caller, require_role, require_scope
from deepiri_common.problems import Forbidden, Unauthorized
from tests.support.apigw import rest_event
from tests.support.lambda_context import FakeLambdaContext


def test_given_a_first_party_token_when_read_then_roles_split_and_scopes_are_unlimited() -> None:
    event = rest_event("GET", "/api/tasks", authorizer={"userId": "01HZUSER", "roles": "user, admin,"})

    caller = caller_from_event(event)

    assert caller == Caller(user_id="01HZUSER", roles=frozenset({"user", "admin"}), scopes=None)


def test_given_a_third_party_token_when_read_then_scopes_are_split_on_spaces() -> None:
    event = rest_event(
        "GET",
        "/api/tasks",
        authorizer={"userId": "01HZUSER", "roles": "user", "scopes": "tasks:read  profile"},
    )

    assert caller_from_event(event).scopes == frozenset({"tasks:read", "profile"})


def test_given_an_empty_scope_string_when_read_then_the_token_has_no_scope_rather_than_all() -> None:
    event = rest_event("GET", "/api/tasks", authorizer={"userId": "01HZUSER", "scopes": ""})

    caller = caller_from_event(event)

    assert caller.scopes == frozenset()
    with pytest.raises(Forbidden):
        require_scope(caller, "tasks:read")


@pytest.mark.parametrize(
    "authorizer",
    [None, {"roles": "admin"}, {"userId": ""}, {"userId": "   "}],
    ids=["no authorizer", "no userId", "empty userId", "blank userId"],
)
def test_given_no_user_in_the_context_when_read_then_unauthorized(authorizer: dict[str, Any] | None) -> None:
    with pytest.raises(Unauthorized):
        caller_from_event(rest_event("GET", "/api/tasks", authorizer=authorizer))


def test_given_a_caller_without_the_role_when_required_then_forbidden() -> None:
    caller = Caller(user_id="u1", roles=frozenset({"user"}))

    require_role(caller, "user")
    with pytest.raises(Forbidden, match="admin"):
        require_role(caller, "admin")


def test_given_a_scoped_token_when_a_scope_is_required_then_only_granted_scopes_pass() -> None:
    scoped = Caller(user_id="u1", roles=frozenset(), scopes=frozenset({"tasks:read"}))
    first_party = Caller(user_id="u1", roles=frozenset(), scopes=None)

    require_scope(scoped, "tasks:read")
    require_scope(first_party, "tasks:write")
    with pytest.raises(Forbidden, match="tasks:write"):
        require_scope(scoped, "tasks:write")


def test_given_a_resolver_when_a_route_asks_for_the_current_caller_then_it_gets_the_authorizer_user() -> None:
    app = create_resolver()

    @app.get("/api/me")
    def me() -> dict[str, str]:
        return {"userId": current_caller(app).user_id}

    response = app.resolve(
        rest_event("GET", "/api/me", authorizer={"userId": "01HZUSER"}), FakeLambdaContext()
    )

    assert response["statusCode"] == 200
    assert response["body"] == '{"userId":"01HZUSER"}'


def test_given_a_caller_when_changed_then_it_is_refused_because_it_is_frozen() -> None:
    caller = Caller(user_id="u1", roles=frozenset())

    with pytest.raises(ValueError, match="frozen"):
        caller.user_id = "u2"  # type: ignore[misc]


@pytest.mark.parametrize("event", [
    {},
    {"requestContext": "not a mapping"},
    {"requestContext": {"authorizer": None}},
    {"requestContext": {"authorizer": {"userId": "  "}}},
])
def test_given_no_usable_authorizer_context_then_401_says_there_is_no_caller(event: dict[str, Any]) -> None:
    with pytest.raises(Unauthorized) as refused:
        caller_from_event(event)

    assert refused.value.detail == "no authenticated caller"


def test_given_a_caller_without_roles_then_they_hold_none() -> None:
    caller = caller_from_event({"requestContext": {"authorizer": {"userId": "ada"}}})

    assert caller == Caller(user_id="ada", roles=frozenset(), scopes=None)

"""The authorizer's rules one by one: which events are WebSocket connects, where a token may come from,
and the exact policies API Gateway receives (it rejects a policy document it cannot read)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from deepiri_common.problems import Unauthorized
from deepiri_common.tokens import AccessClaims, KeyStore, issue_access_token
from deepiri_gateway.logic.authorization import (
    accept_every_session,
    allow_policy,
    authorize,
    deny_policy,
    extract_token,
    is_websocket_connect,
    stage_resource,
)
from tests.unit.gateway.conftest import AUDIENCE, ISSUER

ARN = "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/api/tasks"
STAGE = "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*"
JWT = "aaa.bbb.ccc"


def _claims(scopes: frozenset[str] | None = None) -> AccessClaims:
    return AccessClaims(sub="ada", roles=("user", "admin"), scopes=scopes, jti="j1",
                        exp=datetime(2030, 1, 1, tzinfo=UTC), token_version=7)


@pytest.mark.parametrize("event", [
    {"requestContext": {"eventType": "CONNECT"}},
    {"requestContext": {"routeKey": "$connect"}},
    {"methodArn": "arn:aws:execute-api:eu-west-1:1:ws1/prod/$connect"},
])
def test_given_any_one_sign_of_a_websocket_connect_then_the_event_is_one(event: dict[str, Any]) -> None:
    assert is_websocket_connect(event)


@pytest.mark.parametrize("event", [
    {},
    {"requestContext": None, "methodArn": None},
    {"requestContext": {"eventType": "MESSAGE", "routeKey": "$default"}, "methodArn": ARN},
    {"requestContext": {"eventType": "connect", "routeKey": "$CONNECT"}},
    {"methodArn": "arn:aws:execute-api:eu-west-1:1:ws1/prod/$connect/more"},
])
def test_given_a_rest_call_or_another_websocket_route_then_it_is_no_connect(event: dict[str, Any]) -> None:
    assert not is_websocket_connect(event)


@pytest.mark.parametrize(("header", "token"), [
    ("bearer, aaa.bbb.ccc", JWT),
    ("aaa.bbb.ccc,bearer", JWT),
    ("chat,  aaa.bbb.ccc  ", JWT),
    ("chat, a.b", None),
    ("", None),
])
def test_given_websocket_subprotocols_then_the_jwt_shaped_entry_is_the_token(header: str, token: str | None) -> None:
    event = {"requestContext": {"routeKey": "$connect"}, "headers": {"Sec-WebSocket-Protocol": header}}

    assert extract_token(event) == token


def test_given_a_connect_without_any_token_then_there_is_none() -> None:
    assert extract_token({"requestContext": {"routeKey": "$connect"}, "headers": None}) is None
    assert extract_token({"requestContext": {"routeKey": "$connect"}, "queryStringParameters": {"token": " "}}) is None


def test_given_a_connect_with_a_query_token_and_a_subprotocol_then_the_query_wins() -> None:
    event = {"requestContext": {"routeKey": "$connect"}, "queryStringParameters": {"token": " q.q.q "},
             "headers": {"sec-websocket-protocol": "bearer, aaa.bbb.ccc"}}

    assert extract_token(event) == "q.q.q"


def test_given_a_header_value_that_is_not_text_then_it_is_ignored() -> None:
    assert extract_token({"headers": {"Authorization": ["Bearer x"]}}) is None


def test_given_first_party_claims_then_the_allow_policy_covers_the_stage_and_carries_the_user() -> None:
    assert allow_policy(_claims(), ARN) == {
        "principalId": "ada",
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": STAGE}],
        },
        "context": {"userId": "ada", "roles": "user,admin", "tokenVersion": "7"},
    }


def test_given_third_party_claims_then_their_scopes_are_one_sorted_string() -> None:
    context = allow_policy(_claims(frozenset({"tasks:write", "tasks:read"})), ARN)["context"]

    assert context["scopes"] == "tasks:read tasks:write"


def test_given_a_refused_connect_then_the_deny_policy_names_the_route_or_everything() -> None:
    def deny(resource: str) -> dict[str, Any]:
        return {
            "principalId": "anonymous",
            "policyDocument": {
                "Version": "2012-10-17",
                "Statement": [{"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": resource}],
            },
        }

    assert deny_policy(ARN) == deny(ARN)
    assert deny_policy("") == deny("*")


@pytest.fixture
def token(key_store: KeyStore) -> str:
    return issue_access_token(key_store, subject="ada", roles=["user"], issuer=ISSUER, audience=AUDIENCE,
                              token_version=1)


def test_given_no_token_when_authorizing_then_401_says_so(key_store: KeyStore) -> None:
    with pytest.raises(Unauthorized) as refused:
        authorize({"methodArn": ARN}, key_store, issuer=ISSUER, audience=AUDIENCE)

    assert refused.value.detail == "no access token"


@pytest.mark.parametrize("event_arn", [{}, {"methodArn": "not-an-arn"}])
def test_given_a_valid_token_but_no_usable_method_arn_then_401_says_the_arn_is_malformed(
    key_store: KeyStore, token: str, event_arn: dict[str, str]
) -> None:
    event = {"headers": {"Authorization": f"Bearer {token}"}, **event_arn}

    with pytest.raises(Unauthorized) as refused:
        authorize(event, key_store, issuer=ISSUER, audience=AUDIENCE)

    assert refused.value.detail == "malformed method ARN"


def test_given_a_valid_token_then_the_default_session_check_lets_it_through(key_store: KeyStore, token: str) -> None:
    claims, policy = authorize({"headers": {"Authorization": f"Bearer {token}"}, "methodArn": ARN}, key_store,
                               issuer=ISSUER, audience=AUDIENCE)

    assert accept_every_session(claims) is None
    assert policy["principalId"] == claims.sub == "ada"


def test_given_a_route_whose_path_holds_colons_then_the_stage_resource_is_still_found() -> None:
    arn = "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/GET/api/tasks/a:b:c"

    assert stage_resource(arn) == "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*"


@pytest.mark.parametrize(("arn", "reason"), [
    ("arn:aws:lambda:eu-west-1:123456789012:function", "not an execute-api method ARN"),
    ("arn:aws:execute-api:eu-west-1", "not an execute-api method ARN"),
    ("arn:aws:execute-api:eu-west-1:123456789012:abc123", "method ARN names no API and stage"),
    ("arn:aws:execute-api:eu-west-1:123456789012:/prod/GET/x", "method ARN names no API and stage"),
])
def test_given_arns_that_name_no_stage_then_the_refusal_says_which_part_is_missing(arn: str, reason: str) -> None:
    with pytest.raises(ValueError) as refused:
        stage_resource(arn)

    assert str(refused.value) == reason

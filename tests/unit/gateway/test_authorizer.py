"""The Lambda REQUEST authorizer: REST bearer tokens and WebSocket $connect, built on the sample events."""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest

from deepiri_common.problems import Unauthorized
from deepiri_common.tokens import AccessClaims, KeyStore, issue_access_token
from deepiri_gateway.logic.authorization import Authorizer, extract_token, stage_resource
from tests.unit.gateway.conftest import AUDIENCE, ISSUER, Clock

EVENTS = Path(__file__).resolve().parents[3] / "events"
PLACEHOLDER = "REPLACE_WITH_ACCESS_TOKEN"
USER_ID = "01HZY3Q8M4W6T9V2K5R7N1P3XA"


def _event(name: str, token: str | None) -> dict[str, Any]:
    """A sample event from events/, with its placeholder token replaced (or the token removed)."""
    text = (EVENTS / name).read_text()
    event: dict[str, Any] = json.loads(text.replace(PLACEHOLDER, token or PLACEHOLDER))
    if token is None:
        event["headers"].pop("Authorization", None)
        event["multiValueHeaders"].pop("Authorization", None)
        event["queryStringParameters"].pop("token", None)
    return event


def _rest(token: str | None) -> dict[str, Any]:
    return _event("authorizer-rest.json", token)


def _ws(token: str | None) -> dict[str, Any]:
    return _event("authorizer-ws-connect.json", token)


@pytest.fixture
def authorizer(key_store: KeyStore) -> Authorizer:
    return Authorizer(key_store=key_store, issuer=ISSUER, audience=AUDIENCE)


@pytest.fixture
def token(key_store: KeyStore) -> str:
    return issue_access_token(
        key_store, subject=USER_ID, roles=["user", "admin"], issuer=ISSUER, audience=AUDIENCE, token_version=2
    )


def _denied(authorizer: Authorizer, event: dict[str, Any]) -> None:
    with pytest.raises(Exception) as refused:  # API Gateway matches this exact message
        authorizer(event)
    assert type(refused.value) is Exception
    assert str(refused.value) == "Unauthorized"


# ---------------------------------------------------------------- allow


def test_given_a_valid_bearer_token_when_a_rest_route_is_called_then_the_whole_stage_is_allowed(
    authorizer: Authorizer, token: str
) -> None:
    response = authorizer(_rest(token))

    assert response["principalId"] == USER_ID
    (statement,) = response["policyDocument"]["Statement"]
    assert statement == {
        "Action": "execute-api:Invoke",
        "Effect": "Allow",
        "Resource": "arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/dev/*",
    }
    assert response["context"] == {"userId": USER_ID, "roles": "user,admin", "tokenVersion": "2"}


def test_given_a_third_party_token_when_authorized_then_its_scopes_reach_the_context(
    authorizer: Authorizer, key_store: KeyStore
) -> None:
    scoped = issue_access_token(
        key_store,
        subject=USER_ID,
        roles=["user"],
        issuer=ISSUER,
        audience=AUDIENCE,
        scopes=["tasks:read", "profile"],
    )

    context = authorizer(_rest(scoped))["context"]

    assert context["scopes"] == "profile tasks:read"
    assert all(isinstance(value, str) for value in context.values())


def test_given_a_token_in_the_query_when_a_websocket_connects_then_it_is_allowed_for_the_ws_stage(
    authorizer: Authorizer, token: str
) -> None:
    response = authorizer(_ws(token))

    assert response["principalId"] == USER_ID
    resource = response["policyDocument"]["Statement"][0]["Resource"]
    assert resource == "arn:aws:execute-api:us-east-1:123456789012:w9x8y7z6v5/dev/*"


def test_given_a_token_as_websocket_subprotocol_when_connecting_then_it_is_allowed(
    authorizer: Authorizer, token: str
) -> None:
    event = _ws(None)
    event["headers"]["Sec-WebSocket-Protocol"] = f"bearer, {token}"

    assert authorizer(event)["context"]["userId"] == USER_ID


def test_given_lowercase_header_and_scheme_when_authorized_then_the_token_is_still_found(token: str) -> None:
    event = _rest(None)
    event["headers"]["authorization"] = f"bearer   {token}  "

    assert extract_token(event) == token


# ---------------------------------------------------------------- deny


def test_given_no_token_when_a_rest_route_is_called_then_api_gateway_gets_unauthorized(
    authorizer: Authorizer,
) -> None:
    _denied(authorizer, _rest(None))


def test_given_no_or_a_bad_token_when_a_websocket_connects_then_an_explicit_deny_is_returned(
    authorizer: Authorizer,
) -> None:
    for event in (_ws(None), _ws("not-a-jwt")):
        decision = authorizer(event)
        statement = decision["policyDocument"]["Statement"][0]
        assert statement["Effect"] == "Deny"
        assert statement["Resource"] == event["methodArn"]
        assert "context" not in decision  # no identity reaches the $connect handler


def test_given_a_websocket_connect_without_a_method_arn_then_the_deny_covers_everything(
    authorizer: Authorizer,
) -> None:
    event = _ws(None)
    del event["methodArn"]

    decision = authorizer(event)

    assert decision["policyDocument"]["Statement"] == [
        {"Action": "execute-api:Invoke", "Effect": "Deny", "Resource": "*"}]


def test_given_a_token_only_in_a_rest_query_string_when_called_then_it_is_ignored(
    authorizer: Authorizer, token: str
) -> None:
    # A token in a REST URL would land in access logs; only WebSocket $connect may carry it there.
    event = _rest(None)
    event["queryStringParameters"]["token"] = token

    _denied(authorizer, event)


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Token abc.def.ghi", ""])
def test_given_an_authorization_header_that_is_not_a_bearer_token_when_called_then_it_is_denied(
    authorizer: Authorizer, header: str
) -> None:
    event = _rest(None)
    event["headers"]["Authorization"] = header

    _denied(authorizer, event)


def test_given_a_tampered_token_when_called_then_it_is_denied_and_the_token_never_logged(
    authorizer: Authorizer, token: str, log_output: io.StringIO
) -> None:
    header, payload, signature = token.split(".")
    forged = f"{header}.{payload}.{signature[::-1]}"

    _denied(authorizer, _rest(forged))

    logs = log_output.getvalue()
    assert '"decision":"deny"' in logs.replace(" ", "")
    assert "invalid token signature" in logs
    assert signature not in logs and payload not in logs and signature[::-1] not in logs


def test_given_an_expired_token_when_called_then_it_is_denied(
    key_store: KeyStore, authorizer: Authorizer, clock: Clock
) -> None:
    clock.advance(hours=-1)
    expired = issue_access_token(
        key_store,
        subject=USER_ID,
        roles=["user"],
        issuer=ISSUER,
        audience=AUDIENCE,
        now=clock(),
        ttl_seconds=900,
    )

    _denied(authorizer, _rest(expired))


def test_given_a_valid_token_when_allowed_then_the_decision_and_sub_are_logged_but_not_the_token(
    authorizer: Authorizer, token: str, log_output: io.StringIO
) -> None:
    authorizer(_rest(token))

    records = [json.loads(line) for line in log_output.getvalue().splitlines()]
    assert any(record.get("decision") == "allow" and record.get("sub") == USER_ID for record in records)
    for part in token.split("."):
        assert part not in log_output.getvalue()


def test_given_a_session_check_that_refuses_when_the_token_is_valid_then_it_is_denied_with_the_sub_logged(
    key_store: KeyStore, token: str, log_output: io.StringIO
) -> None:
    seen: list[AccessClaims] = []

    def account_disabled(claims: AccessClaims) -> None:
        seen.append(claims)
        raise Unauthorized("account disabled")

    guarded = Authorizer(
        key_store=key_store, issuer=ISSUER, audience=AUDIENCE, session_check=account_disabled
    )

    _denied(guarded, _rest(token))

    assert seen[0].token_version == 2
    record = json.loads(log_output.getvalue().splitlines()[-1])
    assert (
        record["decision"] == "deny" and record["reason"] == "account disabled" and record["sub"] == USER_ID
    )


def test_given_a_method_arn_that_is_not_execute_api_when_authorized_then_it_is_denied(
    authorizer: Authorizer, token: str
) -> None:
    event = copy.deepcopy(_rest(token))
    event["methodArn"] = "arn:aws:lambda:us-east-1:123456789012:function:x"

    _denied(authorizer, event)


# ---------------------------------------------------------------- the policy resource


@pytest.mark.parametrize(
    ("method_arn", "resource"),
    [
        (
            "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/POST/api/tasks/01HZ/complete",
            "arn:aws:execute-api:eu-west-1:123456789012:abc123/prod/*",
        ),
        (
            "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/$connect",
            "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/*",
        ),
        (
            "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/GET/",
            "arn:aws:execute-api:us-east-1:123456789012:abc123/dev/*",
        ),
    ],
)
def test_given_a_method_arn_when_the_resource_is_built_then_it_covers_the_whole_stage(
    method_arn: str, resource: str
) -> None:
    assert stage_resource(method_arn) == resource


@pytest.mark.parametrize(
    "method_arn",
    ["", "arn:aws:execute-api:us-east-1:123456789012:abc123", "arn:aws:s3:::bucket/dev/GET/x", "nonsense"],
)
def test_given_a_malformed_method_arn_when_the_resource_is_built_then_it_is_refused(method_arn: str) -> None:
    with pytest.raises(ValueError):
        stage_resource(method_arn)

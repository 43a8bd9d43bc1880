"""The authorizer's one log line per decision reads the same for every request, so an operator can search
for it: "access allowed" or "access denied", at INFO, with the decision and the subject."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from deepiri_common.tokens import KeyStore, issue_access_token
from deepiri_gateway.logic.authorization import Authorizer
from tests.unit.gateway.conftest import AUDIENCE, ISSUER
from tests.unit.gateway.test_authorizer import USER_ID, _rest, _ws


def _decisions(buffer: io.StringIO) -> list[dict[str, Any]]:
    records = [json.loads(line) for line in buffer.getvalue().splitlines()]
    return [{k: r.get(k) for k in ("level", "message", "decision", "sub")} for r in records if "decision" in r]


def test_given_a_valid_token_then_the_decision_is_logged_as_access_allowed(
    key_store: KeyStore, log_output: io.StringIO
) -> None:
    token = issue_access_token(key_store, subject=USER_ID, roles=["user"], issuer=ISSUER, audience=AUDIENCE)

    Authorizer(key_store=key_store, issuer=ISSUER, audience=AUDIENCE)(_rest(token))

    assert _decisions(log_output) == [
        {"level": "INFO", "message": "access allowed", "decision": "allow", "sub": USER_ID}]


def test_given_no_token_then_the_decision_is_logged_as_access_denied(
    key_store: KeyStore, log_output: io.StringIO
) -> None:
    authorizer = Authorizer(key_store=key_store, issuer=ISSUER, audience=AUDIENCE)

    with pytest.raises(Exception, match=r"^Unauthorized$"):
        authorizer(_rest(None))
    authorizer(_ws(None))  # a WebSocket $connect gets an explicit Deny

    assert _decisions(log_output) == [
        {"level": "INFO", "message": "access denied", "decision": "deny", "sub": None}] * 2

"""The authorizer's session check against the users table's profile item (fake DynamoDB client)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from deepiri_common.problems import Unauthorized
from deepiri_common.tokens import AccessClaims
from deepiri_gateway.dal.sessions import UserSessionCheck


class FakeDynamo:
    def __init__(self) -> None:
        self.items: dict[str, dict[str, Any]] = {}
        self.reads: list[dict[str, Any]] = []

    def get_item(self, **kwargs: Any) -> dict[str, Any]:
        self.reads.append(kwargs)
        item = self.items.get(kwargs["Key"]["pk"]["S"])
        return {"Item": item} if item is not None else {}

    def batch_get_item(self, RequestItems: dict[str, Any]) -> dict[str, Any]:
        [(table, request)] = RequestItems.items()
        found = [{"pk": key["pk"], **self.items[key["pk"]["S"]]} for key in request["Keys"]
                 if key["pk"]["S"] in self.items]
        return {"Responses": {table: found}}


class Ticker:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _claims(sub: str = "u1", version: int = 0) -> AccessClaims:
    return AccessClaims(sub=sub, roles=("user",), scopes=None, jti="j", exp=datetime(2030, 1, 1, tzinfo=UTC),
                        token_version=version)


def _profile(disabled: bool = False, version: int = 0) -> dict[str, Any]:
    return {"disabled": {"BOOL": disabled}, "tokenVersion": {"N": str(version)}}


def test_given_an_enabled_user_at_the_tokens_version_then_accepted_with_a_consistent_read() -> None:
    table = FakeDynamo()
    table.items["USER#u1"] = _profile(version=2)
    UserSessionCheck("users", table)(_claims(version=2))
    assert table.reads[0]["ConsistentRead"] is True and table.reads[0]["Key"]["sk"] == {"S": "PROFILE"}


@pytest.mark.parametrize(("item", "version", "reason"), [
    (None, 0, "unknown user"), (_profile(disabled=True), 0, "user disabled"), (_profile(version=3), 2, "token revoked"),
])
def test_given_a_missing_disabled_or_revoked_user_then_refused(item: Any, version: int, reason: str) -> None:
    table = FakeDynamo()
    if item is not None:
        table.items["USER#u1"] = item
    with pytest.raises(Unauthorized) as refused:
        UserSessionCheck("users", table)(_claims(version=version))
    assert refused.value.detail == reason


def test_given_a_cached_answer_then_it_is_reused_for_at_most_five_seconds() -> None:
    table, clock = FakeDynamo(), Ticker()
    table.items["USER#u1"] = _profile()
    check = UserSessionCheck("users", table, cache_seconds=60, monotonic=clock)  # capped at 5 s
    check(_claims())
    table.items["USER#u1"] = _profile(disabled=True)
    clock.now += 4.9
    check(_claims())
    assert len(table.reads) == 1
    clock.now += 0.2
    with pytest.raises(Unauthorized):
        check(_claims())


def _oauth_claims(family: str | None = "f1") -> AccessClaims:
    return AccessClaims(sub="u1", roles=("user",), scopes=frozenset({"profile:read"}), jti="j1",
                        exp=datetime(2030, 1, 1, tzinfo=UTC), token_version=0, family=family, client_id="c1")


def test_given_a_third_party_token_of_a_live_grant_then_accepted() -> None:
    table = FakeDynamo()
    table.items["USER#u1"] = _profile()
    table.items["OAUTHFAM#f1"] = {}
    UserSessionCheck("users", table)(_oauth_claims())


@pytest.mark.parametrize("revocation", ["token", "grant", "grant-gone"])
def test_given_a_revoked_third_party_token_or_grant_then_refused_at_once(revocation: str) -> None:
    table = FakeDynamo()
    table.items["USER#u1"] = _profile()
    check = UserSessionCheck("users", table)
    table.items["OAUTHFAM#f1"] = {}
    check(_oauth_claims())  # accepted, and the user's state is now cached
    if revocation == "token":
        table.items["OAUTHAT#j1"] = {}
    elif revocation == "grant":
        table.items["OAUTHFAM#f1"] = {"revokedAt": {"S": "2026-11-23T00:00:00.000Z"}}
    else:
        del table.items["OAUTHFAM#f1"]
    with pytest.raises(Unauthorized):
        check(_oauth_claims())

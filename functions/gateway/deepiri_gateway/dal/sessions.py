"""The authorizer's view of user state: the users table's profile item (``USER#<sub> / PROFILE``).

A token that verifies is still refused when its user is gone, disabled, or has moved their token
version past the token's (logout-all, password change or reset). Answers are cached per user for a
few seconds, so a burst of requests costs one read while a revocation still bites within that window.

A third-party (OAuth) token is also refused once it was revoked (RFC 7009: ``OAUTHAT#<jti>``) or its
grant was (consent withdrawn, refresh-token reuse, code replay: ``OAUTHFAM#<fid>`` with ``revokedAt``);
that check reads both items on every call, uncached.

API Gateway may also reuse the authorizer's answer for a token (``AuthorizerCacheSeconds``); the two
caches together never exceed ``REVOCATION_SECONDS``, the documented bound within which a revoked
token stops.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from deepiri_common.problems import Unauthorized
from deepiri_common.tokens import AccessClaims

REVOCATION_SECONDS = 5.0  # a revoked or disabled user's tokens stop within this many seconds
MAX_CACHE_SECONDS = REVOCATION_SECONDS
_MAX_ENTRIES = 10_000


@dataclass(frozen=True)
class _UserState:
    exists: bool
    disabled: bool
    token_version: int


class UserSessionCheck:
    """``SessionCheck`` on the users table: one consistent GetItem per user per cache window."""

    def __init__(
        self,
        table_name: str,
        client: Any,
        *,
        cache_seconds: float = MAX_CACHE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._table, self._client = table_name, client
        self._cache_seconds = max(0.0, min(cache_seconds, MAX_CACHE_SECONDS))
        self._monotonic = monotonic
        self._cache: dict[str, tuple[float, _UserState]] = {}

    def __call__(self, claims: AccessClaims) -> None:
        state = self._state(claims.sub)
        if not state.exists:
            raise Unauthorized("unknown user")
        if state.disabled:
            raise Unauthorized("user disabled")
        if claims.token_version < state.token_version:
            raise Unauthorized("token revoked")
        if claims.scopes is not None and self._grant_revoked(claims):
            raise Unauthorized("token revoked")

    def _grant_revoked(self, claims: AccessClaims) -> bool:
        keys = [{"pk": {"S": f"OAUTHAT#{claims.jti}"}, "sk": {"S": "OAUTHAT"}}]
        if claims.family:
            keys.append({"pk": {"S": f"OAUTHFAM#{claims.family}"}, "sk": {"S": "FAMILY"}})
        found = self._client.batch_get_item(RequestItems={
            self._table: {"Keys": keys, "ConsistentRead": True, "ProjectionExpression": "pk, revokedAt"}
        })["Responses"].get(self._table, [])
        for item in found:
            if item["pk"]["S"].startswith("OAUTHAT#") or "revokedAt" in item:
                return True
        return claims.family is not None and not any(i["pk"]["S"].startswith("OAUTHFAM#") for i in found)

    def _state(self, user_id: str) -> _UserState:
        now = self._monotonic()
        cached = self._cache.get(user_id)
        if cached is not None and now - cached[0] < self._cache_seconds:
            return cached[1]
        state = self._read(user_id)
        if len(self._cache) >= _MAX_ENTRIES:
            self._cache.clear()  # a warm authorizer serving very many users: start afresh
        self._cache[user_id] = (now, state)
        return state

    def _read(self, user_id: str) -> _UserState:
        item = self._client.get_item(
            TableName=self._table,
            Key={"pk": {"S": f"USER#{user_id}"}, "sk": {"S": "PROFILE"}},
            ProjectionExpression="disabled, tokenVersion",
            ConsistentRead=True,
        ).get("Item")
        if item is None:
            return _UserState(exists=False, disabled=False, token_version=0)
        return _UserState(
            exists=True,
            disabled=bool(item.get("disabled", {}).get("BOOL", False)),
            token_version=int(item.get("tokenVersion", {}).get("N", "0")),
        )

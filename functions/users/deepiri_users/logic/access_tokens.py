"""The access-token issuer of first-party sessions: the platform's ES256 signer behind
``sessions.AccessTokenIssuer``.

Apart from ``logic.sessions`` so that a function loads the signer (cryptography's EC primitives and the
key store) only when its wiring builds one, for the routes that sign: reading a profile never does.
"""

from __future__ import annotations

from dataclasses import dataclass

from deepiri_common.tokens import KeyStore, issue_access_token
from deepiri_users.models.accounts import Account


@dataclass(frozen=True)
class JwtIssuer:
    """Signs access tokens with the shared key set: roles from the profile, its current token version."""

    key_store: KeyStore
    issuer: str
    audience: str
    ttl_seconds: int

    def issue(self, account: Account) -> str:
        return issue_access_token(
            self.key_store, subject=account.userId, roles=list(account.roles), issuer=self.issuer,
            audience=self.audience, ttl_seconds=self.ttl_seconds, token_version=account.tokenVersion,
        )

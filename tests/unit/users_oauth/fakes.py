"""In-memory stand-ins for the OAuth repository and the token signer."""

from __future__ import annotations

from datetime import datetime

from deepiri_common.pagination import Page
from deepiri_users.models.oauth import (
    AccountState,
    AuthorizationCode,
    OAuthClient,
    OAuthConsent,
    RefreshTokenRecord,
    TokenFamily,
)


class FakeOAuthStore:
    """Keeps every OAuth record in dictionaries, with the same conditional semantics as the DAL."""

    def __init__(self) -> None:
        self.clients: dict[str, OAuthClient] = {}
        self.codes: dict[str, AuthorizationCode] = {}
        self.families: dict[str, TokenFamily] = {}
        self.refresh_tokens: dict[str, RefreshTokenRecord] = {}
        self.accounts: dict[str, AccountState] = {}
        self.consents: dict[tuple[str, str], OAuthConsent] = {}
        self.revoked_access: dict[str, int] = {}

    # clients
    def put_client(self, client: OAuthClient) -> None:
        self.clients[client.clientId] = client

    def get_client(self, client_id: str) -> OAuthClient | None:
        return self.clients.get(client_id)

    def delete_client(self, client_id: str, owner_id: str) -> bool:
        client = self.clients.get(client_id)
        if client is None or client.ownerId != owner_id:
            return False
        del self.clients[client_id]
        return True

    def clients_of(self, owner_id: str, limit: int, cursor: str | None) -> Page[OAuthClient]:
        return Page[OAuthClient](items=[c for c in self.clients.values() if c.ownerId == owner_id][:limit])

    # codes
    def put_code(self, code: AuthorizationCode) -> None:
        self.codes[code.codeHash] = code

    def get_code(self, code_hash: str) -> AuthorizationCode | None:
        return self.codes.get(code_hash)

    def consume_code(self, code_hash: str, used_at: str) -> bool:
        code = self.codes.get(code_hash)
        if code is None or code.usedAt is not None:
            return False
        self.codes[code_hash] = code.model_copy(update={"usedAt": used_at})
        return True

    # families and refresh tokens
    def start_family(self, family: TokenFamily, keep_until: int, refresh: RefreshTokenRecord | None) -> None:
        self.families[family.familyId] = family
        if refresh is not None:
            self.refresh_tokens[refresh.tokenHash] = refresh

    def get_family(self, family_id: str) -> TokenFamily | None:
        return self.families.get(family_id)

    def revoke_family(self, family_id: str, revoked_at: str) -> None:
        family = self.families.get(family_id)
        if family is not None and family.revokedAt is None:
            self.families[family_id] = family.model_copy(update={"revokedAt": revoked_at})

    def families_of(self, user_id: str, client_id: str) -> list[str]:
        return [f.familyId for f in self.families.values() if f.userId == user_id and f.clientId == client_id]

    def get_refresh(self, token_hash: str) -> RefreshTokenRecord | None:
        return self.refresh_tokens.get(token_hash)

    def rotate_refresh(self, old_hash: str, new: RefreshTokenRecord, used_at: str, keep_until: int) -> bool:
        old = self.refresh_tokens.get(old_hash)
        family = self.families.get(new.familyId)
        if old is None or old.usedAt is not None or family is None or family.is_revoked:
            return False
        self.refresh_tokens[old_hash] = old.model_copy(update={"usedAt": used_at})
        self.refresh_tokens[new.tokenHash] = new
        return True

    def delete_refresh(self, token_hash: str) -> None:
        self.refresh_tokens.pop(token_hash, None)

    # access tokens
    def revoke_access(self, jti: str, expires_at: int) -> None:
        self.revoked_access[jti] = expires_at

    def is_access_revoked(self, jti: str) -> bool:
        return jti in self.revoked_access

    # accounts and consents
    def get_account(self, user_id: str) -> AccountState | None:
        return self.accounts.get(user_id)

    def get_consent(self, user_id: str, client_id: str) -> OAuthConsent | None:
        return self.consents.get((user_id, client_id))

    def put_consent(self, user_id: str, consent: OAuthConsent) -> None:
        self.consents[(user_id, consent.clientId)] = consent

    def delete_consent(self, user_id: str, client_id: str) -> bool:
        return self.consents.pop((user_id, client_id), None) is not None

    def consents_of(self, user_id: str, limit: int, cursor: str | None) -> Page[OAuthConsent]:
        return Page[OAuthConsent](items=[c for (u, _), c in self.consents.items() if u == user_id][:limit])


class RecordingSigner:
    """Signs nothing: returns a numbered opaque token and remembers what it was asked to sign."""

    def __init__(self) -> None:
        self.issued: list[dict[str, object]] = []

    def __call__(
        self, *, subject: str, roles: list[str], scopes: frozenset[str], token_version: int,
        claims: dict[str, str], now: datetime,
    ) -> str:
        self.issued.append({"subject": subject, "roles": roles, "scopes": scopes, "token_version": token_version,
                            "claims": claims, "now": now})
        return f"access-{len(self.issued)}"

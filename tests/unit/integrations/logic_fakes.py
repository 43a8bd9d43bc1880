"""In-memory stand-ins for what the integration logic talks to: the table, the vault, and the providers'
clients, each recording what it was asked so a test can assert the exact calls."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from deepiri_integrations.logic.backoff import RetryPolicy
from deepiri_integrations.logic.connections import Integrations
from deepiri_integrations.models.connections import (
    ImportedItem,
    IntegrationSources,
    PendingAuthorization,
    StoredConnection,
    Tokens,
)

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def raise_or_return(answer: Any) -> Any:
    if isinstance(answer, Exception):
        raise answer
    return answer


class Repository:
    def __init__(self, connection: StoredConnection | None = None) -> None:
        self.stored: dict[tuple[str, str], StoredConnection] = {}
        if connection is not None:
            self.stored[(connection.userId, connection.provider)] = connection
        self.saved: list[tuple[StoredConnection, list[Any]]] = []
        self.breakers: dict[str, tuple[int, datetime | None]] = {}
        self.breaker_saves: list[tuple[str, int, datetime | None]] = []
        self.records: dict[tuple[str, str, str], tuple[str, datetime | None]] = {}  # (user, provider, ref)
        self.closed: list[tuple[str, str, str]] = []
        self.imported: list[tuple[ImportedItem, Any]] = []
        self.seen: set[tuple[str, str, str, str]] = set()
        self.states: dict[str, PendingAuthorization] = {}
        self.connected: list[tuple[StoredConnection, Any]] = []
        self.forgotten: list[StoredConnection] = []

    def connection(self, user_id: str, provider: str) -> StoredConnection | None:
        return self.stored.get((user_id, provider))

    def connections(self, user_id: str) -> list[StoredConnection]:
        return [c for (user, _), c in self.stored.items() if user == user_id]

    def connected_users(self, provider: str) -> list[str]:
        return [user for (user, p) in self.stored if p == provider]

    def save(self, connection: StoredConnection, events: list[Any] | None = None) -> StoredConnection:
        self.saved.append((connection, list(events or [])))
        self.stored[(connection.userId, connection.provider)] = connection
        return connection

    def breaker(self, provider: str) -> tuple[int, datetime | None]:
        return self.breakers.get(provider, (0, None))

    def save_breaker(self, provider: str, failures: int, open_until: datetime | None) -> None:
        self.breaker_saves.append((provider, failures, open_until))
        self.breakers[provider] = (failures, open_until)

    def record_import(self, user_id: str, provider: str, item: ImportedItem, event: Any) -> bool:
        key = (user_id, provider, item.externalRef, item.updatedAt.isoformat())
        if key in self.seen:
            return False
        self.seen.add(key)
        self.imported.append((item, event))
        return True

    def item_record(self, user_id: str, provider: str, ref: str) -> tuple[str, datetime | None] | None:
        return self.records.get((user_id, provider, ref))

    def item_state(self, user_id: str, provider: str, ref: str) -> str | None:
        record = self.records.get((user_id, provider, ref))
        return record[0] if record else None

    def mark_closed(self, user_id: str, provider: str, ref: str) -> None:
        self.closed.append((user_id, provider, ref))

    def save_state(self, pending: PendingAuthorization) -> None:
        self.states[pending.nonce] = pending

    def take_state(self, nonce: str) -> PendingAuthorization | None:
        return self.states.pop(nonce, None)

    def connect(self, connection: StoredConnection, event: Any) -> None:
        self.connected.append((connection, event))
        self.stored[(connection.userId, connection.provider)] = connection

    def forget(self, connection: StoredConnection) -> None:
        self.forgotten.append(connection)
        self.stored.pop((connection.userId, connection.provider), None)


class Vault:
    """Seals by naming the tokens it holds: ``sealed:<user>:<provider>:<n>``."""

    def __init__(self, tokens: Tokens | None = None, owner: tuple[str, str] | None = None) -> None:
        """``tokens``: what ``sealed`` holds, for ``owner`` (user, provider; any owner when None)."""
        self.held: dict[str, tuple[Tokens, tuple[str, str] | None]] = {}
        self.sealed: list[tuple[Tokens, str, str]] = []
        if tokens is not None:
            self.held["sealed"] = (tokens, owner)

    def seal(self, tokens: Tokens, user_id: str, provider: str) -> str:
        self.sealed.append((tokens, user_id, provider))
        name = f"sealed:{user_id}:{provider}:{len(self.sealed)}"
        self.held[name] = (tokens, (user_id, provider))
        return name

    def open(self, sealed: str, user_id: str, provider: str) -> Tokens:
        """The tokens; KeyError for tokens sealed for someone else (KMS's encryption context)."""
        tokens, owner = self.held[sealed]
        if owner is not None and owner != (user_id, provider):
            raise KeyError("sealed for another user or provider")
        return tokens


class Secrets:
    stateKey = "state-key"
    githubClientId = "gh-client"


class Provider:
    """Any provider's client: records every call as (method, args) and answers from ``answers``."""

    def __init__(self, configured: bool = True, **answers: Any) -> None:
        self.configured, self.answers, self.calls = configured, answers, []  # type: bool, dict[str, Any], list[Any]

    def _answer(self, method: str, *args: Any) -> Any:
        self.calls.append((method, *args))
        answer = self.answers.get(method)
        if isinstance(answer, list):
            return raise_or_return(answer.pop(0))
        return raise_or_return(answer)

    def __getattr__(self, method: str) -> Callable[..., Any]:
        """Every client method (``exchange``, ``events``, ``close_issue``...): recorded, then answered."""
        if method.startswith("_"):
            raise AttributeError(method)
        return lambda *args: self._answer(method, *args)

    def named(self, method: str) -> list[Any]:
        return [call for call in self.calls if call[0] == method]


class Profiles:
    def __init__(self, timezone: str = "UTC") -> None:
        self.zone = timezone

    def timezone(self, user_id: str) -> str:
        return self.zone if user_id == "ada" else "UTC"  # only Ada has a zone of her own


def context(repository: Repository, *, vault: Vault | None = None, github: Provider | None = None,
            google: Provider | None = None, trello: Provider | None = None, notion: Provider | None = None,
            profiles: Profiles | None = None, challenges: Any = None, breaker_seconds: int = 60) -> Integrations:
    return Integrations(
        repository=repository, github=github or Provider(), vault=vault or Vault(Tokens(accessToken="access")),  # type: ignore[arg-type]
        secrets=Secrets(), trello=trello or Provider(), notion=notion or Provider(), provider_state=None,  # type: ignore[arg-type]
        breaker_seconds=breaker_seconds, google=google, profiles=profiles, challenges=challenges,  # type: ignore[arg-type]
        retry=RetryPolicy(sleep=lambda _: None))


def connection(provider: str = "github", **fields: Any) -> StoredConnection:
    values: dict[str, Any] = {"userId": "ada", "provider": provider, "status": "connected", "account": "ada-login",
                              "scopes": ["repo"], "connectedAt": NOW, "sealedTokens": "sealed",
                              "sources": IntegrationSources()}
    return StoredConnection(**{**values, **fields})

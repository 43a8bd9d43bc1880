"""In-memory stand-ins for the gateway's unit tests: a Secrets Manager secret and a settable clock."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import ClientError

from deepiri_common.tokens import KeyStore

SECRET_NAME = "deepiri-test-jwt-keys"
ISSUER = "https://deepiri.test"
AUDIENCE = "deepiri-api"


class FakeSecretsClient:
    """One secret with Secrets Manager's versioning rules for ``put_secret_value``.

    A ClientRequestToken names a version: repeating it with the same value is an idempotent retry,
    repeating it with another value is ``ResourceExistsException``. ``before_put`` lets a test run
    something between a writer's read and its write, to stage a race.
    """

    def __init__(self, initial: str = "Zr3kq9PlaceholderGeneratedByCfn0") -> None:
        self.versions: dict[str, str] = {"version-0-created-by-cloudformation": initial}
        self.current = "version-0-created-by-cloudformation"
        self.reads = 0
        self.before_put: Callable[[], None] | None = None

    @property
    def value(self) -> str:
        return self.versions[self.current]

    def get_secret_value(self, *, SecretId: str) -> dict[str, Any]:
        assert SecretId == SECRET_NAME
        self.reads += 1
        return {"Name": SecretId, "SecretString": self.value, "VersionId": self.current}

    def put_secret_value(
        self, *, SecretId: str, SecretString: str, ClientRequestToken: str
    ) -> dict[str, Any]:
        assert SecretId == SECRET_NAME
        assert 32 <= len(ClientRequestToken) <= 64
        hook, self.before_put = self.before_put, None
        if hook is not None:
            hook()
        existing = self.versions.get(ClientRequestToken)
        if existing is not None and existing != SecretString:
            raise ClientError(
                {"Error": {"Code": "ResourceExistsException", "Message": "token already used"}},
                "PutSecretValue",
            )
        self.versions[ClientRequestToken] = SecretString
        self.current = ClientRequestToken
        return {"Name": SecretId, "VersionId": ClientRequestToken}


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def secrets() -> FakeSecretsClient:
    return FakeSecretsClient()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def key_store(secrets: FakeSecretsClient, clock: Clock) -> KeyStore:
    return KeyStore(SECRET_NAME, secrets, clock=clock)

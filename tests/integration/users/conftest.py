"""The accounts handlers in-process against moto, with the users table, rate-limit table, key secret and
bus created from template.yaml."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from deepiri_common.settings import reset_settings_cache
from deepiri_users import wiring
from deepiri_users.handlers import auth, users
from tests.support import template
from tests.support.apigw import rest_event
from tests.support.lambda_context import FakeLambdaContext

ISSUER = "https://deepiri.test"
AUDIENCE = "deepiri-api"
PASSWORD = "correct horse battery"


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str]
    raw: str


@dataclass
class Api:
    """Calls the accounts handlers as API Gateway would, and remembers every raw body they answered."""

    created: dict[str, str]
    bodies: list[str] = field(default_factory=list)

    def call(self, method: str, path: str, body: Any = None, *, user: str | None = None, roles: str = "user",
             ip: str = "203.0.113.9", query: dict[str, str] | None = None) -> Reply:
        module = users if path.startswith("/api/users") else auth
        authorizer = {"userId": user, "roles": roles} if user else None
        event = rest_event(method, path, body=body, authorizer=authorizer, query=query)
        event["requestContext"]["identity"]["sourceIp"] = ip
        response = module.handler(event, FakeLambdaContext())
        raw = response.get("body") or ""
        self.bodies.append(raw)
        headers = {**{k: v[-1] for k, v in (response.get("multiValueHeaders") or {}).items() if v},
                   **(response.get("headers") or {})}
        return Reply(response["statusCode"], json.loads(raw) if raw else None, headers, raw)

    def register(self, email: str, password: str = PASSWORD, name: str = "Ada") -> Reply:
        return self.call("POST", "/api/auth/register", {"email": email, "password": password, "displayName": name})

    def login(self, email: str, password: str = PASSWORD, ip: str = "203.0.113.9") -> Reply:
        return self.call("POST", "/api/auth/login", {"email": email, "password": password}, ip=ip)


@pytest.fixture
def api(aws: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Api]:
    created = template.create("UsersTable", "RateLimitTable", "JwtKeysSecret", "EventBus")
    for name, value in {
        "USERS_TABLE": created["UsersTable"], "RATE_LIMIT_TABLE": created["RateLimitTable"],
        "JWT_KEYS_SECRET": created["JwtKeysSecret"], "EVENT_BUS_NAME": created["EventBus"],
        "JWT_ISSUER": ISSUER, "JWT_AUDIENCE": AUDIENCE,
    }.items():
        monkeypatch.setenv(name, value)
    reset_settings_cache()
    wiring.reset()
    yield Api(created)
    reset_settings_cache()
    wiring.reset()

"""Configuration read from environment variables once per process and validated at cold start.

Each service subclasses :class:`CommonSettings` with its own fields and calls
``load_settings(MySettings)`` from its handler module's cold-start path (never at import of a logic
module); values are then passed down as arguments.

A field reads the variable named by its alias, else its name in upper case. Settings are plain
pydantic models filled from ``os.environ`` here rather than ``pydantic-settings`` models: that package
(and python-dotenv) cost every function's cold start more than the few lines below.
"""

from __future__ import annotations

import os
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

T = TypeVar("T", bound=BaseModel)

_cache: dict[type[BaseModel], BaseModel] = {}


class ConfigurationError(RuntimeError):
    """The environment does not describe a runnable function: variables are missing or invalid."""


class CommonSettings(BaseModel):
    """Variables every Deepiri function receives from ``template.yaml``."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    stage: str = "dev"
    service_name: str = Field(default="deepiri", validation_alias="POWERTOOLS_SERVICE_NAME")
    event_bus_name: str
    idempotency_table: str = ""
    rate_limit_table: str = ""
    jwt_keys_secret: str = ""
    jwt_issuer: str = "https://deepiri.local"
    jwt_audience: str = "deepiri-api"


def load_settings(model: type[T]) -> T:
    """Build ``model`` from the environment the first time it is asked for, then return the same one.

    Raises ``ConfigurationError`` naming every missing or invalid variable, never their values.
    """
    cached = _cache.get(model)
    if cached is not None:
        return cached  # type: ignore[return-value]  # the cache is keyed by the instance's own class
    try:
        settings = model.model_validate(_from_environment(model))
    except ValidationError as exc:
        # ``from None``: the ValidationError's text carries the offending input values.
        raise ConfigurationError(_describe(model, exc)) from None
    _cache[model] = settings
    return settings


def reset_settings_cache() -> None:
    """Forget every loaded settings object, so the next ``load_settings`` reads the environment again."""
    _cache.clear()


def _from_environment(model: type[BaseModel]) -> dict[str, str]:
    """The variables ``model``'s fields read, keyed as the model validates them (alias, else name)."""
    values: dict[str, str] = {}
    for name, field in model.model_fields.items():
        alias: Any = field.validation_alias or field.alias
        key = alias if isinstance(alias, str) else name
        value = os.environ.get(key.upper())
        if value is not None:
            values[key] = value
    return values


def _describe(model: type[BaseModel], exc: ValidationError) -> str:
    problems = []
    # each message is built from the error's location and message only: these flags are equivalent
    for error in exc.errors(include_input=False, include_url=False):
        # pydantic locates an error at the key the value was read under (see _from_environment), so the
        # variable is that key in upper case; an error of the whole model (a cross-field rule) has none.
        variable = str(error["loc"][0]).upper() if error["loc"] else "?"
        reason = "missing" if error["type"] == "missing" else error["msg"]
        problems.append(f"{variable} ({reason})")
    return f"invalid configuration for {model.__name__}: " + ", ".join(problems)


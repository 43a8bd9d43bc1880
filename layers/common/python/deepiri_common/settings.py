"""Configuration read from environment variables once per process and validated at cold start.

Each service subclasses :class:`CommonSettings` with its own fields and calls
``load_settings(MySettings)`` from its handler module's cold-start path (never at import of a logic
module); values are then passed down as arguments.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

T = TypeVar("T", bound=BaseSettings)

_cache: dict[type[BaseSettings], BaseSettings] = {}


class ConfigurationError(RuntimeError):
    """The environment does not describe a runnable function: variables are missing or invalid."""


class CommonSettings(BaseSettings):
    """Variables every Deepiri function receives from ``template.yaml``."""

    model_config = SettingsConfigDict(frozen=True, extra="ignore")

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
        settings = model()
    except ValidationError as exc:
        # ``from None``: the ValidationError's text carries the offending input values.
        raise ConfigurationError(_describe(model, exc)) from None
    _cache[model] = settings
    return settings


def reset_settings_cache() -> None:
    """Forget every loaded settings object, so the next ``load_settings`` reads the environment again."""
    _cache.clear()


def _describe(model: type[BaseSettings], exc: ValidationError) -> str:
    problems = []
    for error in exc.errors(include_input=False, include_url=False):
        variable = _variable_name(model, str(error["loc"][0])) if error["loc"] else "?"
        reason = "missing" if error["type"] == "missing" else error["msg"]
        problems.append(f"{variable} ({reason})")
    return f"invalid configuration for {model.__name__}: " + ", ".join(problems)


def _variable_name(model: type[BaseSettings], field_or_alias: str) -> str:
    prefix = str(model.model_config.get("env_prefix", ""))
    for name, field in model.model_fields.items():
        alias: Any = field.validation_alias
        if isinstance(alias, str) and field_or_alias in (name, alias):
            return alias.upper()
        if field_or_alias == name:
            return f"{prefix}{name}".upper()
    return field_or_alias.upper()

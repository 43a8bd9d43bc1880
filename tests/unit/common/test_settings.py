"""Settings come from the environment once per process and fail loudly, without leaking values."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from pydantic import Field, ValidationError, model_validator

from deepiri_common.settings import CommonSettings, ConfigurationError, load_settings, reset_settings_cache


class TasksSettings(CommonSettings):
    tasks_table: str
    max_tasks_per_user: int = 500


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    reset_settings_cache()
    yield
    reset_settings_cache()


@pytest.fixture
def base_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ("STAGE", "POWERTOOLS_SERVICE_NAME", "IDEMPOTENCY_TABLE", "JWT_ISSUER", "TASKS_TABLE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EVENT_BUS_NAME", "deepiri-test")
    return monkeypatch


def test_given_only_the_bus_name_when_loaded_then_defaults_fill_the_rest(
    base_env: pytest.MonkeyPatch,
) -> None:
    settings = load_settings(CommonSettings)

    assert settings.event_bus_name == "deepiri-test"
    assert settings.stage == "dev"
    assert settings.service_name == "deepiri"
    assert settings.jwt_issuer == "https://deepiri.local"
    assert settings.jwt_audience == "deepiri-api"
    assert settings.idempotency_table == ""


def test_given_variables_when_loaded_then_each_field_reads_its_variable(base_env: pytest.MonkeyPatch) -> None:
    base_env.setenv("STAGE", "prod")
    base_env.setenv("POWERTOOLS_SERVICE_NAME", "tasks")
    base_env.setenv("RATE_LIMIT_TABLE", "deepiri-prod-rate-limits")
    base_env.setenv("JWT_KEYS_SECRET", "deepiri/prod/jwt-keys")

    settings = load_settings(CommonSettings)

    assert (settings.stage, settings.service_name) == ("prod", "tasks")
    assert settings.rate_limit_table == "deepiri-prod-rate-limits"
    assert settings.jwt_keys_secret == "deepiri/prod/jwt-keys"


def test_given_a_loaded_model_when_the_environment_changes_then_the_first_object_is_kept(
    base_env: pytest.MonkeyPatch,
) -> None:
    first = load_settings(CommonSettings)
    base_env.setenv("EVENT_BUS_NAME", "another-bus")

    assert load_settings(CommonSettings) is first

    reset_settings_cache()
    assert load_settings(CommonSettings).event_bus_name == "another-bus"


def test_given_a_service_subclass_when_loaded_then_it_is_cached_apart_from_the_base(
    base_env: pytest.MonkeyPatch,
) -> None:
    base_env.setenv("TASKS_TABLE", "deepiri-test-tasks")

    tasks = load_settings(TasksSettings)
    common = load_settings(CommonSettings)

    assert isinstance(tasks, TasksSettings)
    assert tasks.tasks_table == "deepiri-test-tasks"
    assert tasks.event_bus_name == "deepiri-test"
    assert type(common) is CommonSettings


def test_given_settings_when_a_field_is_assigned_then_it_is_refused(base_env: pytest.MonkeyPatch) -> None:
    settings = load_settings(CommonSettings)

    with pytest.raises(ValidationError):
        settings.stage = "prod"  # type: ignore[misc]


def test_given_missing_and_invalid_variables_when_loaded_then_the_error_names_them_but_not_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("EVENT_BUS_NAME", raising=False)
    monkeypatch.delenv("TASKS_TABLE", raising=False)
    monkeypatch.setenv("MAX_TASKS_PER_USER", "hunter2-not-a-number")

    with pytest.raises(ConfigurationError) as raised:
        load_settings(TasksSettings)

    message = str(raised.value)
    assert "EVENT_BUS_NAME (missing)" in message
    assert "TASKS_TABLE (missing)" in message
    assert "MAX_TASKS_PER_USER" in message
    assert "hunter2" not in message
    assert raised.value.__cause__ is None and raised.value.__suppress_context__


class SigningSettings(CommonSettings):
    signing_key: str


def test_given_every_kind_of_bad_variable_then_the_whole_message_reads_exactly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # An inherited field and a field of the model are each named by the variable an operator sets
    monkeypatch.delenv("EVENT_BUS_NAME", raising=False)
    monkeypatch.delenv("SIGNING_KEY", raising=False)
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "x")

    with pytest.raises(ConfigurationError) as raised:
        load_settings(SigningSettings)

    assert str(raised.value) == (
        "invalid configuration for SigningSettings: EVENT_BUS_NAME (missing), SIGNING_KEY (missing)")


def test_given_an_aliased_variable_that_is_invalid_then_the_alias_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    class Strict(CommonSettings):
        service_name: int = Field(default=1, validation_alias="POWERTOOLS_SERVICE_NAME")  # type: ignore[assignment]

    monkeypatch.setenv("EVENT_BUS_NAME", "b")
    monkeypatch.setenv("POWERTOOLS_SERVICE_NAME", "not-a-number")

    with pytest.raises(ConfigurationError) as raised:
        load_settings(Strict)

    assert str(raised.value).startswith("invalid configuration for Strict: POWERTOOLS_SERVICE_NAME (")
    assert "(missing)" not in str(raised.value)  # an invalid value says what is wrong with it
    assert "not-a-number" not in str(raised.value)


def test_given_the_defaults_then_tokens_are_issued_for_the_local_issuer_and_the_api_audience(
    base_env: pytest.MonkeyPatch,
) -> None:
    for name in ("RATE_LIMIT_TABLE", "JWT_KEYS_SECRET", "JWT_AUDIENCE"):
        base_env.delenv(name, raising=False)

    settings = load_settings(CommonSettings)

    assert (settings.stage, settings.service_name, settings.idempotency_table) == ("dev", "deepiri", "")
    assert (settings.rate_limit_table, settings.jwt_keys_secret) == ("", "")
    assert (settings.jwt_issuer, settings.jwt_audience) == ("https://deepiri.local", "deepiri-api")


class Limits(CommonSettings):
    min_size: int = 1
    max_size: int = 10

    @model_validator(mode="after")
    def _ordered(self) -> Limits:
        if self.min_size > self.max_size:
            raise ValueError("MIN_SIZE is above MAX_SIZE")
        return self


def test_given_a_rule_across_variables_that_is_broken_then_its_message_is_given_without_a_variable_or_values(
    base_env: pytest.MonkeyPatch,
) -> None:
    base_env.setenv("MIN_SIZE", "777")
    base_env.setenv("MAX_SIZE", "5")

    with pytest.raises(ConfigurationError) as raised:
        load_settings(Limits)

    assert str(raised.value) == "invalid configuration for Limits: ? (Value error, MIN_SIZE is above MAX_SIZE)"

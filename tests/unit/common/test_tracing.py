"""Tracing is on inside Lambda unless the stage switches it off; where it is off, a traced handler is the
handler itself and no tracer (no X-Ray SDK) is ever built. Where it is on, Powertools' tracer wraps the
handler with the options the handler asked for. A recording tracer stands in for Powertools' own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aws_lambda_powertools import Tracer

from deepiri_common.observability import LazyTracer, tracing_enabled


@pytest.fixture
def in_lambda(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setenv("LAMBDA_TASK_ROOT", "/var/task")
    monkeypatch.delenv("POWERTOOLS_TRACE_DISABLED", raising=False)
    return monkeypatch


@pytest.fixture
def outside_lambda(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv("LAMBDA_TASK_ROOT", raising=False)
    monkeypatch.delenv("POWERTOOLS_TRACE_DISABLED", raising=False)
    return monkeypatch


class RecordingTracer:
    """Wraps what it traces so that a call through the wrapper is seen, and keeps the options it got."""

    def __init__(self) -> None:
        self.handlers: list[tuple[Callable[..., Any], bool | None, bool | None]] = []
        self.methods: list[Callable[..., Any]] = []
        self.calls: list[str] = []

    def capture_lambda_handler(
        self, function: Callable[..., Any], *, capture_response: bool | None = None,
        capture_error: bool | None = None,
    ) -> Callable[..., Any]:
        self.handlers.append((function, capture_response, capture_error))
        return self._wrap(function)

    def capture_method(self, method: Callable[..., Any]) -> Callable[..., Any]:
        self.methods.append(method)
        return self._wrap(method)

    def _wrap(self, function: Callable[..., Any]) -> Callable[..., Any]:
        def traced(*args: Any) -> Any:
            self.calls.append(function.__name__)
            return function(*args)

        return traced


class Builds:
    """A tracer builder that counts how often it is asked."""

    def __init__(self) -> None:
        self.tracer = RecordingTracer()
        self.count = 0

    def __call__(self) -> Any:
        self.count += 1
        return self.tracer


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"statusCode": 200, "body": event["name"]}


def test_given_lambda_without_a_stage_setting_then_tracing_is_on(in_lambda: pytest.MonkeyPatch) -> None:
    assert tracing_enabled()


def test_given_no_lambda_then_tracing_is_off_whatever_the_stage_says(outside_lambda: pytest.MonkeyPatch) -> None:
    assert not tracing_enabled()
    outside_lambda.setenv("POWERTOOLS_TRACE_DISABLED", "false")
    assert not tracing_enabled()


@pytest.mark.parametrize("value", ["1", "true", "TRUE", " True ", "yes", "on"])
def test_given_lambda_and_the_stage_switches_tracing_off_then_it_is_off(
    in_lambda: pytest.MonkeyPatch, value: str
) -> None:
    in_lambda.setenv("POWERTOOLS_TRACE_DISABLED", value)
    assert not tracing_enabled()


@pytest.mark.parametrize("value", ["false", "0", "no", "off", ""])
def test_given_lambda_and_the_stage_leaves_tracing_on_then_it_is_on(
    in_lambda: pytest.MonkeyPatch, value: str
) -> None:
    in_lambda.setenv("POWERTOOLS_TRACE_DISABLED", value)
    assert tracing_enabled()


def test_given_tracing_off_then_a_traced_handler_is_the_handler_and_no_tracer_is_built(
    outside_lambda: pytest.MonkeyPatch,
) -> None:
    builds = Builds()
    tracer = LazyTracer(builds)

    assert tracer.capture_lambda_handler(handler) is handler
    assert tracer.capture_lambda_handler(capture_response=False)(handler) is handler
    assert tracer.capture_method(handler) is handler
    assert builds.count == 0


def test_given_tracing_on_then_the_handler_runs_through_the_tracer_with_the_options_it_asked_for(
    in_lambda: pytest.MonkeyPatch,
) -> None:
    builds = Builds()
    tracer = LazyTracer(builds)

    quiet = tracer.capture_lambda_handler(capture_response=False)(handler)
    plain = tracer.capture_lambda_handler(handler)
    errors_kept = tracer.capture_lambda_handler(capture_error=True)(handler)

    assert quiet({"name": "a"}, None) == {"statusCode": 200, "body": "a"}
    assert plain({"name": "b"}, None) == {"statusCode": 200, "body": "b"}
    assert errors_kept({"name": "c"}, None) == {"statusCode": 200, "body": "c"}
    assert builds.tracer.handlers == [(handler, False, None), (handler, None, None), (handler, None, True)]
    assert builds.tracer.calls == ["handler", "handler", "handler"]
    assert builds.count == 1  # one tracer for the process


def test_given_tracing_on_then_a_method_is_traced_as_a_subsegment(in_lambda: pytest.MonkeyPatch) -> None:
    builds = Builds()
    traced = LazyTracer(builds).capture_method(handler)

    assert traced({"name": "m"}, None) == {"statusCode": 200, "body": "m"}
    assert builds.tracer.methods == [handler]
    assert builds.tracer.calls == ["handler"]


def test_given_no_builder_then_the_tracer_is_powertools_own_and_made_once(outside_lambda: pytest.MonkeyPatch) -> None:
    # Outside Lambda Powertools' tracer is disabled, so building it patches nothing.
    tracer = LazyTracer()

    provider = tracer.provider()

    assert isinstance(provider, Tracer)
    assert tracer.provider() is provider

"""`make bench`: the helpers of the login and authorizer benchmarks, without a stack."""

from __future__ import annotations

import io
import urllib.error
from collections.abc import Mapping
from typing import Any

import pytest

from infra import bench

REST = "http://127.0.0.1:4566/_aws/execute-api/abc/dev"


def _http_error(code: int) -> urllib.error.HTTPError:
    body = io.BytesIO(b'{"title": "Too Many Requests", "detail": "slow down"}')
    return urllib.error.HTTPError(f"{REST}/api/auth/login", code, "error", {}, body)  # type: ignore[arg-type]


def test_given_the_login_rate_limit_answers_then_the_loop_stops_with_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []

    def post(url: str, body: Mapping[str, Any], timeout: float) -> dict[str, Any]:
        calls.append(url)
        if len(calls) > 3:
            raise _http_error(429)
        return {"accessToken": "token"}

    monkeypatch.setattr(bench, "_post_json", post)
    notes: list[str] = []
    user = bench.BenchUser(email="bench@example.com", password="p" * 30, access_token="token")

    timings = bench._login_timings(REST, user, 1, 14, budget=60.0, notes=notes)

    assert len(calls) == 4
    assert len(timings) == 2
    assert notes and "429" in notes[0]


def test_given_another_login_error_then_the_benchmark_fails_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    def post(url: str, body: Mapping[str, Any], timeout: float) -> dict[str, Any]:
        raise _http_error(401)

    monkeypatch.setattr(bench, "_post_json", post)
    user = bench.BenchUser(email="bench@example.com", password="p" * 30, access_token="token")

    with pytest.raises(bench.BenchError, match="401"):
        bench._login_timings(REST, user, 1, 14, budget=60.0, notes=[])


def test_given_two_benchmarks_ask_for_a_user_then_one_is_registered_per_run(monkeypatch: pytest.MonkeyPatch) -> None:
    bodies: list[Mapping[str, Any]] = []

    def post(url: str, body: Mapping[str, Any], timeout: float) -> dict[str, Any]:
        bodies.append(body)
        return {"tokens": {"accessToken": "token"}}

    monkeypatch.setattr(bench, "_post_json", post)
    monkeypatch.setattr(bench, "_USERS", {})

    first, second = bench.bench_user(REST), bench.bench_user(REST)

    assert first is second
    assert len(bodies) == 1
    assert len(str(bodies[0]["password"])) >= 12


def test_given_a_ratio_below_one_then_it_keeps_two_decimals() -> None:
    assert bench._cell(0.134, is_ratio=True).strip() == "0.13x"
    assert bench._cell(2.84, is_ratio=True).strip() == "2.8x"

"""The two providers behind classify: Bedrock's tool answer validated, the local engine on every failure,
an open breaker shared through the table, and a spent daily token budget answered 429."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from deepiri_ai.logic.classifier import local_model
from deepiri_ai.logic.engine import CLASSIFY_TOOL, BedrockSettings, Providers, ask_tool, classify, failed
from deepiri_ai.models.agent import ClassifyRequest
from deepiri_common.problems import TooManyRequests
from tests.unit.ai.fakes import FakeBedrock, FakeGuards

NOW = datetime(2026, 11, 30, 18, 0, tzinfo=UTC)
MODEL = "test-model"


def _tool(**tool_input: Any) -> dict[str, Any]:
    return {"output": {"message": {"role": "assistant", "content": [
        {"toolUse": {"toolUseId": "t1", "name": "record_classification", "input": tool_input}}]}},
        "usage": {"inputTokens": 120, "outputTokens": 30, "totalTokens": 150}, "stopReason": "tool_use"}


CANNED = {"output": {"message": {"role": "assistant", "content": [{"text": "This is a mock response."}]}},
          "usage": {"inputTokens": 10, "outputTokens": 5, "totalTokens": 15}, "stopReason": "end_turn"}
ESSAY = ClassifyRequest(title="Write essay on capital")


def _providers(bedrock: FakeBedrock, guards: FakeGuards, daily: int = 1_000) -> Providers:
    return Providers(provider="bedrock", model=local_model(), bedrock=bedrock, guards=guards,  # type: ignore[arg-type]
                     settings=BedrockSettings(model_id=MODEL, daily_tokens=daily))


def test_given_a_valid_tool_answer_then_bedrock_answers_and_its_tokens_are_spent() -> None:
    guards = FakeGuards()
    bedrock = FakeBedrock(_tool(category="writing", difficulty="hard", estimateMinutes=180, confidence=0.9))

    result = classify(_providers(bedrock, guards), "alice", ESSAY, NOW)

    assert (result.provider, result.category, result.difficulty, result.estimateMinutes) == (
        "bedrock", "writing", "hard", 180)
    assert guards.spent == {("alice", "2026-11-30"): 150}
    request = bedrock.requests[0]
    assert request["toolConfig"]["toolChoice"] == {"tool": {"name": "record_classification"}}
    assert "Write essay on capital" in request["messages"][0]["content"][0]["text"]  # data in the user turn
    assert "Write essay" not in request["system"][0]["text"]


def test_given_the_canned_text_answer_then_the_local_engine_answers_and_the_failure_counts() -> None:
    guards = FakeGuards()

    result = classify(_providers(FakeBedrock(CANNED), guards), "alice", ESSAY, NOW)

    assert (result.provider, result.fallbackReason, result.category) == ("local", "invalid-answer", "writing")
    assert guards.failures == 1


def test_given_a_tool_answer_outside_the_schema_then_it_is_refused_and_local_answers() -> None:
    bedrock = FakeBedrock(_tool(category="hacking", difficulty="hard", estimateMinutes=5, confidence=1))
    result = classify(_providers(bedrock, FakeGuards()), "alice", ESSAY, NOW)
    assert (result.provider, result.category) == ("local", "writing")


def test_given_an_open_breaker_then_bedrock_is_not_called() -> None:
    guards, bedrock = FakeGuards(), FakeBedrock()
    guards.open_until = NOW.timestamp() + 30

    result = classify(_providers(bedrock, guards), "alice", ESSAY, NOW)

    assert (result.provider, result.fallbackReason) == ("local", "breaker-open") and bedrock.requests == []


def test_given_three_failures_in_a_row_then_the_breaker_opens_for_every_instance() -> None:
    guards = FakeGuards()
    for _ in range(3):
        classify(_providers(FakeBedrock(CANNED), guards), "alice", ESSAY, NOW)
    assert guards.open_until == NOW.timestamp() + 60


def test_given_throttling_then_it_is_retried_with_jitter_and_then_answers(monkeypatch: pytest.MonkeyPatch) -> None:
    waits: list[float] = []
    monkeypatch.setattr("deepiri_ai.dal.bedrock.time.sleep", waits.append)
    throttled = ClientError({"Error": {"Code": "ThrottlingException", "Message": "slow down"}}, "Converse")
    bedrock = FakeBedrock(throttled, _tool(category="code", difficulty="easy", estimateMinutes=20, confidence=0.8))

    result = classify(_providers(bedrock, FakeGuards()), "alice", ClassifyRequest(title="fix bug"), NOW)

    assert result.provider == "bedrock" and len(bedrock.requests) == 2
    assert len(waits) == 1 and 0 <= waits[0] <= 0.2


def test_given_an_access_error_then_it_is_not_retried_and_local_answers() -> None:
    denied = ClientError({"Error": {"Code": "AccessDeniedException", "Message": "no"}}, "Converse")
    bedrock, guards = FakeBedrock(denied), FakeGuards()
    result = classify(_providers(bedrock, guards), "alice", ESSAY, NOW)
    assert (result.provider, result.fallbackReason, len(bedrock.requests), guards.failures) == (
        "local", "provider-failed", 1, 1)


def test_given_a_spent_budget_then_429_with_retry_after_until_utc_midnight() -> None:
    guards = FakeGuards()
    guards.spent[("alice", "2026-11-30")] = 1_000

    with pytest.raises(TooManyRequests) as raised:
        classify(_providers(FakeBedrock(), guards), "alice", ESSAY, NOW)

    assert raised.value.retry_after == 6 * 3600 + 1
    assert str(raised.value) == "today's AI token budget is spent; it renews at midnight UTC"
    assert classify(_providers(FakeBedrock(CANNED), guards), "bob", ESSAY, NOW).provider == "local"  # bob's own


def test_given_the_local_provider_then_no_guard_or_client_is_touched() -> None:
    result = classify(Providers(provider="local", model=local_model()), "alice", ESSAY, NOW)
    assert (result.provider, result.fallbackReason) == ("local", None)


def test_given_a_bedrock_answer_then_the_request_is_exact_and_the_breaker_is_reset() -> None:
    guards = FakeGuards()
    guards.failures = 2
    bedrock = FakeBedrock(_tool(category="code", difficulty="easy", estimateMinutes=30, confidence=0.6))

    result = classify(_providers(bedrock, guards), "alice", ClassifyRequest(title="fix bug", description="in api"), NOW)

    assert result.alternatives == [] and result.fallbackReason is None and result.confidence == 0.6
    assert bedrock.requests[0]["messages"][0]["content"][0]["text"] == "Title: fix bug\nDescription: in api"
    assert bedrock.requests[0]["inferenceConfig"] == {"maxTokens": 512, "temperature": 0}
    assert bedrock.requests[0]["modelId"] == MODEL and guards.failures == 0 and guards.successes == 1
    assert guards.models == {MODEL}


def test_given_no_description_then_it_is_said_to_be_none() -> None:
    bedrock = FakeBedrock(_tool(category="code", difficulty="easy", estimateMinutes=30, confidence=0.6))
    classify(_providers(bedrock, FakeGuards()), "alice", ClassifyRequest(title="fix bug"), NOW)
    assert bedrock.requests[0]["messages"][0]["content"][0]["text"] == "Title: fix bug\nDescription: (none)"


def test_given_the_local_engine_then_its_alternatives_are_the_next_three_likeliest() -> None:
    result = classify(Providers(provider="local", model=local_model()), "alice", ESSAY, NOW)
    prediction = local_model().predict("Write essay on capital")
    assert [(alt.category, alt.confidence) for alt in result.alternatives] == list(prediction.alternatives)
    assert (result.difficulty, result.estimateMinutes, result.confidence) == (
        prediction.difficulty, prediction.estimate_minutes, prediction.confidence)


def test_given_spent_tokens_then_they_expire_two_days_later_and_a_budget_just_under_is_not_spent() -> None:
    recorded: list[tuple[str, str, int, int]] = []

    class Recording(FakeGuards):
        def spend(self, user_id: str, day: str, tokens: int, expires_at: int) -> int:
            recorded.append((user_id, day, tokens, expires_at))
            return super().spend(user_id, day, tokens, expires_at)

    guards = Recording()
    guards.spent[("alice", "2026-11-30")] = 999
    classify(_providers(FakeBedrock(_tool(category="code", difficulty="easy", estimateMinutes=30, confidence=0.6)),
                        guards, daily=1_000), "alice", ESSAY, NOW)
    assert recorded == [("alice", "2026-11-30", 150, int(NOW.timestamp()) + 2 * 86_400)]


def test_given_bedrock_without_guards_then_ask_tool_gives_no_answer_and_no_reason() -> None:
    providers = Providers(provider="bedrock", model=local_model(), bedrock=FakeBedrock())
    assert ask_tool(providers, "alice", NOW, ("s", "u"), CLASSIFY_TOOL, validate=dict) == (None, None)
    failed(providers, NOW)  # nothing to count against: no error either
    assert classify(providers, "alice", ESSAY, NOW).provider == "local"


def test_given_a_breaker_open_until_exactly_now_then_bedrock_is_asked_again() -> None:
    guards = FakeGuards()
    guards.open_until = NOW.timestamp()
    bedrock = FakeBedrock(_tool(category="code", difficulty="easy", estimateMinutes=30, confidence=0.6))
    assert classify(_providers(bedrock, guards), "alice", ESSAY, NOW).provider == "bedrock"


def test_given_a_description_then_the_local_engine_reads_it_too() -> None:
    request = ClassifyRequest(title="Task", description="fix the memory leak in the websocket server in python")
    result = classify(Providers(provider="local", model=local_model()), "alice", request, NOW)
    assert result.category == "code" != local_model().predict("Task").category


def test_given_the_local_provider_with_bedrock_parts_then_they_are_not_used() -> None:
    guards, bedrock = FakeGuards(), FakeBedrock()
    providers = Providers(provider="local", model=local_model(), bedrock=bedrock, guards=guards,  # type: ignore[arg-type]
                          settings=BedrockSettings(model_id=MODEL, daily_tokens=1))
    assert classify(providers, "alice", ESSAY, NOW).provider == "local"
    assert bedrock.requests == [] and guards.models == set()


def test_given_bedrock_with_only_one_of_its_parts_then_nothing_is_asked_or_counted() -> None:
    guards_only = Providers(provider="bedrock", model=local_model(), bedrock=FakeBedrock(),
                            guards=FakeGuards())  # type: ignore[arg-type]
    settings_only = Providers(provider="bedrock", model=local_model(), bedrock=FakeBedrock(),
                              settings=BedrockSettings(model_id=MODEL, daily_tokens=1))
    assert ask_tool(guards_only, "alice", NOW, ("s", "u"), CLASSIFY_TOOL, validate=dict) == (None, None)
    assert ask_tool(settings_only, "alice", NOW, ("s", "u"), CLASSIFY_TOOL, validate=dict) == (None, None)
    failed(settings_only, NOW)
    failed(guards_only, NOW)
    assert guards_only.guards.failures == 0  # type: ignore[union-attr]

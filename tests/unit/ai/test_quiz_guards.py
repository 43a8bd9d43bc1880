"""Quiz drafts at the guards' edges: the request sent, the budget and breaker limits, failures recorded."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from deepiri_ai.logic.classifier import local_model
from deepiri_ai.logic.engine import BedrockSettings, Providers
from deepiri_ai.logic.quiz import QUIZ_TOOL, SYSTEM, draft
from deepiri_ai.models.quiz import DraftRequest
from tests.unit.ai.fakes import FakeBedrock, FakeGuards

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
SETTINGS = BedrockSettings(model_id="model-q", daily_tokens=1_000, breaker_threshold=2, cool_off_seconds=90)


def _request(description: str | None = "Sections 4.1 to 4.3", kind: str = "puzzle") -> DraftRequest:
    return DraftRequest.model_validate({"userId": "alice", "type": kind, "questions": 3, "task": {
        "title": "Study chapter 4", "description": description, "category": "study", "difficulty": "hard",
        "estimateMinutes": 60}})


def _questions(count: int) -> dict[str, Any]:
    questions = [{"question": f"Q{n}?", "options": ["a", "b", "c", "d"], "correctAnswer": 3, "points": 5 + n}
                 for n in range(count)]
    return {"output": {"message": {"content": [{"toolUse": {"toolUseId": "t", "name": "record_quiz",
                                                            "input": {"questions": questions}}}]}},
            "usage": {"totalTokens": 250}}


def _providers(bedrock: FakeBedrock, guards: FakeGuards) -> Providers:
    return Providers(provider="bedrock", model=local_model(), bedrock=bedrock, guards=guards,  # type: ignore[arg-type]
                     settings=SETTINGS)


def _refused(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": "no"}}, "Converse")


def test_given_a_draft_then_bedrock_is_asked_with_the_task_as_data_and_the_forced_tool() -> None:
    bedrock, guards = FakeBedrock(_questions(3)), FakeGuards()

    answer = draft(_providers(bedrock, guards), _request(), NOW)

    assert answer.provider == "bedrock" and answer.reason is None
    assert [(q.question, q.points) for q in answer.questions or []] == [("Q0?", 5), ("Q1?", 6), ("Q2?", 7)]
    [sent] = bedrock.requests
    assert sent["modelId"] == "model-q" and sent["system"] == [{"text": SYSTEM}]
    assert sent["messages"] == [{"role": "user", "content": [{"text": (
        "Write 3 puzzle questions.\nTask title: Study chapter 4\nDescription: Sections 4.1 to 4.3\n"
        "Category: study; difficulty: hard")}]}]
    assert sent["toolConfig"] == {"tools": [{"toolSpec": QUIZ_TOOL}], "toolChoice": {"tool": {"name": "record_quiz"}}}
    assert sent["inferenceConfig"]["maxTokens"] == 2_000
    assert guards.spent == {("alice", "2026-11-30"): 250} and guards.successes == 1 and guards.models == {"model-q"}


def test_given_no_description_then_the_prompt_says_none() -> None:
    bedrock = FakeBedrock(_questions(3))
    draft(_providers(bedrock, FakeGuards()), _request(None, "quiz"), NOW)
    assert bedrock.requests[0]["messages"][0]["content"][0]["text"] == (
        "Write 3 quiz questions.\nTask title: Study chapter 4\nDescription: (none)\nCategory: study; difficulty: hard")


def test_given_a_budget_one_token_short_of_spent_then_the_draft_is_made() -> None:
    guards, bedrock = FakeGuards(), FakeBedrock(_questions(3))
    guards.spent[("alice", "2026-11-30")] = 999
    assert draft(_providers(bedrock, guards), _request(), NOW).provider == "bedrock"
    assert guards.spent[("alice", "2026-11-30")] == 1_249


def test_given_yesterday_s_spending_then_today_s_budget_is_whole() -> None:
    guards = FakeGuards()
    guards.spent[("alice", "2026-11-29")] = 1_000
    assert draft(_providers(FakeBedrock(_questions(3)), guards), _request(), NOW).provider == "bedrock"


def test_given_an_open_breaker_then_no_call_until_the_instant_it_closes() -> None:
    guards, bedrock = FakeGuards(), FakeBedrock(_questions(3))
    guards.open_until = NOW.timestamp() + 1
    answer = draft(_providers(bedrock, guards), _request(), NOW)
    assert (answer.provider, answer.reason) == (None, "the AI provider is unavailable (circuit open)")
    assert bedrock.requests == [] and guards.models == {"model-q"}

    guards.open_until = NOW.timestamp()  # closes now: the call is made
    assert draft(_providers(bedrock, guards), _request(), NOW).provider == "bedrock"


def test_given_the_provider_failing_then_a_failure_is_recorded_and_the_breaker_opens_at_its_threshold() -> None:
    guards = FakeGuards()
    bedrock = FakeBedrock(_refused("AccessDeniedException"), _refused("AccessDeniedException"))

    first = draft(_providers(bedrock, guards), _request(), NOW)
    assert (first.provider, first.reason) == (None, "the AI provider failed")
    assert guards.failures == 1 and guards.open_until == 0.0 and guards.spent == {}
    assert guards.models == {"model-q"}  # the failure is the model's

    draft(_providers(bedrock, guards), _request(), NOW)
    assert guards.open_until == NOW.timestamp() + 90  # threshold 2, cool-off 90 s, from the settings


def test_given_answers_that_do_not_validate_then_each_is_a_failure_toward_the_breaker_and_tokens_are_spent() -> None:
    guards = FakeGuards()
    no_tool = {"output": {"message": {"content": [{"text": "Here are your questions"}]}}, "usage": {"totalTokens": 40}}
    bedrock = FakeBedrock(no_tool, _questions(4))

    for _ in range(2):
        answer = draft(_providers(bedrock, guards), _request(), NOW)
        assert (answer.provider, answer.reason) == (None, "the AI provider's answer did not validate")
    assert guards.spent == {("alice", "2026-11-30"): 40 + 250} and guards.successes == 0
    assert guards.models == {"model-q"}
    assert guards.open_until == NOW.timestamp() + 90


def test_given_bedrock_chosen_without_guards_or_settings_then_the_local_reason() -> None:
    bedrock = FakeBedrock(_questions(3))
    for providers in (Providers(provider="bedrock", model=local_model(), bedrock=bedrock, settings=SETTINGS),
                      Providers(provider="bedrock", model=local_model(), bedrock=bedrock, guards=FakeGuards())):  # type: ignore[arg-type]
        assert draft(providers, _request(), NOW).reason == "the local engine cannot write quiz or puzzle questions"
    assert bedrock.requests == []


def test_given_the_local_provider_chosen_with_guards_and_settings_wired_then_bedrock_is_not_called() -> None:
    bedrock = FakeBedrock(_questions(3))
    providers = Providers(provider="local", model=local_model(), bedrock=bedrock, guards=FakeGuards(),  # type: ignore[arg-type]
                          settings=SETTINGS)
    assert draft(providers, _request(), NOW).reason == "the local engine cannot write quiz or puzzle questions"
    assert bedrock.requests == []

"""Quiz drafts for the challenges service: Bedrock's questions validated, a plain reason otherwise."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from deepiri_ai.handlers.draft import handler
from deepiri_ai.logic.classifier import local_model
from deepiri_ai.logic.engine import BedrockSettings, Providers
from deepiri_ai.logic.quiz import draft
from deepiri_ai.models.quiz import DraftRequest
from tests.unit.ai.fakes import FakeBedrock, FakeGuards

NOW = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
REQUEST = DraftRequest.model_validate({"userId": "alice", "type": "quiz", "questions": 3, "task": {
    "title": "Study chapter 4", "description": None, "category": "study", "difficulty": "medium",
    "estimateMinutes": 60}})


def _questions(count: int, options: list[str] | None = None) -> dict[str, Any]:
    questions = [{"question": f"Q{n}?", "options": options or ["a", "b", "c", "d"], "correctAnswer": n % 4,
                  "points": 10} for n in range(count)]
    return {"output": {"message": {"content": [{"toolUse": {"toolUseId": "t", "name": "record_quiz",
                                                            "input": {"questions": questions}}}]}},
            "usage": {"totalTokens": 400}}


def _providers(bedrock: FakeBedrock, guards: FakeGuards) -> Providers:
    return Providers(provider="bedrock", model=local_model(), bedrock=bedrock, guards=guards,  # type: ignore[arg-type]
                     settings=BedrockSettings(model_id="m", daily_tokens=1_000))


def test_given_bedrock_answers_the_questions_asked_then_they_are_returned_and_tokens_spent() -> None:
    guards = FakeGuards()
    answer = draft(_providers(FakeBedrock(_questions(3)), guards), REQUEST, NOW)
    assert answer.provider == "bedrock" and [q.correctAnswer for q in answer.questions or []] == [0, 1, 2]
    assert guards.spent == {("alice", "2026-11-30"): 400}


def test_given_too_few_questions_or_repeated_options_then_no_draft_and_a_reason() -> None:
    for reply in (_questions(2), _questions(3, ["a", "a", "b", "c"])):
        answer = draft(_providers(FakeBedrock(reply), FakeGuards()), REQUEST, NOW)
        assert (answer.provider, answer.reason) == (None, "the AI provider's answer did not validate")


def test_given_the_local_engine_then_it_says_it_cannot_write_quizzes() -> None:
    answer = draft(Providers(provider="local", model=local_model()), REQUEST, NOW)
    assert (answer.provider, answer.reason) == (None, "the local engine cannot write quiz or puzzle questions")


def test_given_a_spent_budget_then_no_call_and_a_reason() -> None:
    guards, bedrock = FakeGuards(), FakeBedrock()
    guards.spent[("alice", "2026-11-30")] = 1_000
    assert draft(_providers(bedrock, guards), REQUEST, NOW).reason == "the user's AI token budget for today is spent"
    assert bedrock.requests == []


def test_given_an_invalid_payload_then_the_function_answers_null_naming_the_fields() -> None:
    assert handler({"userId": "alice", "type": "essay", "questions": 30}, None) == {
        "provider": None, "reason": "invalid request: type, task, questions"}

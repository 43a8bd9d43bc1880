"""Quiz and puzzle questions from the AI service's internal draft function.

Request ``{"userId", "type": "quiz"|"puzzle", "task": {title, description, category, difficulty,
estimateMinutes}, "questions": 3-10}``; answer ``{"provider": ..., "questions": [{question, options[4],
correctAnswer, points}]}`` or ``{"provider": null, "reason"}``. Any failure (no such function, an error, an
answer that does not validate, ``provider: null``) means "cannot make one now": ``None``.
"""

from __future__ import annotations

import json
from typing import Any, Protocol

from pydantic import BaseModel, Field, ValidationError

from deepiri_challenges.models.challenges import StoredQuestion
from deepiri_common.observability import logger


class DraftTask(BaseModel):
    title: str
    description: str
    category: str
    difficulty: str
    estimateMinutes: int | None


class _Draft(BaseModel):
    provider: str | None
    questions: list[StoredQuestion] = Field(default_factory=list, max_length=10)


class Drafts(Protocol):
    def questions(self, user_id: str, kind: str, task: DraftTask, count: int) -> list[StoredQuestion] | None:
        """``count`` questions for a quiz or puzzle about ``task``; None when none can be made."""


class LambdaDrafts:
    """The AI service's draft function, invoked synchronously."""

    def __init__(self, function_name: str, client: Any) -> None:
        self._function, self._client = function_name, client

    def questions(self, user_id: str, kind: str, task: DraftTask, count: int) -> list[StoredQuestion] | None:
        if not self._function:
            return None
        request = {"userId": user_id, "type": kind, "task": task.model_dump(), "questions": count}
        try:
            answer = self._client.invoke(FunctionName=self._function, InvocationType="RequestResponse",
                                         Payload=json.dumps(request).encode())
            if answer.get("FunctionError"):
                raise RuntimeError("the draft function failed")
            payload = answer["Payload"]
            draft = _Draft.model_validate_json(payload.read() if hasattr(payload, "read") else payload)
        except (ValidationError, RuntimeError, ValueError, KeyError) as exc:
            logger.warning("no draft", extra={"reason": type(exc).__name__})
            return None
        except Exception as exc:  # noqa: BLE001 - a missing function, no permission, no network: no quiz, no error
            logger.warning("no draft", extra={"reason": type(exc).__name__})
            return None
        if draft.provider is None or len(draft.questions) < 3:
            return None
        return draft.questions

"""``deepiri-<stage>-ai-draft``: an internal function (no route) the challenges service invokes directly for
quiz or puzzle questions. A payload that does not validate is answered ``{"provider": null, "reason"}``
naming the fields, never raised: the caller is a service that offers another challenge type instead."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from deepiri_ai import wiring
from deepiri_ai.logic import quiz
from deepiri_ai.models.quiz import DraftAnswer, DraftRequest
from deepiri_common.clock import utc_now
from deepiri_common.observability import logger


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    try:
        request = DraftRequest.model_validate(event)
    except ValidationError as exc:
        fields = ", ".join(".".join(map(str, error["loc"])) for error in exc.errors(include_input=False))
        return _wire(DraftAnswer(provider=None, reason=f"invalid request: {fields}"))
    answer = quiz.draft(wiring.providers(), request, utc_now())
    logger.info("drafted", extra={"provider": answer.provider, "questions": len(answer.questions or []),
                                  "reason": answer.reason})
    return _wire(answer)


def _wire(answer: DraftAnswer) -> dict[str, Any]:
    """``{"provider": "bedrock", "questions": [...]}`` or ``{"provider": null, "reason": "..."}``."""
    return answer.model_dump(exclude={"questions"} if answer.provider is None else {"reason"})

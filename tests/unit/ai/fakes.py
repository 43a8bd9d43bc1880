"""In-memory fakes of the Bedrock client and the shared guards (the DynamoDB guards: tests/integration/ai)."""

from __future__ import annotations

import copy
from typing import Any


class FakeGuards:
    """The breaker and budgets in memory (the DynamoDB ones: tests/integration/ai)."""

    def __init__(self) -> None:
        self.open_until = 0.0
        self.failures = 0
        self.spent: dict[tuple[str, str], int] = {}
        self.models: set[str] = set()  # the model ids the breaker was read or written for
        self.successes = 0

    def breaker_open_until(self, model_id: str) -> float:
        self.models.add(model_id)
        return self.open_until

    def record_failure(self, model_id: str, now: float, threshold: int, cool_off: int) -> None:
        self.models.add(model_id)
        self.failures += 1
        if self.failures >= threshold:
            self.open_until, self.failures = now + cool_off, 0

    def record_success(self, model_id: str) -> None:
        self.models.add(model_id)
        self.successes += 1
        self.failures = 0

    def tokens_spent(self, user_id: str, day: str) -> int:
        return self.spent.get((user_id, day), 0)

    def spend(self, user_id: str, day: str, tokens: int, expires_at: int) -> int:
        self.spent[(user_id, day)] = self.spent.get((user_id, day), 0) + tokens
        return self.spent[(user_id, day)]


class FakeBedrock:
    """Converse answering from a script: a dict answer, or an exception to raise."""

    def __init__(self, *answers: Any) -> None:
        self.answers, self.requests = list(answers), []

    def converse(self, **request: Any) -> dict[str, Any]:
        self.requests.append(copy.deepcopy(request))  # as sent: the caller may extend its lists afterwards
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

"""The AI service's resources on moto, built from template.yaml, with its functions' environment."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from deepiri_ai import wiring
from tests.support import template


@pytest.fixture
def ai(aws: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    with template.deployed(monkeypatch, wiring.reset, EVENT_BUS_NAME="EventBus", AI_TABLE="AiTable",
                           DEAD_LETTER_QUEUE_URL="AiEvents.DeadLetterQueue",
                           IDEMPOTENCY_TABLE="IdempotencyTable") as created:
        yield created

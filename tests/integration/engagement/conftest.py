"""The engagement service's resources on moto, built from template.yaml, with its functions' environment."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from deepiri_engagement import wiring
from tests.support import template


@pytest.fixture
def engagement(aws: object, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    with template.deployed(monkeypatch, wiring.reset, EVENT_BUS_NAME="EventBus", ENGAGEMENT_TABLE="EngagementTable",
                           BOARDS_TABLE="BoardsTable",
                           DEAD_LETTER_QUEUE_URL="EngagementEvents.DeadLetterQueue",
                           IDEMPOTENCY_TABLE="IdempotencyTable") as created:
        yield created

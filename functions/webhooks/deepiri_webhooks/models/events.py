"""The events the webhooks service reads (it publishes none): the allow-list a subscription may name.

Each is an event of one user (``userId`` in its data); a delivery carries the event's ``data`` as its
producer wrote it, so the consumer's model keeps every field (``extra="allow"``) and relies on ``userId`` only.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

SERVICE = "webhooks"

PUBLISHES: dict[str, type[BaseModel]] = {}

EventType = Literal[
    "TaskCreated", "TaskCompleted", "TaskReopened", "XpAwarded", "LevelUp", "BadgeEarned", "StreakUpdated",
    "StreakBroken", "ChallengeStarted", "ChallengeCompleted", "ChallengeFailed",
]
EVENT_TYPES: tuple[str, ...] = EventType.__args__  # type: ignore[attr-defined]
"""The documented allow-list of event types a subscription may name (README, outgoing webhooks)."""


class UserEventData(BaseModel):
    """An allow-listed event's ``data``: whose event it is, and every field the producer sent."""

    model_config = ConfigDict(extra="allow")

    userId: str

"""The events the analytics service publishes (``source = deepiri.analytics``).

``PUBLISHES`` is the service's contract; ``make contracts`` writes its JSON Schema to ``contracts/events/``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

SERVICE = "analytics"


class InsightSummary(BaseModel):
    kind: str
    message: str
    confidence: float


class InsightGenerated(BaseModel):
    """The weekly job computed a user's insights (for the notifications digest)."""

    model_config = ConfigDict(defer_build=True)

    userId: str
    asOf: str = Field(description="the user's local day they were computed for (ISO date)")
    insights: list[InsightSummary]


PUBLISHES: dict[str, type[BaseModel]] = {"InsightGenerated": InsightGenerated}

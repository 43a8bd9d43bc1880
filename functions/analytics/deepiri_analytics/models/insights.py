"""Insights: each a finding with the numbers behind it and a confidence."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

InsightKind = Literal["peak_hours", "estimate_accuracy", "on_time_trend", "late_night", "streak_at_risk",
                      "overdue", "category_balance", "overdue_risk"]


class Insight(BaseModel):
    kind: InsightKind
    message: str
    figures: dict[str, float] = Field(description="the numbers the finding rests on")
    confidence: float = Field(ge=0, le=1, description="how much data backs it: 0 (none) to 1 (plenty)")


class Insights(BaseModel):
    model_config = ConfigDict(defer_build=True)

    userId: str
    asOf: str = Field(description="the local day the insights were computed for")
    windowDays: int
    items: list[Insight]


class ForecastPoint(BaseModel):
    day: str
    value: float
    lower: float = Field(description="80 % band, lower end")
    upper: float = Field(description="80 % band, upper end")


class Forecast(BaseModel):
    model_config = ConfigDict(defer_build=True)

    metric: Literal["completed", "focusMinutes"]
    method: str
    historyDays: int
    points: list[ForecastPoint]

"""The weekly insights job: every user active in the past ISO week gets their insights kept and an
``InsightGenerated`` event (for the notifications digest), once per user and local day however often the
job runs."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from deepiri_analytics.logic import projection, reading
from deepiri_analytics.models.events import SERVICE, InsightGenerated, InsightSummary
from deepiri_common.events import DomainEvent


class InsightStore(reading.Rows, Protocol):
    def active_in(self, period: str) -> list[str]: ...
    def save_insights(self, user_id: str, as_of: str, insights: str, event: DomainEvent) -> bool: ...


def last_week(now: datetime) -> str:
    """The ISO week before ``now``'s (``WEEK#2026-W10``), whose active users the job visits."""
    return projection.periods(now - timedelta(days=7))[1]


def run(store: InsightStore, now: datetime) -> dict[str, int]:
    users = store.active_in(last_week(now))
    published = 0
    for user_id in users:
        found = reading.user_insights(store, user_id, now)
        if not found.items:
            continue
        data = InsightGenerated(userId=user_id, asOf=found.asOf, insights=[
            InsightSummary(kind=i.kind, message=i.message, confidence=i.confidence) for i in found.items])
        event = DomainEvent.new(SERVICE, "InsightGenerated", data, actor="analytics")
        published += store.save_insights(user_id, found.asOf, found.model_dump_json(), event)
    return {"users": len(users), "published": published}

"""The events the integrations service publishes (``source = deepiri.integrations``) and those it reads.

``PUBLISHES`` is the service's contract (``make contracts`` writes its schemas). The model of what the
consumer reads is its own: the contract tests check it against its producer's schema.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from deepiri_integrations.models.connections import EventProvider, Provider

SERVICE = "integrations"


class IntegrationItemImported(BaseModel):
    """An item pulled from a provider, to become (or update) a task; ``externalRef`` is its stable key."""

    userId: str = Field(min_length=1)
    provider: EventProvider
    externalRef: str = Field(min_length=1, max_length=500)
    title: str = Field(min_length=1, max_length=500)
    description: str | None = None
    dueAt: AwareDatetime | None = None
    status: str | None = None
    url: str | None = None
    tags: list[str] = Field(default_factory=list, max_length=20, description="the item's labels, lower case")


class IntegrationConnected(BaseModel):
    userId: str
    provider: Provider
    account: str
    scopes: list[str]


class IntegrationSynced(BaseModel):
    """One sync run of one connection ended (imported: items published; the outcome says why it stopped)."""

    userId: str
    provider: Provider
    outcome: str
    imported: int = Field(ge=0)
    skipped: int = Field(ge=0)
    syncedAt: AwareDatetime


class IntegrationChangeNotified(BaseModel):
    """A verified webhook said an item changed at the provider (the service reads it back itself and imports
    it): the work a webhook queues so that its answer stays fast."""

    userId: str = Field(min_length=1)
    provider: Provider
    ref: str = Field(min_length=1, max_length=100, description="the item's id at the provider (card, page)")


PUBLISHES: dict[str, type[BaseModel]] = {
    "IntegrationConnected": IntegrationConnected,
    "IntegrationItemImported": IntegrationItemImported,
    "IntegrationSynced": IntegrationSynced,
    "IntegrationChangeNotified": IntegrationChangeNotified,
}


class TaskCompletedData(BaseModel):
    """``TaskCompleted``: an imported task's completion is written back to its provider."""

    model_config = ConfigDict(defer_build=True)

    taskId: str
    userId: str
    source: str = "manual"
    externalRef: str | None = None
    completedAt: str | None = Field(default=None, description="when the work was finished (the conflict rule's "
                                                               "timestamp)")

    def completed(self, default: datetime) -> datetime:
        """When the work was finished; ``default`` when the event does not say so readably."""
        try:
            moment = datetime.fromisoformat((self.completedAt or "").replace("Z", "+00:00"))
        except ValueError:
            return default
        return moment if moment.tzinfo is not None else default


class ChangeNotifiedData(BaseModel):
    """``IntegrationChangeNotified`` as the consumer reads it (its own event, queued by a webhook)."""

    model_config = ConfigDict(defer_build=True)

    userId: str
    provider: str
    ref: str

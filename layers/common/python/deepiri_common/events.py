"""Domain events: the envelope every service puts on the bus, and the ways to publish and receive it.

On the bus ``deepiri-<stage>`` an event has ``source = deepiri.<service>``, a ``detail-type`` named
``<Resource><PastVerb>`` and a ``detail`` that is an :class:`EventEnvelope`. Services publish through
the :class:`EventPublisher` interface: :class:`EventBridgePublisher` in Lambda, :class:`InMemoryPublisher`
in tests. Consumers turn the bus event delivered to their queue back into a model with
:func:`parse_bus_event`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, Protocol, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator

from deepiri_common.clock import parse_iso, to_iso, utc_now
from deepiri_common.ids import is_ulid, new_ulid

SOURCE_PREFIX = "deepiri."
PUT_EVENTS_LIMIT = 10  # entries per PutEvents call, fixed by EventBridge

_SOURCE = re.compile(r"^deepiri\.[a-z][a-z0-9-]*$")
_DETAIL_TYPE = re.compile(r"^[A-Z][a-z0-9]+(?:[A-Z][a-z0-9]+)+$")  # <Resource><PastVerb>, PascalCase


class EventEnvelope(BaseModel):
    """The ``detail`` of every domain event; ``id`` is the consumers' idempotency key."""

    # Readers tolerate envelope fields added later, so an old consumer never dead-letters a new event.
    model_config = ConfigDict(frozen=True)

    id: str
    occurredAt: str
    actor: str = Field(min_length=1)
    version: int = Field(ge=1)
    data: dict[str, Any]

    @field_validator("id")
    @classmethod
    def _ulid(cls, value: str) -> str:
        if not is_ulid(value):
            raise ValueError("must be a ULID")
        return value

    @field_validator("occurredAt")
    @classmethod
    def _utc_iso(cls, value: str) -> str:
        return to_iso(parse_iso(value))


class DomainEvent(BaseModel):
    """An event as a service publishes it: where it comes from, what happened, and the envelope."""

    model_config = ConfigDict(frozen=True)

    source: str
    detail_type: str
    detail: EventEnvelope

    @field_validator("source")
    @classmethod
    def _deepiri_source(cls, value: str) -> str:
        if not _SOURCE.match(value):
            raise ValueError("must be deepiri.<service>")
        return value

    @field_validator("detail_type")
    @classmethod
    def _pascal_case(cls, value: str) -> str:
        if not _DETAIL_TYPE.match(value):
            raise ValueError("must be <Resource><PastVerb> in PascalCase, for example TaskCompleted")
        return value

    @classmethod
    def new(
        cls,
        service: str,
        detail_type: str,
        data: BaseModel | Mapping[str, Any],
        actor: str,
        version: int = 1,
        *,
        occurred_at: str | None = None,
    ) -> Self:
        """Build a new event of ``service``, giving it a fresh ULID and the current UTC time.

        ``occurred_at``: when what it tells happened, if not now (an award made for an earlier activity
        carries that activity's time, so the read models built from it put it on that day).
        """
        payload = data.model_dump(mode="json", by_alias=True) if isinstance(data, BaseModel) else dict(data)
        envelope = EventEnvelope(
            id=new_ulid(), occurredAt=occurred_at or to_iso(utc_now()), actor=actor, version=version, data=payload
        )
        return cls(source=f"{SOURCE_PREFIX}{service}", detail_type=detail_type, detail=envelope)

    @property
    def id(self) -> str:
        """The event's id (its envelope's ULID)."""
        return self.detail.id


class ReceivedEvent(BaseModel):
    """A bus event as EventBridge delivers it to a consumer's queue."""

    model_config = ConfigDict(frozen=True, populate_by_name=True)

    id: str
    source: str
    detail_type: str = Field(alias="detail-type")
    time: str
    detail: EventEnvelope


def parse_bus_event(body: Mapping[str, Any]) -> ReceivedEvent:
    """Parse an EventBridge event (the JSON body of an SQS message); raises ``ValidationError``."""
    return ReceivedEvent.model_validate(body)


class PublishError(Exception):
    """Some events were not accepted by the bus; raised so the caller's batch is retried."""

    def __init__(self, failures: Sequence[str]) -> None:
        super().__init__(f"{len(failures)} event(s) not published: {'; '.join(failures)}")
        self.failures = list(failures)


class EventPublisher(Protocol):
    """Where a service sends its domain events."""

    def publish(self, events: Sequence[DomainEvent]) -> None:
        """Publish ``events``; raise if any of them was not accepted."""


class EventBridgePublisher:
    """Publishes to an EventBridge bus with PutEvents, ten entries per call."""

    def __init__(self, bus_name: str, client: Any) -> None:
        """``client`` is a boto3 ``events`` client, created by the caller (lazily, once)."""
        self.bus_name = bus_name
        self.client = client

    def publish(self, events: Sequence[DomainEvent]) -> None:
        """Put ``events`` on the bus; raise :class:`PublishError` naming each entry EventBridge refused."""
        failures: list[str] = []
        for start in range(0, len(events), PUT_EVENTS_LIMIT):
            chunk = events[start : start + PUT_EVENTS_LIMIT]
            response = self.client.put_events(Entries=[self._entry(event) for event in chunk])
            if not response.get("FailedEntryCount"):
                continue
            failures += [
                f"{event.detail_type} {event.id}: {result.get('ErrorCode')} {result.get('ErrorMessage', '')}"
                for event, result in zip(chunk, response["Entries"], strict=True)
                if result.get("ErrorCode")
            ]
        if failures:
            raise PublishError(failures)

    def _entry(self, event: DomainEvent) -> dict[str, str]:
        return {
            "EventBusName": self.bus_name,
            "Source": event.source,
            "DetailType": event.detail_type,
            "Detail": event.detail.model_dump_json(),
        }


class InMemoryPublisher:
    """A publisher for tests: keeps every published event in ``published``, in order."""

    def __init__(self) -> None:
        self.published: list[DomainEvent] = []

    def publish(self, events: Sequence[DomainEvent]) -> None:
        """Record ``events``."""
        self.published.extend(events)

    def of_type(self, detail_type: str) -> list[DomainEvent]:
        """The published events of one detail-type."""
        return [event for event in self.published if event.detail_type == detail_type]

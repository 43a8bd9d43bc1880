"""Keeping events: the archive (every event), each user's own event log (for their export) and the read
models (the events they are built from), live and rebuilt from the archive alone.

A rebuild reads every archived event, keeps one per id, applies the users' day settings first (so every
activity lands on the day it did for a user whose settings arrived first, as they do live: a user
registers before acting) and then the rest oldest first, onto an emptied table.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Protocol

from pydantic import BaseModel, ValidationError

from deepiri_analytics.logic import archive, projection
from deepiri_analytics.models import feed
from deepiri_analytics.models.rows import DaySettings, Effect, LoggedEvent
from deepiri_common.events import ReceivedEvent, parse_bus_event

SETTINGS_TYPES = ("UserRegistered", "UserSettingsChanged")


class EventLog(Protocol):
    def log(self, user_id: str, key: str, event: LoggedEvent) -> None: ...


class ReadModelStore(EventLog, Protocol):
    def apply(self, event_id: str, effects: list[Effect]) -> bool: ...
    def day_settings(self, user_id: str) -> DaySettings: ...
    def clear(self) -> int: ...


class ArchiveStore(Protocol):
    def put(self, key: str, text: str) -> None: ...
    def keys(self, prefix: str) -> Iterator[str]: ...
    def read(self, key: str) -> str: ...
    def delete(self, key: str) -> None: ...


def keep(store: ArchiveStore, event_log: EventLog, event: ReceivedEvent, body: str) -> str:
    """Archive ``event`` as delivered (``body``) and log it for its owners; the archive key. Both writes put
    the same item again on a redelivery, so an event is kept once."""
    key = archive.archive_key(event)
    store.put(key, archive.archive_line(event, body))
    log(event_log, event, body)
    return key


def log(event_log: EventLog, event: ReceivedEvent, body: str) -> None:
    """Keep ``event`` in the log of each user it belongs to (``archive.owners``)."""
    logged = LoggedEvent(event.detail.id, event.detail_type, event.detail.occurredAt, body)
    for user_id in archive.owners(event):
        event_log.log(user_id, archive.log_key(event), logged)


def project(store: ReadModelStore, event: ReceivedEvent, data: BaseModel) -> bool:
    """Apply one event to the read models, once per event id; False when it had been applied."""
    user_id = getattr(data, "userId", None)
    settings = store.day_settings(user_id) if isinstance(user_id, str) else DaySettings()
    changes = projection.effects(data, event.detail.occurredAt, event.detail.id, settings)
    return store.apply(event.detail.id, changes)


def forget(archive_store: ArchiveStore, data: feed.UserDeletedData, at: str) -> None:
    """Mark the user's archived events for the compaction job (a tombstone naming them)."""
    archive_store.put(archive.tombstone_key(data.userId), json.dumps({"userId": data.userId, "deletedAt": at}))


def archived_events(store: ArchiveStore) -> list[tuple[ReceivedEvent, str]]:
    """Every archived event once with its delivered body, settings first, then by when it happened (then id)."""
    found: dict[str, tuple[ReceivedEvent, str]] = {}
    for key in store.keys(archive.EVENTS_PREFIX):
        for line in store.read(key).splitlines():
            if line.strip():
                body = str(json.loads(line)["body"])
                event = parse_bus_event(json.loads(body))
                found.setdefault(event.detail.id, (event, body))
    return sorted(found.values(), key=lambda pair: (pair[0].detail_type not in SETTINGS_TYPES,
                                                    pair[0].detail.occurredAt, pair[0].detail.id))


@dataclass(frozen=True)
class Rebuilt:
    events: int
    applied: int
    skipped: int


def rebuild(store: ReadModelStore, archive_store: ArchiveStore, consumes: Mapping[str, type[BaseModel]]) -> Rebuilt:
    """Empty the read models and build them again from the archive alone."""
    events = archived_events(archive_store)
    store.clear()
    applied = skipped = 0
    for event, body in events:
        log(store, event, body)
        model = consumes.get(event.detail_type)
        if model is None:
            continue
        try:
            data = model.model_validate(event.detail.data)
        except ValidationError:
            skipped += 1  # dead-lettered live too: never part of the read models
            continue
        applied += project(store, event, data)
    return Rebuilt(events=len(events), applied=applied, skipped=skipped)


@dataclass(frozen=True)
class Compacted:
    users: int
    deleted: int


def compact(store: ArchiveStore) -> Compacted:
    """Remove the archived events of every user with a tombstone, then the tombstones.

    One pass over the archive for all pending deletions (a batch job, never a request): an object goes
    when the user it is about (``user_id``) or who caused it is deleted. A tombstone goes last, so a job
    that stops half-way is simply run again.
    """
    tombstones = list(store.keys(archive.DELETIONS_PREFIX))
    users = {json.loads(store.read(key))["userId"] for key in tombstones}
    deleted = 0
    if users:
        for key in list(store.keys(archive.EVENTS_PREFIX)):
            lines = [json.loads(line) for line in store.read(key).splitlines() if line.strip()]
            if any(_mentions(line, users) for line in lines):
                store.delete(key)
                deleted += 1
    for key in tombstones:
        store.delete(key)
    return Compacted(users=len(users), deleted=deleted)


def _mentions(line: dict[str, object], users: set[str]) -> bool:
    if line.get("user_id") in users:
        return True
    event = parse_bus_event(json.loads(str(line["body"])))
    return event.detail.actor in users

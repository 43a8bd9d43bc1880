"""The event archive on S3: every domain event, unchanged, once, partitioned by day and type.

One object per event, ``events/dt=<UTC date it happened>/type=<detail-type>/<event id>.json``: a JSON line
with the columns the Glue table ``events`` declares and ``body``, the bus event exactly as it was
delivered. Writing an event again writes the same object under the same key, so an at-least-once
delivery still keeps it once; queries dedupe by ``event_id`` all the same (on AWS an overwrite is not
atomic with a listing). Hive-style folders let Athena (and DuckDB locally) prune by day and type.

``userId`` is the user the event is about (its data's ``userId``), else its actor: what the cohort query
counts activity by. A user's deletion writes a tombstone ``deletions/<userId>.json`` that the compaction
job reads to remove their events.
"""

from __future__ import annotations

import json
from typing import Any

from deepiri_common.events import ReceivedEvent
from deepiri_common.ids import is_ulid

EVENTS_PREFIX = "events/"
DELETIONS_PREFIX = "deletions/"


def archive_key(event: ReceivedEvent) -> str:
    return f"{EVENTS_PREFIX}dt={event.detail.occurredAt[:10]}/type={event.detail_type}/{event.detail.id}.json"


def subject(event: ReceivedEvent) -> str:
    """Whom the event is about: its data's ``userId`` when it has one, else whoever caused it."""
    user = event.detail.data.get("userId")
    return user if isinstance(user, str) and user else event.detail.actor


def owners(event: ReceivedEvent) -> list[str]:
    """Whose export holds the event: its subject, and whoever caused it when that is another user (a ULID;
    a service's or the system's name is nobody's)."""
    about, actor = subject(event), event.detail.actor
    return [about, actor] if actor != about and is_ulid(actor) else [about]


def log_key(event: ReceivedEvent) -> str:
    """The sort key of the event in a user's log: time first, so a window is one key range."""
    return f"LOG#{event.detail.occurredAt}#{event.detail.id}"


def archive_line(event: ReceivedEvent, body: str) -> str:
    """The archived JSON line: query columns, then the delivered ``body`` unchanged."""
    record: dict[str, Any] = {
        "event_id": event.detail.id, "detail_type": event.detail_type, "source": event.source,
        "occurred_at": event.detail.occurredAt, "user_id": subject(event), "body": body,
    }
    # ensure_ascii=None is falsy, read as False (equivalent).
    return json.dumps(record, separators=(",", ":"), ensure_ascii=False) + "\n"


def tombstone_key(user_id: str) -> str:
    return f"{DELETIONS_PREFIX}{user_id}.json"

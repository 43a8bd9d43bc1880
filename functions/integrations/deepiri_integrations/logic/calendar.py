"""How a Google Calendar event becomes what the tasks service imports, when it falls due, how a completed
task marks its event, and what a focus block looks like. Pure: Google's event JSON in, values out.

Due instants:

- a timed event is due when it starts, at the instant its ``start.dateTime`` names: with its own offset,
  or, for a wall-clock time without one, in the event's ``start.timeZone`` (else the user's timezone). An
  event that crosses midnight is still due at its start, on its first day.
- an all-day event (``start.date``; ``end.date`` is exclusive) is due at the end of its last day in the
  user's timezone: 23:59:59 local on ``end.date - 1 day`` (on its start day when ``end`` is missing). So a
  user in Auckland and one in Los Angeles each see "due tonight", and a DST change that day moves the UTC
  instant, not the local one.

Marking: a completed task's event gets the private extended property ``deepiriDone=true`` (with
``deepiriCompletedAt``) and ``✓ `` before its summary. Importing reads both back: the mark is removed from
the title, and the property makes the item ``done``, so the write-back never returns as a change.
"""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import ValidationError

from deepiri_common.clock import parse_iso, to_iso
from deepiri_integrations.models.connections import ImportedItem

DONE_MARK = "✓ "
DONE_PROPERTY = "deepiriDone"
CHALLENGE_PROPERTY = "deepiriChallengeId"
TAG = "calendar"
END_OF_DAY = time(23, 59, 59)
_HIDDEN = "\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff"
_NOT_IN_TITLE = re.compile(f"[\x00-\x1f\x7f-\x9f{_HIDDEN}]+")
_NOT_IN_TEXT = re.compile(f"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f{_HIDDEN}]+")
MAX_DESCRIPTION = 20_000


def zone(name: str | None) -> ZoneInfo:
    """The IANA zone ``name``; UTC for a missing or unknown name."""
    if name:
        try:
            return ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    return ZoneInfo("UTC")


def external_ref(calendar_id: str, event_id: str) -> str:
    """``<calendarId>/<eventId>``: event ids are base32hex, so the last ``/`` separates them."""
    return f"{calendar_id}/{event_id}"


def split_ref(ref: str) -> tuple[str, str] | None:
    calendar_id, _, event_id = ref.rpartition("/")
    return (calendar_id, event_id) if calendar_id and event_id else None


def due_at(start: Any, end: Any, user_timezone: str) -> datetime | None:
    """When the event falls due (see the module's rules), in UTC; None when ``start`` says neither."""
    if not isinstance(start, dict):
        return None
    if isinstance(start.get("dateTime"), str):
        instant = datetime.fromisoformat(start["dateTime"])  # Python 3.11 reads a trailing Z itself
        if instant.tzinfo is None:
            instant = instant.replace(tzinfo=zone(start.get("timeZone") or user_timezone))
        return instant.astimezone(UTC)
    if isinstance(start.get("date"), str):
        first = date.fromisoformat(start["date"])
        last = first
        if isinstance(end, dict) and isinstance(end.get("date"), str):
            last = max(first, date.fromisoformat(end["date"]) - timedelta(days=1))
        return datetime.combine(last, END_OF_DAY, tzinfo=zone(user_timezone)).astimezone(UTC)
    return None


def is_marked_done(raw: dict[str, Any]) -> bool:
    private = (raw.get("extendedProperties") or {}).get("private") or {}
    return isinstance(private, dict) and private.get(DONE_PROPERTY) == "true"


def title_of(raw: dict[str, Any]) -> str:
    summary = " ".join(_NOT_IN_TITLE.sub(" ", str(raw.get("summary") or "")).split())
    return summary.removeprefix(DONE_MARK.strip()).strip()[:500] or "(no title)"


def google_event(raw: dict[str, Any], calendar_id: str, user_timezone: str) -> ImportedItem | None:
    """The item of one event of ``calendar_id``; None when the JSON lacks what identifies or places it."""
    event_id, updated = raw.get("id"), raw.get("updated")
    if not isinstance(event_id, str) or not event_id or not isinstance(updated, str):
        return None
    try:
        cancelled = raw.get("status") == "cancelled"
        return ImportedItem(
            externalRef=external_ref(calendar_id, event_id), title=title_of(raw),
            description=_NOT_IN_TEXT.sub("", str(raw.get("description") or ""))[:MAX_DESCRIPTION] or None,
            dueAt=due_at(raw.get("start"), raw.get("end"), user_timezone),
            status="done" if cancelled or is_marked_done(raw) else "todo",
            url=raw.get("htmlLink") if isinstance(raw.get("htmlLink"), str) else None,
            tags=[TAG, "cancelled"] if cancelled else [TAG], updatedAt=parse_iso(updated),
            repository=calendar_id, assignees=[], pullRequest=False)
    except (ValidationError, ValueError, TypeError, KeyError):
        return None


def mark_patch(raw: dict[str, Any], completed_at: datetime) -> dict[str, Any]:
    """The PATCH that marks ``raw`` done: the private property, and ``✓`` before the summary (once)."""
    summary = str(raw.get("summary") or "")
    return {"summary": summary if summary.startswith(DONE_MARK.strip()) else DONE_MARK + summary,
            "extendedProperties": {"private": {DONE_PROPERTY: "true", "deepiriCompletedAt": to_iso(completed_at)}}}


def focus_event_id(challenge_id: str) -> str:
    """The focus block's event id, the same for every request about one challenge (base32hex, as Google
    requires of ids a client chooses): a second insert is Google's 409, never a second block."""
    return "deepiri" + hashlib.sha256(challenge_id.encode()).hexdigest()[:32]


def focus_event(challenge_id: str, title: str, start: datetime, minutes: int, timezone: str) -> dict[str, Any]:
    """The event body of a focus block: busy, private to the user, tagged with the challenge."""
    local = zone(timezone)
    return {
        "id": focus_event_id(challenge_id),
        "summary": f"Focus: {title}"[:500],
        "description": "A focus block Deepiri reserved for your challenge.",
        "start": {"dateTime": start.astimezone(local).isoformat(), "timeZone": local.key},
        "end": {"dateTime": (start + timedelta(minutes=minutes)).astimezone(local).isoformat(), "timeZone": local.key},
        "transparency": "opaque", "visibility": "private",
        "reminders": {"useDefault": False, "overrides": [{"method": "popup", "minutes": 5}]},
        "extendedProperties": {"private": {CHALLENGE_PROPERTY: challenge_id}},
    }

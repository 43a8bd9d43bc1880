"""Google Calendar in and out: reading each chosen calendar incrementally, and marking the event of a
completed task.

Reading: each calendar (the sources' ``calendars``; none chosen: the primary one) is read with the
``nextSyncToken`` its last read ended with, so a run asks only for what changed. The first read, or one
whose token Google no longer accepts (410 Gone), reads the calendar in full again (from a week ago);
items already imported are not published twice (the import record keeps the provider's ``updated``).
Each calendar's cursor is stored only when the run's items were recorded: nothing is lost when a run
stops early. Transient failures are retried with backoff within the run.

Cancelled events: one never imported is ignored (no task is made for it). One imported before stops
being written back (its record is closed), and when Google still sends its summary its task gains the
tag ``cancelled``; the task itself is the user's to remove.

Write-back: completing an imported task marks its event (see :mod:`logic.calendar`), once: the record
is closed after marking, and an event Google reported cancelled or marked is not written again.
"""

from __future__ import annotations

from datetime import datetime

from deepiri_common.observability import logger
from deepiri_integrations.dal.google import EventPage, GoogleCalendar, SyncTokenGone
from deepiri_integrations.dal.http import Refused
from deepiri_integrations.logic import backoff, calendar
from deepiri_integrations.logic.connections import Integrations, fresh_access, google_client
from deepiri_integrations.models.connections import FetchedChanges, ImportedItem, StoredConnection
from deepiri_integrations.models.events import TaskCompletedData


def calendars_of(connection: StoredConnection) -> list[str]:
    """The calendars to read: those chosen, else the primary one, named by its id (the account's address) so an
    imported item's key is the same whichever way the calendar was chosen."""
    return list(connection.sources.calendars) or [connection.account]


def client(ctx: Integrations) -> GoogleCalendar:
    return google_client(ctx)  # 503 when Google is not configured


def user_timezone(ctx: Integrations, user_id: str) -> str:
    # Read only through calendar.zone, which answers UTC for any unknown name: other fallbacks are equivalent.
    return ctx.profiles.timezone(user_id) if ctx.profiles is not None else "UTC"


def fetch(ctx: Integrations, connection: StoredConnection, access: str, now: datetime) -> FetchedChanges:
    """Every chosen calendar's changes since its cursor, mapped to items in the user's timezone."""
    google, timezone = client(ctx), user_timezone(ctx, connection.userId)
    items: list[ImportedItem | None] = []
    cursors: dict[str, str] = {}
    calendars = calendars_of(connection)
    # A calendar with no cursor yet is read in full: any default not starting with "sync:" is equivalent.
    incremental = all(connection.cursors.get(c, "").startswith("sync:") for c in calendars)
    for calendar_id in calendars:
        try:
            page = _read(ctx, google, access, calendar_id, connection.cursors.get(calendar_id), now=now)
        except SyncTokenGone:
            logger.info("sync token expired: full read", extra={"userId": connection.userId})
            incremental = False
            page = _read(ctx, google, access, calendar_id, None, now=now)
        for raw in page.events:
            items.append(_item(ctx, connection.userId, calendar_id, raw, timezone))
        if page.cursor:
            cursors[calendar_id] = page.cursor
    changed = any(item is not None for item in items)
    return FetchedChanges(items=items, cursor={"cursors": cursors},
                          notModified=incremental and not changed)


def _read(ctx: Integrations, google: GoogleCalendar, access: str, calendar_id: str, cursor: str | None, *,
          now: datetime) -> EventPage:
    return backoff.retrying(ctx.retry, lambda: google.events(access, calendar_id, cursor, now))


def _item(ctx: Integrations, user_id: str, calendar_id: str, raw: dict[str, object],
          timezone: str) -> ImportedItem | None:
    """The event's item; for a cancelled event, only an update of a task imported before (else None)."""
    item = calendar.google_event(raw, calendar_id, timezone)
    if raw.get("status") != "cancelled":
        return item
    # Without an id, "<calendar>/" or "<calendar>/XXXX" name no stored item (Google's ids are lowercase base32hex):
    # the fallback's mutants are equivalent.
    ref = calendar.external_ref(calendar_id, str(raw.get("id") or ""))
    if ctx.repository.item_state(user_id, "google", ref) is None:
        return None
    ctx.repository.mark_closed(user_id, "google", ref)
    return item


def task_completed(ctx: Integrations, data: TaskCompletedData, now: datetime) -> str:
    """What happened: ``marked``, ``skipped`` (not an open imported event, or the calendar changed it after the
    completion: last writer wins) or ``refused``."""
    # Without a ref, split_ref finds no "<calendar>/<event>" in "" nor in any word (mutants equivalent).
    parts = calendar.split_ref(data.externalRef or "")
    connection = ctx.repository.connection(data.userId, "google")
    # ``parts`` means the ref is there: this ``or ""`` is never read (mutants equivalent).
    record = ctx.repository.item_record(data.userId, "google", data.externalRef or "") if parts else None
    if parts is None or connection is None or record is None or record[0] != "open":
        return "skipped"
    completed_at = data.completed(now)
    if record[1] is not None and record[1] > completed_at:
        return "skipped"  # the event changed at Google after the completion: the later writer wins
    calendar_id, event_id = parts
    try:
        connection, access = fresh_access(ctx, connection, now)
        google = client(ctx)
        raw = backoff.retrying(ctx.retry, lambda: google.event(access, calendar_id, event_id))
        if raw.get("status") != "cancelled" and not calendar.is_marked_done(raw):
            google.patch_event(access, calendar_id, event_id, calendar.mark_patch(raw, completed_at))
    except Refused as refused:
        ctx.repository.save(connection.model_copy(update={
            "lastError": f"marking an event on Google Calendar was refused ({refused.status})"}))
        return "refused"
    # Reached only with ``parts``, so with a ref: this ``or ""`` is never read (mutants equivalent).
    ctx.repository.mark_closed(data.userId, "google", data.externalRef or "")
    return "marked"

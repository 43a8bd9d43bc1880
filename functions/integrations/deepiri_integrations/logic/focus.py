"""Focus blocks: time reserved on the user's Google calendar for one of their challenges, on request
(``POST /api/integrations/google/focus-blocks``; the same path under another provider is 404).

The challenge is read through the challenges service's own API as the caller, so only the caller's own
challenge counts (another user's, or one that does not exist, is 404 here as there). The block starts at
the requested time (default: now), lasts the requested minutes (default: the challenge's time limit,
within 15 to 480), sits on the first calendar the user imports from (default: the primary one) in the user's
timezone, and is one per challenge: its event id is derived from the challenge, so asking again answers
the block that exists (Google's 409 for a second insert) instead of making another.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from deepiri_common.identity import Caller
from deepiri_common.problems import NotFound, ServiceUnavailable
from deepiri_integrations.dal.http import ProviderError, Refused
from deepiri_integrations.logic import backoff, calendar, calendar_sync
from deepiri_integrations.logic.connections import Integrations, fresh_access, own
from deepiri_integrations.models.calendar import FocusBlock, FocusBlockRequest
from deepiri_integrations.models.connections import Provider

MIN_MINUTES, MAX_MINUTES = 15, 480


def block_minutes(requested: int | None, time_limit: int) -> int:
    """The block's length: as asked, else the challenge's time limit, kept within 15 to 480 minutes."""
    return max(MIN_MINUTES, min(requested if requested is not None else time_limit, MAX_MINUTES))


def create(ctx: Integrations, caller: Caller, provider: Provider, request: FocusBlockRequest,
           now: datetime) -> FocusBlock:
    """The focus block of the caller's challenge (``created`` false: it existed already); only a calendar
    provider has them (any other: 404)."""
    if provider != "google":
        raise NotFound(f"{provider} has no focus blocks; they go on Google Calendar")
    connection = own(ctx, caller.user_id, "google")
    if ctx.challenges is None:
        raise ServiceUnavailable("challenges cannot be read on this deployment")
    challenge = ctx.challenges.challenge(caller, request.challengeId)
    if challenge is None:
        raise NotFound("challenge not found")
    google, timezone = calendar_sync.client(ctx), calendar_sync.user_timezone(ctx, caller.user_id)
    calendar_id = calendar_sync.calendars_of(connection)[0]
    start = (request.startAt or now).replace(microsecond=0)
    minutes = block_minutes(request.minutes, challenge.timeLimitMinutes)
    body = calendar.focus_event(challenge.id, challenge.title, start, minutes, timezone)
    created = True
    try:
        connection, access = fresh_access(ctx, connection, now)
        try:
            event = google.insert_event(access, calendar_id, body)
        except Refused as refused:
            if refused.status != 409:
                raise
            created = False
            event = backoff.retrying(ctx.retry, lambda: google.event(access, calendar_id, body["id"]))
    except Refused as refused:
        raise ServiceUnavailable(f"Google Calendar refused the focus block ({refused.status})") from None
    except ProviderError:
        raise ServiceUnavailable("Google Calendar could not be reached; try again later") from None
    starts = calendar.due_at(event.get("start"), None, timezone)  # an existing block keeps its own times
    ends = calendar.due_at(event.get("end"), None, timezone)
    return FocusBlock(challengeId=challenge.id, calendarId=calendar_id, eventId=str(event.get("id") or body["id"]),
                      summary=str(event.get("summary") or body["summary"]), startAt=starts or start,
                      endAt=ends or start + timedelta(minutes=minutes), timeZone=calendar.zone(timezone).key,
                      url=event.get("htmlLink") if isinstance(event.get("htmlLink"), str) else None, created=created)

"""Write-back: completing a task imported from GitHub closes its issue there and comments on it; from Trello,
ticks the card's due date complete (and moves it to the done list the user named); from Notion, sets the
page's status to done; from Google Calendar, marks its event (:mod:`logic.calendar_sync`).

The GitHub comment is :data:`COMMENT`; it carries a hidden marker, and the issue's comments are read first,
so a redelivered event (a failure half-way, the queue's retry) never comments twice.

Conflicts: the last writer by the provider's timestamp wins. An import is published only when the
provider's change time is newer than the one recorded (an older webhook or sync arriving late changes
nothing); a completion is written back only when it is later than the provider's last recorded change of
the item (an issue edited or reopened at GitHub, a card or page changed after the task was completed keeps
the provider's state: Trello and Notion answer ``superseded``, logic/trello.py and notion.py).

No loop: only a completion made in Deepiri writes back. An item the provider already reported closed (by
a sync or a webhook) is not written again, and the provider's echo of our write (the closed issue, the
marked event) imports as an update that changes no task; for Trello and Notion the provider's timestamp
of the write-back itself is recorded, so reading it back is not a newer version. Refusals a retry cannot
cure (the item is gone, access was withdrawn) are recorded on the connection as its last error; a
provider that is down or rate-limiting raises so the queue delivers the event again later.
"""

from __future__ import annotations

from datetime import datetime

from deepiri_integrations.dal.http import Refused
from deepiri_integrations.logic import backoff, calendar_sync, notion, trello
from deepiri_integrations.logic.connections import NAMES, Integrations, fresh_access
from deepiri_integrations.models.connections import StoredConnection
from deepiri_integrations.models.events import TaskCompletedData

MARKER = "<!-- deepiri:completed -->"
COMMENT = f"Completed in Deepiri: this issue was closed because its task was marked done. {MARKER}"
_WRITE_BACK = {"trello": trello.write_back, "notion": notion.write_back}


def task_completed(ctx: Integrations, data: TaskCompletedData, now: datetime,
                   completed_at: datetime | None = None) -> str:
    """What happened: ``closed`` / ``marked``, ``skipped`` (not an imported task, closed already, or changed at
    the provider after the completion), ``superseded`` (Trello and Notion: the provider changed the item after
    the completion) or ``refused``. The completion's moment is the event's ``completedAt``, else
    ``completed_at`` (when the event was published), else ``now``."""
    if data.source == "google" and data.externalRef:
        return calendar_sync.task_completed(ctx, data, now)
    if data.source in _WRITE_BACK:
        return _provider_completed(ctx, data, now, data.completed(completed_at or now))
    if data.source != "github" or not data.externalRef or "#" not in data.externalRef:
        return "skipped"
    connection = ctx.repository.connection(data.userId, "github")
    record = ctx.repository.item_record(data.userId, "github", data.externalRef)
    if connection is None or record is None or record[0] != "open":
        return "skipped"
    if record[1] is not None and record[1] > data.completed(completed_at or now):
        return "skipped"  # changed at GitHub after the completion: the later writer wins
    return _close_issue(ctx, connection, data.externalRef, now)


def _close_issue(ctx: Integrations, connection: StoredConnection, ref: str, now: datetime) -> str:
    # The ref is one we stored, "<owner>/<name>#<number>", and GitHub names hold no "#": partition is equivalent.
    repository, _, number = ref.rpartition("#")
    if not number.isdigit():
        return "skipped"
    try:
        connection, access = fresh_access(ctx, connection, now)
        backoff.retrying(ctx.retry, lambda: ctx.github.close_issue(access, repository, int(number)))
        comments = backoff.retrying(ctx.retry, lambda: ctx.github.comments(access, repository, int(number)))
        if not any(MARKER in body for body in comments):
            ctx.github.comment(access, repository, int(number), COMMENT)
    except Refused as refused:
        ctx.repository.save(connection.model_copy(update={
            "lastError": f"closing {ref} on GitHub was refused ({refused.status})"}))
        return "refused"
    ctx.repository.mark_closed(connection.userId, "github", ref)
    return "closed"


def _provider_completed(ctx: Integrations, data: TaskCompletedData, now: datetime, completed_at: datetime) -> str:
    connection = ctx.repository.connection(data.userId, data.source)
    if connection is None or not data.externalRef:
        return "skipped"
    if ctx.repository.item_state(data.userId, data.source, data.externalRef) != "open":
        return "skipped"
    try:
        connection, access = fresh_access(ctx, connection, now)
        return _WRITE_BACK[data.source](ctx, connection, access, data.externalRef, completed_at)
    except Refused as refused:
        ctx.repository.save(connection.model_copy(update={
            "lastError": f"completing {data.externalRef} on {NAMES[data.source]} was refused ({refused.status})"}))
        return "refused"

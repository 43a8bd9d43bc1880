"""Write-back: completing a task imported from GitHub closes its issue there and comments on it; completing
one imported from Google Calendar marks its event (:mod:`logic.calendar_sync`).

The comment is :data:`COMMENT`; it carries a hidden marker, and the issue's comments are read first, so a
redelivered event (a failure half-way, the queue's retry) never comments twice.

Conflicts: the last writer by the provider's timestamp wins. An import is published only when the
provider's ``updated_at`` is newer than the one recorded (an older webhook or sync arriving late changes
nothing); a completion is written back only when it is later than the provider's last recorded change of
the item (an issue edited or reopened at GitHub after the task was completed keeps GitHub's state).

No loop: only a completion made in Deepiri writes back. An item the provider already reported closed (by
a sync or a webhook) is not written again, and the provider's echo of our write (the closed issue, the
marked event) imports as an update that changes no task, so it never returns to the provider. Refusals a
retry cannot cure (the issue is gone, access was withdrawn) are recorded on the connection as its last
error; a provider that is down or rate-limiting raises so the queue delivers the event again later.
"""

from __future__ import annotations

from datetime import datetime

from deepiri_integrations.dal.http import Refused
from deepiri_integrations.logic import backoff, calendar_sync
from deepiri_integrations.logic.connections import Integrations, fresh_access
from deepiri_integrations.models.connections import StoredConnection
from deepiri_integrations.models.events import TaskCompletedData

MARKER = "<!-- deepiri:completed -->"
COMMENT = f"Completed in Deepiri: this issue was closed because its task was marked done. {MARKER}"


def task_completed(ctx: Integrations, data: TaskCompletedData, now: datetime) -> str:
    """What happened: ``closed`` / ``marked``, ``skipped`` (not an imported task, closed already, or changed at
    the provider after the completion) or ``refused``."""
    if data.source == "google" and data.externalRef:
        return calendar_sync.task_completed(ctx, data, now)
    if data.source != "github" or not data.externalRef or "#" not in data.externalRef:
        return "skipped"
    connection = ctx.repository.connection(data.userId, "github")
    record = ctx.repository.item_record(data.userId, "github", data.externalRef)
    if connection is None or record is None or record[0] != "open":
        return "skipped"
    if record[1] is not None and record[1] > data.completed(now):
        return "skipped"  # changed at GitHub after the completion: the later writer wins
    return _close_issue(ctx, connection, data.externalRef, now)


def _close_issue(ctx: Integrations, connection: StoredConnection, ref: str, now: datetime) -> str:
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

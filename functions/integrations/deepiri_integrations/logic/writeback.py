"""Write-back: completing a task imported from GitHub closes its issue there; from Trello, ticks the card's
due date complete (and moves it to the done list the user named); from Notion, sets the page's status to done.

Only a completion made in Deepiri writes back. An item the provider already reported closed (by a sync
or a webhook) is not written again, so a change that came from the provider never returns to it and
the two sides never loop. For Trello and Notion the provider's timestamp of the write-back itself is
recorded, so reading it back is not a newer version; and when the item changed at the provider after the
task was completed, the provider was the last writer and nothing is written (logic/trello.py, notion.py).
Refusals a retry cannot cure (the issue is gone, access was withdrawn) are recorded on the connection as
its last error; a provider that is down or rate-limiting raises so the queue delivers the event again later.
"""

from __future__ import annotations

from datetime import datetime

from deepiri_integrations.dal.http import Refused
from deepiri_integrations.logic import notion, trello
from deepiri_integrations.logic.connections import NAMES, Integrations, fresh_access
from deepiri_integrations.models.events import TaskCompletedData

_WRITE_BACK = {"trello": trello.write_back, "notion": notion.write_back}


def task_completed(ctx: Integrations, data: TaskCompletedData, now: datetime,
                   completed_at: datetime | None = None) -> str:
    """What happened: ``closed``, ``skipped`` (not an imported GitHub task, or closed already) or ``refused``
    (Trello and Notion: also ``superseded``, the provider changed the item after ``completed_at``)."""
    if data.source in _WRITE_BACK:
        return _provider_completed(ctx, data, now, completed_at or now)
    if data.source != "github" or not data.externalRef or "#" not in data.externalRef:
        return "skipped"
    connection = ctx.repository.connection(data.userId, "github")
    state = ctx.repository.item_state(data.userId, "github", data.externalRef)
    if connection is None or state != "open":
        return "skipped"
    repository, _, number = data.externalRef.rpartition("#")
    if not number.isdigit():
        return "skipped"
    try:
        connection, access = fresh_access(ctx, connection, now)
        ctx.github.close_issue(access, repository, int(number))
    except Refused as refused:
        ctx.repository.save(connection.model_copy(update={
            "lastError": f"closing {data.externalRef} on GitHub was refused ({refused.status})"}))
        return "refused"
    ctx.repository.mark_closed(data.userId, "github", data.externalRef)
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

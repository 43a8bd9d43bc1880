"""Write-back: completing a task imported from GitHub closes its issue there.

Only a completion made in Deepiri writes back. An item the provider already reported closed (by a sync
or a webhook) is not written again, so a change that came from the provider never returns to it and
the two sides never loop. Refusals a retry cannot cure (the issue is gone, access was withdrawn) are
recorded on the connection as its last error; a provider that is down or rate-limiting raises so the
queue delivers the event again later.
"""

from __future__ import annotations

from datetime import datetime

from deepiri_integrations.dal.http import Refused
from deepiri_integrations.logic.connections import Integrations, fresh_access
from deepiri_integrations.models.events import TaskCompletedData


def task_completed(ctx: Integrations, data: TaskCompletedData, now: datetime) -> str:
    """What happened: ``closed``, ``skipped`` (not an imported GitHub task, or closed already) or ``refused``."""
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

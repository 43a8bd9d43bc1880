"""IntegrationChangeNotified: a verified webhook (Trello, Notion) said an item changed; the item is read back
from the provider as it is now and imported through the same once-per-version record as the sync, so a
webhook, a sync and a redelivered event never import one change twice. A provider that is down or
rate-limiting raises, so the queue delivers the event again later."""

from __future__ import annotations

from datetime import datetime

from deepiri_integrations.dal.http import Refused
from deepiri_integrations.logic import mapping, notion, trello
from deepiri_integrations.logic.connections import Integrations, fresh_access
from deepiri_integrations.logic.sync import publish
from deepiri_integrations.models.events import ChangeNotifiedData

_READ = {"trello": trello.read_card, "notion": notion.read_page}


def change_notified(ctx: Integrations, data: ChangeNotifiedData, now: datetime) -> str:
    """``imported``, ``unchanged`` (this version was imported already), ``ignored`` or ``refused``."""
    read = _READ.get(data.provider)
    connection = ctx.repository.connection(data.userId, data.provider) if read else None
    if read is None or connection is None:
        return "ignored"
    try:
        connection, access = fresh_access(ctx, connection, now)
        item = read(ctx, connection, access, data.ref)
    except Refused:  # the item is gone or access was withdrawn: a retry cannot help
        return "refused"
    if item is None or not mapping.wanted(item, connection.sources):
        return "ignored"
    return "imported" if publish(ctx, connection.userId, connection.provider, item) else "unchanged"

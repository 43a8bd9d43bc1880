"""The presence repository: one item per user (``pk = USER#<userId>, sk = PRESENCE``) in the realtime
table. A presence change is written together with its PresenceUpdated outbox item in one transaction."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from deepiri_common.events import DomainEvent
from deepiri_common.outbox import outbox_put
from deepiri_realtime.models.presence import Presence, PresenceStatus


class PresenceItem(Model):
    class Meta:
        table_name = "deepiri-realtime"  # replaced by the configured name in ``PresenceRepository``

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    status = UnicodeAttribute()
    message = UnicodeAttribute(null=True)
    updatedAt = UnicodeAttribute()


class PresenceRepository:
    """Reads and writes a user's declared presence."""

    def __init__(self, table_name: str, client: Any) -> None:
        self._table_name, self._client = table_name, client
        if PresenceItem.Meta.table_name != table_name:
            PresenceItem.Meta.table_name = table_name
            # PynamoDB (pinned 6.1.0) has no public way to point a model at another table.
            PresenceItem._connection = None  # noqa: SLF001 - its cached connection names the old table

    def get(self, user_id: str) -> Presence | None:
        try:
            item = PresenceItem.get(f"USER#{user_id}", "PRESENCE")
        except PresenceItem.DoesNotExist:
            return None
        status: PresenceStatus = item.status  # type: ignore[assignment]
        return Presence(userId=user_id, status=status, message=item.message, updatedAt=item.updatedAt)

    def put(self, presence: Presence, event: DomainEvent) -> None:
        """Store ``presence`` and the event announcing it atomically: both or neither."""
        item = PresenceItem(pk=f"USER#{presence.userId}", sk="PRESENCE", status=presence.status,
                            message=presence.message, updatedAt=presence.updatedAt)
        self._client.transact_write_items(TransactItems=[
            {"Put": {"TableName": self._table_name, "Item": item.serialize()}},
            outbox_put(self._table_name, event),
        ])

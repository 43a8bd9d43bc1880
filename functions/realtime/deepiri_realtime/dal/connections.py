"""The connections repository: the only code that touches the realtime table.

Items: ``pk = CONN#<connectionId>, sk = CONN``; the ``gsi1`` index (``USER#<userId>`` /
``CONN#<connectionId>``) lists a user's connections. Expired items vanish by TTL, so a connection
whose $disconnect never arrived does not linger.
"""

from __future__ import annotations

from datetime import timedelta

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from deepiri_common.clock import epoch_seconds, to_iso, utc_now
from deepiri_realtime.models.connection import Connection


class _ByUser(GlobalSecondaryIndex["ConnectionItem"]):  # type: ignore[no-untyped-call]
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class ConnectionItem(Model):
    class Meta:
        table_name = "deepiri-realtime"  # replaced by the configured name in ``bind``

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    userId = UnicodeAttribute()
    connectedAt = UnicodeAttribute()
    expiresAt = NumberAttribute()
    by_user = _ByUser()


def _bind(table_name: str) -> type[ConnectionItem]:
    """Point the model at the configured table (PynamoDB keeps the table name on the class)."""
    if ConnectionItem.Meta.table_name != table_name:
        ConnectionItem.Meta.table_name = table_name
        # PynamoDB (pinned 6.1.0) has no public way to point a model at another table.
        ConnectionItem._connection = None  # noqa: SLF001 - its cached connection names the old table
    return ConnectionItem


class ConnectionRepository:
    """Stores, lists and forgets WebSocket connections."""

    def __init__(self, table_name: str, ttl: timedelta) -> None:
        self._model = _bind(table_name)
        self._ttl = ttl

    def add(self, connection_id: str, user_id: str) -> Connection:
        now = utc_now()
        item = self._model(
            pk=f"CONN#{connection_id}", sk="CONN", gsi1pk=f"USER#{user_id}", gsi1sk=f"CONN#{connection_id}",
            userId=user_id, connectedAt=to_iso(now), expiresAt=epoch_seconds(now + self._ttl),
        )
        item.save()
        return Connection(connectionId=connection_id, userId=user_id, connectedAt=item.connectedAt)

    def remove(self, connection_id: str) -> None:
        self._model(pk=f"CONN#{connection_id}", sk="CONN").delete()

    def for_user(self, user_id: str) -> list[Connection]:
        items = self._model.by_user.query(f"USER#{user_id}")
        return [
            Connection(connectionId=item.pk.removeprefix("CONN#"), userId=item.userId, connectedAt=item.connectedAt)
            for item in items
        ]

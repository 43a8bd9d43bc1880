"""The presence repository: one item per user (``pk = USER#<userId>, sk = PRESENCE``) in the realtime table."""

from __future__ import annotations

from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

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

    def __init__(self, table_name: str) -> None:
        if PresenceItem.Meta.table_name != table_name:
            PresenceItem.Meta.table_name = table_name
            PresenceItem._connection = None  # its cached connection names the old table

    def get(self, user_id: str) -> Presence | None:
        try:
            item = PresenceItem.get(f"USER#{user_id}", "PRESENCE")
        except PresenceItem.DoesNotExist:
            return None
        status: PresenceStatus = item.status  # type: ignore[assignment]
        return Presence(userId=user_id, status=status, message=item.message, updatedAt=item.updatedAt)

    def put(self, presence: Presence) -> None:
        PresenceItem(pk=f"USER#{presence.userId}", sk="PRESENCE", status=presence.status,
                     message=presence.message, updatedAt=presence.updatedAt).save()

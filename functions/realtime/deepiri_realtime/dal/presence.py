"""The presence repository: one item per user (``USER#<userId>`` / ``PRESENCE``) holding the status the
user declared and whether they are connected (``online``). While connected the item is in the sparse
``gsi1`` partition ``ONLINE``, which the presence sweep reads.

Every change others should see is written together with its PresenceUpdated outbox item in one
transaction; going online or offline is conditional, so two racing connects announce it once.
"""

from __future__ import annotations

from typing import Any

from deepiri_common.events import DomainEvent
from deepiri_common.outbox import outbox_put
from deepiri_common.problems import Conflict
from deepiri_realtime.dal.table import Table, encode, key
from deepiri_realtime.models.presence import Presence, PresenceState


class PresenceRepository:
    """Reads and writes a user's declared presence and connected state."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def get(self, user_id: str) -> PresenceState | None:
        item = self._table.get(f"USER#{user_id}", "PRESENCE")
        if item is None:
            return None
        declared = None
        if "status" in item:
            declared = Presence(userId=user_id, status=item["status"], message=item.get("message"),
                                updatedAt=item.get("updatedAt"))
        return PresenceState(userId=user_id, declared=declared, online=bool(item.get("online")))

    def put(self, presence: Presence, event: DomainEvent) -> None:
        """Store the declared ``presence`` and the event announcing it atomically: both or neither."""
        values = {":status": presence.status, ":message": presence.message, ":at": presence.updatedAt}
        update = {
            "TableName": self._table.name, "Key": key(f"USER#{presence.userId}", "PRESENCE"),
            "UpdateExpression": "SET #status = :status, updatedAt = :at"
                                + (", #message = :message" if presence.message is not None else " REMOVE #message"),
            "ExpressionAttributeNames": {"#status": "status", "#message": "message"},
            "ExpressionAttributeValues": encode(values),
        }
        self._table.transact([{"Update": update}, outbox_put(self._table.name, event)])

    def set_online(self, user_id: str, online: bool, at: str, event: DomainEvent) -> bool:
        """Mark the user connected (or not) with its event; False when they already were (nothing written)."""
        update: dict[str, Any] = {"TableName": self._table.name, "Key": key(f"USER#{user_id}", "PRESENCE")}
        if online:
            update |= {
                "UpdateExpression": "SET #online = :yes, gsi1pk = :online, gsi1sk = :user, changedAt = :at",
                "ConditionExpression": "attribute_not_exists(#online) OR #online = :no",
                "ExpressionAttributeNames": {"#online": "online"},
                "ExpressionAttributeValues": encode(
                    {":yes": True, ":no": False, ":online": "ONLINE", ":user": f"USER#{user_id}", ":at": at}),
            }
        else:
            update |= {
                "UpdateExpression": "SET #online = :no, changedAt = :at REMOVE gsi1pk, gsi1sk",
                "ConditionExpression": "#online = :yes",
                "ExpressionAttributeNames": {"#online": "online"},
                "ExpressionAttributeValues": encode({":yes": True, ":no": False, ":at": at}),
            }
        try:
            self._table.transact([{"Update": update}, outbox_put(self._table.name, event)])
        except Conflict:
            return False
        return True

    def online_users(self) -> list[str]:
        """Every user marked online (the sweep checks their connections)."""
        return [item["pk"].removeprefix("USER#") for item in self._table.query("ONLINE", index="gsi1")]

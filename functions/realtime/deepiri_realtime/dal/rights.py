"""Who may join a channel, kept from other services' events: project members (tasks), duel and
challenge participants (challenges), room invitations (rooms), and friendships (users).

One item per channel and user (``RIGHT#<channel>`` / ``USER#<userId>``) with ``holds`` and the time
of the event that decided it (``at``): a write only lands when its event is newer than the one
recorded, so two events delivered out of order (an addition after its removal) end as the later one
says. A removal leaves the item with ``holds = false`` for that reason.
"""

from __future__ import annotations

from deepiri_common.problems import Conflict
from deepiri_realtime.dal.table import Table, conditions_as_conflicts, encode


class RightsRepository:
    """Grants, withdraws and answers channel rights; ``friends:<userId>`` lists a user's friends."""

    def __init__(self, table: Table) -> None:
        self._table = table

    def record(self, channel: str, user_id: str, holds: bool, at: str) -> None:
        """Record that ``user_id`` holds (or no longer holds) ``channel`` as of ``at``, unless a later
        event already decided it."""
        item = {"pk": f"RIGHT#{channel}", "sk": f"USER#{user_id}", "holds": holds, "at": at}
        try:
            with conditions_as_conflicts():
                self._table.client.put_item(
                    TableName=self._table.name, Item=encode(item),
                    ConditionExpression="attribute_not_exists(#at) OR #at <= :at",
                    ExpressionAttributeNames={"#at": "at"}, ExpressionAttributeValues=encode({":at": at}),
                )
        except Conflict:
            return  # a later event already decided this right

    def holds(self, channel: str, user_id: str) -> bool:
        item = self._table.get(f"RIGHT#{channel}", f"USER#{user_id}")
        return bool(item and item.get("holds"))

    def holders(self, channel: str) -> set[str]:
        return {item["sk"].removeprefix("USER#") for item in self._table.query(f"RIGHT#{channel}")
                if item.get("holds")}

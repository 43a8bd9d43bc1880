"""The rooms repository: ``ROOM#<roomId>`` / ``ROOM`` holds the room and its shared state (JSON) with a
version; an update lands only on the version it was made from."""

from __future__ import annotations

import json
from typing import Any

from deepiri_common.problems import Conflict
from deepiri_realtime.dal.table import Table, encode, key
from deepiri_realtime.models.rooms import Room


class StaleVersion(Exception):
    """The room's state moved on since the version an update was made from."""


def _room(item: dict[str, Any]) -> Room:
    return Room(roomId=item["pk"].removeprefix("ROOM#"), name=item["name"], ownerId=item["ownerId"],
                projectId=item.get("projectId"), state=json.loads(item["state"]), version=int(item["version"]),
                createdAt=item["createdAt"])


class RoomRepository:
    def __init__(self, table: Table) -> None:
        self._table = table

    def create(self, room: Room, members: list[str]) -> None:
        """Store the room and its members' rights (the owner and invited friends) together."""
        item: dict[str, Any] = {
            "pk": f"ROOM#{room.roomId}", "sk": "ROOM", "name": room.name, "ownerId": room.ownerId,
            "projectId": room.projectId, "state": json.dumps(room.state), "version": room.version,
            "createdAt": room.createdAt,
        }
        rights: list[dict[str, Any]] = [
            {"pk": f"RIGHT#room:{room.roomId}", "sk": f"USER#{user_id}", "holds": True, "at": room.createdAt}
            for user_id in members
        ]
        new = "attribute_not_exists(pk)"
        self._table.transact([{"Put": {"TableName": self._table.name, "Item": encode(i), "ConditionExpression": new}}
                              for i in (item, *rights)])

    def get(self, room_id: str) -> Room | None:
        item = self._table.get(f"ROOM#{room_id}", "ROOM")
        return _room(item) if item else None

    def replace_state(self, room_id: str, state: dict[str, Any], expected_version: int) -> int:
        """Store ``state`` as the version after ``expected_version``; ``StaleVersion`` if it moved on."""
        try:
            self._table.transact([{"Update": {
                "TableName": self._table.name, "Key": key(f"ROOM#{room_id}", "ROOM"),
                "UpdateExpression": "SET #state = :state, #version = :next",
                "ConditionExpression": "#version = :expected",
                "ExpressionAttributeNames": {"#state": "state", "#version": "version"},
                "ExpressionAttributeValues": encode(
                    {":state": json.dumps(state), ":next": expected_version + 1, ":expected": expected_version}),
            }}])
        except Conflict:
            raise StaleVersion(room_id) from None
        return expected_version + 1

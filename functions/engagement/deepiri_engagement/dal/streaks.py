"""Streak state in the engagement table, in the user's partition (``pk = USER#<id>``):

- ``sk = DAY``: the user's timezone and day start hour (:class:`DaySettings`), as of the latest settings
  event; a put is conditioned on being later than the stored one, so settings events in any order leave
  the latest values;
- ``sk = STREAK``: the streaks (:class:`Streak`), every write conditioned on its version; while a run stands
  it carries ``dueKey = ROLL#<hh>`` (the UTC hour of its next rollover), and ``sk = STREAK#RISK`` carries
  ``dueKey = RISK#<hh>`` (the UTC hour of the evening reminder): the sparse ``due`` index lists exactly the
  users the streak job must visit in an hour, never a scan;
- ``sk = ROLL#<date>`` and ``RISK#<date>``: written only if absent, in the transaction that judges that local
  date or warns about it, so each happens once per user and date however often the job runs.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import asdict
from typing import Any

from deepiri_common.attributes import TypeDeserializer, TypeSerializer
from deepiri_common.events import DomainEvent
from deepiri_common.outbox import outbox_put
from deepiri_common.pagination import query_items
from deepiri_common.transactions import write_transaction
from deepiri_engagement.models.streaks import DaySettings, Streak

_serializer, _deserializer = TypeSerializer(), TypeDeserializer()
DAY_SK, STREAK_SK, RISK_SK = "DAY", "STREAK", "STREAK#RISK"
DUE_INDEX = "due"


class StreakConflict(Exception):
    """The streak moved since it was read, or the date was judged already."""


def _key(user_id: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": f"USER#{user_id}"}, "sk": {"S": sk}}


def _typed(values: dict[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in values.items() if value is not None}


def _plain(item: dict[str, Any]) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}


class StreakRepository:
    """Reads and writes a user's day settings and streaks, and lists the users due in an hour."""

    def __init__(self, table_name: str, client: Any) -> None:
        self._table, self._client = table_name, client

    def day_settings(self, user_id: str) -> DaySettings:
        item = self._client.get_item(TableName=self._table, Key=_key(user_id, DAY_SK), ConsistentRead=True).get("Item")
        if item is None:
            return DaySettings(userId=user_id)
        values = _plain(item)
        return DaySettings(userId=user_id, timezone=values["timezone"], dayStartHour=int(values["dayStartHour"]),
                           at=values["at"], eventId=values["eventId"])

    def save_day_settings(self, settings: DaySettings, also: Sequence[dict[str, Any]] = ()) -> bool:
        """Store ``settings`` (with ``also`` in the same transaction) unless later ones are stored already;
        whether it was stored. :class:`StreakConflict` if an item of ``also`` failed its condition."""
        values = {"timezone": settings.timezone, "dayStartHour": settings.dayStartHour, "at": settings.at,
                  "eventId": settings.eventId}
        reasons = write_transaction(self._client, [{"Put": {
            "TableName": self._table, "Item": {**_key(settings.userId, DAY_SK), **_typed(values)},
            "ConditionExpression": "attribute_not_exists(pk) OR #at < :at OR (#at = :at AND eventId < :id)",
            "ExpressionAttributeNames": {"#at": "at"},
            "ExpressionAttributeValues": {":at": {"S": settings.at}, ":id": {"S": settings.eventId}},
        }}, *also])
        if reasons is None:
            return True
        if reasons[0] == "ConditionalCheckFailed":
            return False
        raise StreakConflict(settings.userId)

    def streak(self, user_id: str) -> Streak:
        item = self._client.get_item(TableName=self._table, Key=_key(user_id, STREAK_SK),
                                     ConsistentRead=True).get("Item")
        if item is None:
            return Streak(userId=user_id)
        values = _plain(item)
        def count(name: str) -> int:
            return int(values.get(name) or 0)
        return Streak(userId=user_id, current=count("current"), best=count("best"), runId=values.get("runId"),
                      runStart=values.get("runStart"), lastDay=values.get("lastDay"), weekly=count("weekly"),
                      bestWeekly=count("bestWeekly"), lastWeek=values.get("lastWeek"), freezes=count("freezes"),
                      rolledThrough=values.get("rolledThrough"), version=count("version"))

    def writes(self, previous: Streak, streak: Streak, due: tuple[int, int] | None,
               markers: Sequence[str] = ()) -> list[dict[str, Any]]:
        """The transaction items that store ``streak`` if ``previous`` is still the stored one: with ``due``
        (the UTC hours of the next rollover and evening reminder) it is indexed, without it it leaves the
        index; each of ``markers`` (``ROLL#<date>``...) is written only if absent."""
        values = {name: value for name, value in asdict(streak).items() if name != "userId"}
        if due is not None:
            values["dueKey"] = f"ROLL#{due[0]:02d}"
        condition = ({"ConditionExpression": "attribute_not_exists(pk)"} if previous.version == 0 else
                     {"ConditionExpression": "version = :seen",
                      "ExpressionAttributeValues": {":seen": {"N": str(previous.version)}}})
        items: list[dict[str, Any]] = [{"Put": {"TableName": self._table, **condition,
                                                "Item": {**_key(streak.userId, STREAK_SK), **_typed(values)}}}]
        if due is not None:
            items.append({"Put": {"TableName": self._table, "Item": {
                **_key(streak.userId, RISK_SK), **_typed({"dueKey": f"RISK#{due[1]:02d}", "userId": streak.userId})}}})
        else:
            items.append({"Delete": {"TableName": self._table, "Key": _key(streak.userId, RISK_SK)}})
        items += [{"Put": {"TableName": self._table, "ConditionExpression": "attribute_not_exists(pk)",
                           "Item": _key(streak.userId, marker)}} for marker in markers]
        return items

    def save(self, previous: Streak, streak: Streak, due: tuple[int, int] | None, events: Sequence[DomainEvent],
             markers: Sequence[str] = ()) -> None:
        """Store ``streak`` and its events' outbox items in one transaction; :class:`StreakConflict` if the
        streak moved since it was read as ``previous`` or a marker exists."""
        items = self.writes(previous, streak, due, markers) + [outbox_put(self._table, e) for e in events]
        if write_transaction(self._client, items) is not None:
            raise StreakConflict(streak.userId)

    def marked(self, user_id: str, marker: str) -> bool:
        """Whether ``marker`` (``ROLL#<date>``, ``RISK#<date>``) was written for the user."""
        return "Item" in self._client.get_item(TableName=self._table, Key=_key(user_id, marker), ConsistentRead=True,
                                               ProjectionExpression="pk")

    def due(self, kind: str, hour: int) -> Iterator[str]:
        """The users whose ``kind`` (``ROLL`` or ``RISK``) falls in UTC hour ``hour``, from the sparse index."""
        args: dict[str, Any] = {"TableName": self._table, "IndexName": DUE_INDEX,
                                "KeyConditionExpression": "dueKey = :due", "ProjectionExpression": "pk",
                                "ExpressionAttributeValues": {":due": {"S": f"{kind}#{hour:02d}"}}}
        for item in query_items(self._client, **args):
            yield item["pk"]["S"].removeprefix("USER#")

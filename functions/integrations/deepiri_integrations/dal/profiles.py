"""Users' timezones as the users service last announced them (``UserRegistered``, ``UserSettingsChanged``):
``pk = PROFILE#<userId>``, ``sk = PROFILE`` in the integrations table, with the event's ``at`` and id so
events in any order leave the latest value. All-day calendar events fall due at the end of the user's
day in this timezone; UTC until the service has heard it."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

DEFAULT_TIMEZONE = "UTC"


def _key(user_id: str) -> dict[str, Any]:
    return {"pk": {"S": f"PROFILE#{user_id}"}, "sk": {"S": "PROFILE"}}


class ProfileRepository:
    def __init__(self, table: str, client: Any) -> None:
        self._table, self._client = table, client

    def timezone(self, user_id: str) -> str:
        item = self._client.get_item(TableName=self._table, Key=_key(user_id)).get("Item")
        return item["timezone"]["S"] if item else DEFAULT_TIMEZONE

    def save(self, user_id: str, timezone: str, at: str, event_id: str) -> bool:
        """Keep ``timezone`` unless a later announcement is kept already; whether it was kept."""
        try:
            self._client.put_item(
                TableName=self._table,
                Item={**_key(user_id), "timezone": {"S": timezone}, "at": {"S": at}, "eventId": {"S": event_id}},
                ConditionExpression="attribute_not_exists(pk) OR #at < :at OR (#at = :at AND eventId < :id)",
                ExpressionAttributeNames={"#at": "at"},
                ExpressionAttributeValues={":at": {"S": at}, ":id": {"S": event_id}})
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

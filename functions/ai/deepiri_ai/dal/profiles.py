"""The AI table's user profiles (``pk = USER#<id>``, ``sk = PROFILE``): timezone and day start hour as of
the latest settings event; a put is conditioned on being later than the stored one, so events in any
order leave the latest values."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from deepiri_ai.models.profiles import Profile

PROFILE_SK = "PROFILE"


def _key(user_id: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": f"USER#{user_id}"}, "sk": {"S": sk}}


class ProfileRepository:
    """Reads and keeps users' timezones."""

    def __init__(self, table_name: str, client: Any) -> None:
        self._table, self._client = table_name, client

    def profile(self, user_id: str) -> Profile:
        """The user's profile; the defaults (UTC) when this service has heard nothing of them."""
        item = self._client.get_item(TableName=self._table, Key=_key(user_id, PROFILE_SK)).get("Item")
        if item is None:
            return Profile(userId=user_id)
        return Profile(userId=user_id, timezone=item["timezone"]["S"], dayStartHour=int(item["dayStartHour"]["N"]),
                       at=item["at"]["S"], eventId=item["eventId"]["S"])

    def save(self, profile: Profile) -> bool:
        """Store ``profile`` unless a later one is stored already; whether it was stored."""
        try:
            self._client.put_item(
                TableName=self._table,
                Item={**_key(profile.userId, PROFILE_SK), "timezone": {"S": profile.timezone},
                      "dayStartHour": {"N": str(profile.dayStartHour)}, "at": {"S": profile.at},
                      "eventId": {"S": profile.eventId}},
                ConditionExpression="attribute_not_exists(pk) OR #at < :at OR (#at = :at AND eventId < :id)",
                ExpressionAttributeNames={"#at": "at"},
                ExpressionAttributeValues={":at": {"S": profile.at}, ":id": {"S": profile.eventId}})
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def forget(self, user_id: str) -> None:
        """Delete everything kept of the user (their partition)."""
        args: dict[str, Any] = {"TableName": self._table, "KeyConditionExpression": "pk = :pk",
                                "ExpressionAttributeValues": {":pk": {"S": f"USER#{user_id}"}},
                                "ProjectionExpression": "pk, sk"}
        while True:
            page = self._client.query(**args)
            for item in page.get("Items", []):
                self._client.delete_item(TableName=self._table, Key={"pk": item["pk"], "sk": item["sk"]})
            if "LastEvaluatedKey" not in page:
                return
            args["ExclusiveStartKey"] = page["LastEvaluatedKey"]

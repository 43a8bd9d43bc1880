"""The skill repository: one ``pk = USER#<id>, sk = SKILLS`` item holding each skill's xp as a number
attribute, and one ``sk = SKILLXP#<eventId>`` marker per credited event, written in the same
transaction so an event can never be counted twice."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from botocore.exceptions import ClientError

from deepiri_common.clock import to_iso, utc_now
from deepiri_users.models.skills import SKILLS


class SkillRepository:
    """Reads and credits a user's skill xp."""

    def __init__(self, table_name: str, client: Any) -> None:
        self._table, self._client = table_name, client

    def xp_of(self, user_id: str) -> dict[str, int]:
        item = self._client.get_item(TableName=self._table, Key=_key(user_id, "SKILLS"),
                                     ConsistentRead=True).get("Item", {})
        return {skill: int(item[skill]["N"]) for skill in SKILLS if skill in item}

    def award(self, user_id: str, event_id: str, xp: Mapping[str, int]) -> bool:
        """Add ``xp`` to the user's skills unless ``event_id`` was credited before; False then."""
        names = {f"#s{i}": skill for i, skill in enumerate(xp)}
        values: dict[str, Any] = {f":v{i}": {"N": str(amount)} for i, amount in enumerate(xp.values())}
        values[":now"] = {"S": to_iso(utc_now())}
        adds = ", ".join(f"#s{i} :v{i}" for i in range(len(xp)))
        marker = {**_key(user_id, f"SKILLXP#{event_id}"), "awardedAt": values[":now"],
                  "xp": {"M": {skill: {"N": str(amount)} for skill, amount in xp.items()}}}
        try:
            self._client.transact_write_items(TransactItems=[
                {"Put": {"TableName": self._table, "Item": marker,
                         "ConditionExpression": "attribute_not_exists(pk)"}},
                {"Update": {"TableName": self._table, "Key": _key(user_id, "SKILLS"),
                            "UpdateExpression": f"SET updatedAt = :now ADD {adds}",
                            "ExpressionAttributeNames": names, "ExpressionAttributeValues": values}},
            ])
        except ClientError as exc:
            if _marker_exists(exc):
                return False
            raise
        return True


def _key(user_id: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": f"USER#{user_id}"}, "sk": {"S": sk}}


def _marker_exists(exc: ClientError) -> bool:
    if exc.response.get("Error", {}).get("Code") != "TransactionCanceledException":
        return False
    reasons = exc.response.get("CancellationReasons") or []
    return bool(reasons) and reasons[0].get("Code") == "ConditionalCheckFailed"

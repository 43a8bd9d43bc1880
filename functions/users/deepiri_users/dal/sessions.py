"""The session repository: refresh-token families (``USER#<id> / SESSION#<familyId>``) and the refresh
tokens in them (``REFRESH#<sha256> / REFRESH``). A rotation spends the old token, stores the new one
and checks the family still exists, all in one transaction."""

from __future__ import annotations

from typing import Any

from pynamodb.exceptions import DoesNotExist

from deepiri_common.transactions import batch_delete
from deepiri_users.dal.items import (
    RefreshItem,
    SessionItem,
    bind_table,
    conflicts_as_domain_errors,
    key,
    put,
    user_pk,
)
from deepiri_users.models.sessions import RefreshRecord, Session


def _refresh_item(record: RefreshRecord) -> RefreshItem:
    return RefreshItem(f"REFRESH#{record.tokenHash}", "REFRESH", userId=record.userId, familyId=record.familyId,
                       used=record.used, expiresAt=record.expiresAt)


class SessionRepository:
    """Reads and writes sessions and refresh tokens; returns domain models."""

    def __init__(self, table_name: str, client: Any) -> None:
        self._table, self._client = table_name, client
        bind_table(table_name)

    def start(self, session: Session, first: RefreshRecord) -> None:
        """Store a new family and its first refresh token."""
        item = SessionItem(user_pk(session.userId), f"SESSION#{session.familyId}", userId=session.userId,
                           familyId=session.familyId, tokenVersion=session.tokenVersion,
                           createdAt=session.createdAt, expiresAt=session.expiresAt)
        with conflicts_as_domain_errors():
            self._client.transact_write_items(TransactItems=[
                put(self._table, item, "attribute_not_exists(pk)"),
                put(self._table, _refresh_item(first), "attribute_not_exists(pk)"),
            ])

    def get_refresh(self, token_hash: str) -> RefreshRecord | None:
        try:
            item = RefreshItem.get(f"REFRESH#{token_hash}", "REFRESH", consistent_read=True)
        except DoesNotExist:
            return None
        return RefreshRecord(tokenHash=token_hash, userId=item.userId, familyId=item.familyId,
                             used=bool(item.used), expiresAt=int(item.expiresAt))

    def get_session(self, user_id: str, family_id: str) -> Session | None:
        try:
            item = SessionItem.get(user_pk(user_id), f"SESSION#{family_id}", consistent_read=True)
        except DoesNotExist:
            return None
        return Session(userId=item.userId, familyId=item.familyId, tokenVersion=int(item.tokenVersion),
                       createdAt=item.createdAt, expiresAt=int(item.expiresAt))

    def rotate(self, old: RefreshRecord, new: RefreshRecord) -> None:
        """Mark ``old`` used and store ``new``; ``Conflict`` if ``old`` was used meanwhile or the family is gone."""
        spend = {
            "TableName": self._table,
            "Key": key(f"REFRESH#{old.tokenHash}", "REFRESH"),
            "UpdateExpression": "SET used = :yes",
            "ConditionExpression": "used = :no",
            "ExpressionAttributeValues": {":yes": {"BOOL": True}, ":no": {"BOOL": False}},
        }
        family_alive = {
            "TableName": self._table,
            "Key": key(user_pk(old.userId), f"SESSION#{old.familyId}"),
            "ConditionExpression": "attribute_exists(pk)",
        }
        with conflicts_as_domain_errors():
            self._client.transact_write_items(TransactItems=[
                {"Update": spend},
                {"ConditionCheck": family_alive},
                put(self._table, _refresh_item(new), "attribute_not_exists(pk)"),
            ])

    def revoke_family(self, user_id: str, family_id: str) -> None:
        """End one session: its refresh tokens, used or not, stop working."""
        self._client.delete_item(TableName=self._table, Key=key(user_pk(user_id), f"SESSION#{family_id}"))

    def revoke_all(self, user_id: str) -> None:
        """Delete every session item of the user (their tokens die with the token-version bump)."""
        keys: list[dict[str, Any]] = []
        for item in SessionItem.query(user_pk(user_id), SessionItem.sk.startswith("SESSION#"),
                                      consistent_read=True, attributes_to_get=["pk", "sk"]):
            keys.append(key(item.pk, item.sk))
        batch_delete(self._client, self._table, keys)

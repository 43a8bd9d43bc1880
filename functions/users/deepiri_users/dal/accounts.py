"""The account repository: profiles, email claims, preferences and single-use tokens in the users table.

Every state change that announces itself writes its outbox item in the same ``TransactWriteItems``.
A failed condition or cancelled transaction leaves here as ``Conflict``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pynamodb.exceptions import DoesNotExist

from deepiri_common.attributes import TypeSerializer
from deepiri_common.clock import epoch_seconds, to_iso, utc_now
from deepiri_common.events import DomainEvent
from deepiri_common.outbox import outbox_put
from deepiri_users.dal.items import (
    EmailClaimItem,
    OneTimeItem,
    PreferencesItem,
    ProfileItem,
    bind_table,
    conflicts_as_domain_errors,
    email_pk,
    key,
    put,
    user_pk,
)
from deepiri_users.models.accounts import Account
from deepiri_users.models.profiles import Preferences
from deepiri_users.models.sessions import OneTimeToken

OneTimeKind = Literal["RESET", "VERIFY"]
PROFILE = "PROFILE"
LISTING_PK = "USERS"
_serializer = TypeSerializer()
_PROFILE_FIELDS = set(Account.model_fields)


def _to_account(item: ProfileItem) -> Account:
    values = {name: getattr(item, name) for name in _PROFILE_FIELDS}
    values["roles"] = tuple(item.roles or ())
    values["tokenVersion"] = int(item.tokenVersion)
    values["version"] = int(item.version)
    values["failedLogins"] = int(item.failedLogins or 0)
    values["lockedUntil"] = int(item.lockedUntil or 0)
    values["dayStartHour"] = int(item.dayStartHour or 0)  # accounts created before the setting existed
    return Account.model_validate(values)


def _to_item(account: Account) -> ProfileItem:
    values: dict[str, Any] = account.model_dump()
    values["roles"] = list(account.roles)
    return ProfileItem(
        user_pk(account.userId), PROFILE, gsi1pk=LISTING_PK, gsi1sk=email_pk(account.email), **values
    )


def _values(values: dict[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in values.items()}


class AccountRepository:
    """Reads and writes accounts; returns :class:`Account` models, never raw items."""

    def __init__(self, table_name: str, client: Any) -> None:
        self._table, self._client = table_name, client
        bind_table(table_name)

    # ------------------------------------------------------------------ reads
    def get(self, user_id: str) -> Account | None:
        try:
            return _to_account(ProfileItem.get(user_pk(user_id), PROFILE, consistent_read=True))
        except DoesNotExist:
            return None

    def find_by_email(self, email: str) -> Account | None:
        try:
            claim = EmailClaimItem.get(email_pk(email), "EMAIL", consistent_read=True)
        except DoesNotExist:
            return None
        account = self.get(claim.userId)
        return account if account is not None and account.email == email else None

    def list_by_email_prefix(
        self, prefix: str, limit: int, start: dict[str, Any] | None
    ) -> tuple[list[Account], dict[str, Any] | None]:
        """A page of accounts ordered by email, from the gsi1 listing; ``start`` is a previous page's end."""
        args: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "gsi1",
            "KeyConditionExpression": "gsi1pk = :pk AND begins_with(gsi1sk, :prefix)",
            "ExpressionAttributeValues": {":pk": {"S": LISTING_PK}, ":prefix": {"S": email_pk(prefix)}},
            "Limit": limit,
        }
        if start:
            args["ExclusiveStartKey"] = start
        response = self._client.query(**args)
        accounts = [_to_account(ProfileItem.from_raw_data(raw)) for raw in response.get("Items", [])]
        return accounts, response.get("LastEvaluatedKey")

    def get_preferences(self, user_id: str) -> Preferences | None:
        try:
            item = PreferencesItem.get(user_pk(user_id), "PREFS")
        except DoesNotExist:
            return None
        return Preferences.stored(item.document)

    def get_one_time(self, kind: OneTimeKind, token_hash: str) -> OneTimeToken | None:
        try:
            item = OneTimeItem.get(f"{kind}#{token_hash}", kind, consistent_read=True)
        except DoesNotExist:
            return None
        return OneTimeToken(tokenHash=token_hash, userId=item.userId, email=item.email,
                            expiresAt=int(item.expiresAt))

    # ------------------------------------------------------------------ writes
    def create(self, account: Account, event: DomainEvent) -> None:
        """Claim the email and store the profile, with the event; ``Conflict`` if the email is taken."""
        claim = EmailClaimItem(email_pk(account.email), "EMAIL", userId=account.userId)
        with conflicts_as_domain_errors():
            self._client.transact_write_items(TransactItems=[
                put(self._table, claim, "attribute_not_exists(pk)"),
                put(self._table, _to_item(account), "attribute_not_exists(pk)"),
                outbox_put(self._table, event),
            ])

    def update_profile(
        self, user_id: str, changes: dict[str, Any], expected_version: int | None, event: DomainEvent | None,
        *, also: Sequence[DomainEvent] = (),
    ) -> None:
        """Set ``changes`` and bump the version; ``Conflict`` if the version is not ``expected_version``.
        ``event`` and the events ``also`` are written to the outbox in the same transaction."""
        names = {f"#f{n}": field for n, field in enumerate(changes)}
        values = {f":v{n}": value for n, value in enumerate(changes.values())}
        sets = [f"#f{n} = :v{n}" for n in range(len(changes))]
        condition = "attribute_exists(pk)"
        values[":one"], values[":now"] = 1, to_iso(utc_now())
        if expected_version is not None:
            condition += " AND #version = :expected"
            values[":expected"] = expected_version
        update = {
            "TableName": self._table,
            "Key": key(user_pk(user_id), PROFILE),
            "UpdateExpression": "SET " + ", ".join([*sets, "#updatedAt = :now", "#version = #version + :one"]),
            "ConditionExpression": condition,
            "ExpressionAttributeNames": {**names, "#version": "version", "#updatedAt": "updatedAt"},
            "ExpressionAttributeValues": _values(values),
        }
        items: list[dict[str, Any]] = [{"Update": update}]
        if event is not None:
            items.append(outbox_put(self._table, event))
        items += [outbox_put(self._table, more) for more in also]
        with conflicts_as_domain_errors():
            self._client.transact_write_items(TransactItems=items)

    def set_password(self, user_id: str, password_hash: str, *, revoke_sessions: bool,
                     revoked: DomainEvent | None = None) -> None:
        """Store a new hash and clear the lockout; with ``revoke_sessions`` every token issued so far dies
        (and ``revoked``, its SessionsRevoked event, is written with it)."""
        update = self._password_update(user_id, password_hash, revoke_sessions)
        with conflicts_as_domain_errors():
            if revoked is None:
                self._client.update_item(**update)
            else:
                self._client.transact_write_items(TransactItems=[{"Update": update}, outbox_put(self._table, revoked)])

    def bump_token_version(self, user_id: str, revoked: DomainEvent | None = None) -> None:
        """End every session and access token of the user issued so far (with its SessionsRevoked event)."""
        update = {
            "TableName": self._table, "Key": key(user_pk(user_id), PROFILE),
            "UpdateExpression": "ADD tokenVersion :one", "ConditionExpression": "attribute_exists(pk)",
            "ExpressionAttributeValues": {":one": {"N": "1"}},
        }
        with conflicts_as_domain_errors():
            if revoked is None:
                self._client.update_item(**update)
            else:
                self._client.transact_write_items(TransactItems=[{"Update": update}, outbox_put(self._table, revoked)])

    def record_failed_login(self, user_id: str) -> int:
        """Count one more consecutive failed sign-in; returns the count."""
        response = self._client.update_item(
            TableName=self._table, Key=key(user_pk(user_id), PROFILE),
            UpdateExpression="ADD failedLogins :one", ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":one": {"N": "1"}}, ReturnValues="UPDATED_NEW",
        )
        return int(response["Attributes"]["failedLogins"]["N"])

    def lock(self, user_id: str, until_epoch: int) -> None:
        """Refuse sign-ins until ``until_epoch``; the failure count starts again afterwards."""
        self._client.update_item(
            TableName=self._table, Key=key(user_pk(user_id), PROFILE),
            UpdateExpression="SET lockedUntil = :until, failedLogins = :zero",
            ConditionExpression="attribute_exists(pk)",
            ExpressionAttributeValues={":until": {"N": str(until_epoch)}, ":zero": {"N": "0"}},
        )

    def clear_failed_logins(self, user_id: str) -> None:
        self._client.update_item(
            TableName=self._table, Key=key(user_pk(user_id), PROFILE),
            UpdateExpression="SET failedLogins = :zero, lockedUntil = :zero",
            ConditionExpression="attribute_exists(pk)", ExpressionAttributeValues={":zero": {"N": "0"}},
        )

    def put_preferences(self, user_id: str, preferences: Preferences) -> None:
        PreferencesItem(user_pk(user_id), "PREFS", document=preferences.model_dump_json(),
                        updatedAt=to_iso(utc_now())).save()

    def put_one_time(self, kind: OneTimeKind, token: OneTimeToken, event: DomainEvent) -> None:
        """Store a single-use token's hash with the event that carries the token to its owner."""
        item = OneTimeItem(f"{kind}#{token.tokenHash}", kind, userId=token.userId, email=token.email,
                           expiresAt=token.expiresAt)
        with conflicts_as_domain_errors():
            self._client.transact_write_items(TransactItems=[
                put(self._table, item, "attribute_not_exists(pk)"), outbox_put(self._table, event)
            ])

    def reset_password(self, token: OneTimeToken, password_hash: str, revoked: DomainEvent | None = None) -> None:
        """Spend the reset token and set the new password, revoking every session (with ``revoked``, its
        SessionsRevoked event), atomically.

        ``Conflict`` when the token was spent (or expired) in the meantime.
        """
        spend = self._spend("RESET", token)
        update = self._password_update(token.userId, password_hash, revoke_sessions=True)
        items = [spend, {"Update": update}] + ([outbox_put(self._table, revoked)] if revoked else [])
        with conflicts_as_domain_errors():
            self._client.transact_write_items(TransactItems=items)

    def verify_email(self, token: OneTimeToken, event: DomainEvent) -> None:
        """Spend the verification token and mark the address verified, if it is still the account's."""
        update = {
            "TableName": self._table,
            "Key": key(user_pk(token.userId), PROFILE),
            "UpdateExpression": "SET emailVerified = :yes, updatedAt = :now ADD #version :one",
            "ConditionExpression": "email = :email",
            "ExpressionAttributeNames": {"#version": "version"},
            "ExpressionAttributeValues": _values(
                {":yes": True, ":now": to_iso(utc_now()), ":one": 1, ":email": token.email}
            ),
        }
        with conflicts_as_domain_errors():
            self._client.transact_write_items(
                TransactItems=[self._spend("VERIFY", token), {"Update": update}, outbox_put(self._table, event)]
            )

    def delete(self, account: Account, event: DomainEvent) -> None:
        """Remove the profile, the email claim and the preferences, with the event, atomically."""
        with conflicts_as_domain_errors():
            self._client.transact_write_items(TransactItems=[
                {"Delete": {"TableName": self._table, "Key": key(user_pk(account.userId), PROFILE),
                            "ConditionExpression": "attribute_exists(pk)"}},
                {"Delete": {"TableName": self._table, "Key": key(email_pk(account.email), "EMAIL")}},
                {"Delete": {"TableName": self._table, "Key": key(user_pk(account.userId), "PREFS")}},
                outbox_put(self._table, event),
            ])

    # ------------------------------------------------------------------ helpers
    def _spend(self, kind: OneTimeKind, token: OneTimeToken) -> dict[str, Any]:
        return {"Delete": {
            "TableName": self._table,
            "Key": key(f"{kind}#{token.tokenHash}", kind),
            "ConditionExpression": "attribute_exists(pk) AND expiresAt > :now",
            "ExpressionAttributeValues": {":now": {"N": str(epoch_seconds(utc_now()))}},
        }}

    def _password_update(self, user_id: str, password_hash: str, revoke_sessions: bool) -> dict[str, Any]:
        expression = "SET passwordHash = :hash, failedLogins = :zero, lockedUntil = :zero, updatedAt = :now"
        values: dict[str, Any] = {":hash": password_hash, ":zero": 0, ":now": to_iso(utc_now())}
        if revoke_sessions:
            expression += " ADD tokenVersion :one"
            values[":one"] = 1
        return {
            "TableName": self._table,
            "Key": key(user_pk(user_id), PROFILE),
            "UpdateExpression": expression,
            "ConditionExpression": "attribute_exists(pk)",
            "ExpressionAttributeValues": _values(values),
        }

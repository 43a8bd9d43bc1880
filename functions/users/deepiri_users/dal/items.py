"""PynamoDB models of the account items in the users table, and the AWS-error boundary.

Keys owned by accounts: ``USER#<id>`` with ``PROFILE``, ``PREFS`` and ``SESSION#<familyId>``;
``EMAIL#<email>`` (the uniqueness claim), ``REFRESH#<hash>``, ``RESET#<hash>`` and ``VERIFY#<hash>``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import ClientError
from pynamodb.attributes import (
    BooleanAttribute,
    ListAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.models import Model

from deepiri_common.problems import Conflict
from deepiri_common.pynamo import bind_models

PLACEHOLDER_TABLE = "deepiri-users"
_CONFLICTS = {"ConditionalCheckFailedException", "TransactionCanceledException", "TransactionConflictException"}


def user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


def email_pk(email: str) -> str:
    return f"EMAIL#{email}"


class _UsersModel(Model):
    class Meta:
        table_name = PLACEHOLDER_TABLE

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)


class ProfileItem(_UsersModel):
    """``USER#<id> / PROFILE``; also on gsi1 (``USERS`` / ``EMAIL#<email>``) for the admin listing."""

    class Meta:
        table_name = PLACEHOLDER_TABLE

    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    userId = UnicodeAttribute()
    email = UnicodeAttribute()
    displayName = UnicodeAttribute()
    passwordHash = UnicodeAttribute()
    avatarUrl = UnicodeAttribute(null=True)
    bio = UnicodeAttribute(null=True)
    timezone = UnicodeAttribute()
    dayStartHour = NumberAttribute(default=0)
    locale = UnicodeAttribute()
    privacy = UnicodeAttribute()
    roles = ListAttribute(of=UnicodeAttribute)
    emailVerified = BooleanAttribute()
    disabled = BooleanAttribute()
    tokenVersion = NumberAttribute()
    version = NumberAttribute()
    failedLogins = NumberAttribute(default=0)
    lockedUntil = NumberAttribute(default=0)
    createdAt = UnicodeAttribute()
    updatedAt = UnicodeAttribute()


class EmailClaimItem(_UsersModel):
    """``EMAIL#<email> / EMAIL``: exists while an account holds the address."""

    class Meta:
        table_name = PLACEHOLDER_TABLE

    userId = UnicodeAttribute()


class PreferencesItem(_UsersModel):
    """``USER#<id> / PREFS``: the preferences document as JSON."""

    class Meta:
        table_name = PLACEHOLDER_TABLE

    document = UnicodeAttribute()
    updatedAt = UnicodeAttribute()


class SessionItem(_UsersModel):
    """``USER#<id> / SESSION#<familyId>``: a refresh-token family; deleting it revokes the family."""

    class Meta:
        table_name = PLACEHOLDER_TABLE

    userId = UnicodeAttribute()
    familyId = UnicodeAttribute()
    tokenVersion = NumberAttribute()
    createdAt = UnicodeAttribute()
    expiresAt = NumberAttribute()


class RefreshItem(_UsersModel):
    """``REFRESH#<sha256> / REFRESH``: kept after use (``used``) until expiry, to detect reuse."""

    class Meta:
        table_name = PLACEHOLDER_TABLE

    userId = UnicodeAttribute()
    familyId = UnicodeAttribute()
    used = BooleanAttribute()
    expiresAt = NumberAttribute()


class OneTimeItem(_UsersModel):
    """``RESET#<sha256> / RESET`` or ``VERIFY#<sha256> / VERIFY``: a single-use token's hash."""

    class Meta:
        table_name = PLACEHOLDER_TABLE

    userId = UnicodeAttribute()
    email = UnicodeAttribute()
    expiresAt = NumberAttribute()


_MODELS: tuple[type[Model], ...] = (ProfileItem, EmailClaimItem, PreferencesItem, SessionItem, RefreshItem, OneTimeItem)


def bind_table(table_name: str) -> None:
    """Point every item model at the configured table (once per process in practice)."""
    bind_models(_MODELS, table_name)


@contextmanager
def conflicts_as_domain_errors() -> Iterator[None]:
    """A failed condition or a cancelled transaction becomes ``Conflict``; other errors pass through."""
    try:
        yield
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in _CONFLICTS:
            raise Conflict("the item changed or already exists") from None
        raise


def put(table_name: str, item: Model, condition: str | None = None) -> dict[str, Any]:
    """A ``Put`` element of ``TransactWriteItems`` for ``item``."""
    element: dict[str, Any] = {"TableName": table_name, "Item": item.serialize()}
    if condition:
        element["ConditionExpression"] = condition
    return {"Put": element}


def key(pk: str, sk: str) -> dict[str, dict[str, str]]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}

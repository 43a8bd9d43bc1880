"""The operator's powers over accounts that need no signed-in caller: making an account admin (the way
to create the first admin).

Apart from ``logic.accounts`` so that the operator's function loads only what promotion uses: no
password hasher, no token signer.
"""

from __future__ import annotations

from typing import Any, Protocol

from deepiri_common.events import DomainEvent
from deepiri_common.problems import NotFound
from deepiri_users.logic.emails import normalise_email
from deepiri_users.models.accounts import Account
from deepiri_users.models.events import SERVICE, UserUpdated

ADMIN = "admin"


class PromotionStore(Protocol):
    """The two calls promotion makes; the service's ``AccountStore`` fits."""

    def find_by_email(self, email: str) -> Account | None: ...
    def update_profile(
        self, user_id: str, changes: dict[str, Any], expected_version: int | None, event: DomainEvent | None
    ) -> None: ...


def promote_admin(accounts: PromotionStore, email: str) -> Account:
    """Give the account holding ``email`` the admin role (the way to create the first admin)."""
    account = accounts.find_by_email(normalise_email(email, field="email"))
    if account is None:
        raise NotFound("no account has this email")
    if ADMIN in account.roles:
        return account
    roles = [*account.roles, ADMIN]
    event = DomainEvent.new(SERVICE, "UserUpdated", UserUpdated(userId=account.userId, changed=["roles"]),
                            actor="system")
    accounts.update_profile(account.userId, {"roles": roles}, None, event)
    return account.model_copy(update={"roles": tuple(roles)})

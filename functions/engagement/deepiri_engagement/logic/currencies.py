"""Granting and spending currencies, each keyed by its source (an event id or a request's idempotency key).

A grant credits, a spend debits, and either is applied at most once per source id: the outcome carries the
source as its marker, and the repository writes the marker item only if it is absent, in the same
transaction as the balances. A spend never takes a balance below zero: it is decided on the wallet as read
and written only if that wallet's version still stands, so of two parallel spends of the last coins one
wins and the other, decided again on the new balance, is refused. Refusals are 409 problems.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from deepiri_common.problems import Conflict
from deepiri_engagement.dal.wallets import VersionConflict, WalletRepository
from deepiri_engagement.logic import progress
from deepiri_engagement.logic.awards import Changes
from deepiri_engagement.models.wallet import Outcome, Wallet


class InsufficientBalance(Conflict):
    """A spend asked for more than the balance holds."""


def granted(wallet: Wallet, source_id: str, credits: Mapping[str, int], reason: str, *, at: str | None = None,
            counts: Iterable[str] = (), marks: Mapping[str, int] | None = None) -> Outcome:
    """The outcome of crediting ``credits`` (XP moves the level and pays its rewards, and counts as lifetime XP),
    once per source; ``counts`` adds one to those badge counters, ``marks`` raises high-water marks. Badges the
    counters reach are earned with it."""
    changes = Changes(wallet, source_id, at=at)
    for currency, amount in credits.items():
        # A zero amount enters nothing either way (``Changes`` skips it): ``>= 0`` is equivalent.
        if amount > 0:
            changes.credit(currency, amount, reason)
    changes.count(counts)
    changes.raise_marks(marks or {})
    changes.earn_xp(max(credits.get("xp", 0), 0))
    changes.settle_level()
    changes.settle_badges()
    return changes.outcome(marker=source_id)


def spent(wallet: Wallet, source_id: str, debits: Mapping[str, int], reason: str) -> Outcome:
    """The outcome of debiting ``debits``, once per source; :class:`InsufficientBalance` when any balance
    is short (nothing is debited then)."""
    short = {currency: amount for currency, amount in debits.items() if amount > wallet.balances[currency]}
    if short:
        currency, amount = next(iter(short.items()))
        raise InsufficientBalance(f"{amount} {currency} needed, {wallet.balances[currency]} held",
                                  currency=currency, needed=amount, balance=wallet.balances[currency])
    changes = Changes(wallet, source_id)  # a spend earns no badge: nothing of it is dated by its time
    for currency, amount in debits.items():
        # A zero amount enters nothing either way (``Changes`` skips it): ``>= 0`` is equivalent.
        if amount > 0:
            changes.debit(currency, amount, reason)
    return changes.outcome(marker=source_id)


def grant(repository: WalletRepository, user_id: str, source_id: str, at: str, credits: Mapping[str, int], *,
          reason: str, counts: Iterable[str] = ()) -> Outcome | None:
    """Credit ``credits`` to the user for ``source_id`` (None: that source was granted already); ``counts``:
    the badge counters it adds one to."""
    return progress.apply(repository, user_id, at, lambda wallet: granted(wallet, source_id, credits, reason, at=at,
                                                                          counts=counts))


def spend(repository: WalletRepository, user_id: str, source_id: str, at: str, debits: Mapping[str, int], *,
          reason: str) -> Outcome | None:
    """Debit ``debits`` from the user for ``source_id`` (None: that source was spent already);
    :class:`InsufficientBalance` when the balance is short, :class:`Conflict` when the wallet stays busy."""
    try:
        return progress.apply(repository, user_id, at, lambda wallet: spent(wallet, source_id, debits, reason))
    except InsufficientBalance:
        if repository.applied(user_id, source_id):
            return None  # a retried request whose spend landed: the balance it left is no refusal
        raise
    except VersionConflict:
        raise Conflict("the wallet is changing too fast; try again") from None

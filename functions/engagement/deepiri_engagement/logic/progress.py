"""Applying task events to a wallet (read, decide, write; again on a concurrent write), and reading it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from deepiri_common.clock import to_iso
from deepiri_common.pagination import Page
from deepiri_engagement.dal.wallets import AlreadyApplied, VersionConflict, WalletRepository
from deepiri_engagement.logic import awards, badges, boosts, rules
from deepiri_engagement.models.events import TaskCompletedData
from deepiri_engagement.models.progress import Balances, LedgerEntry, Progress
from deepiri_engagement.models.rewards import ActiveBoost, EarnedBadge
from deepiri_engagement.models.wallet import Boost, Outcome, TaskAward, Wallet

WRITE_ATTEMPTS = 5  # concurrent writes to one wallet: read again and decide again this many times
RECENT_BADGES = 5  # badge tiers /me shows, latest first


def apply(repository: WalletRepository, user_id: str, at: str,
          decide: Callable[[Wallet], Outcome | None]) -> Outcome | None:
    """Read the wallet, decide, write; decide again on the new state when a concurrent write won.

    None when ``decide`` changes nothing or the outcome's source was applied already (its marker exists).
    """
    for _ in range(WRITE_ATTEMPTS):
        wallet = repository.wallet(user_id)
        outcome = decide(wallet)
        if outcome is None:
            return None
        try:
            repository.save(wallet, outcome, at)
        except VersionConflict:
            continue
        except AlreadyApplied:
            return None
        return outcome
    raise VersionConflict(user_id)  # transient: the queue delivers the event again (a request answers 409)


def _apply(repository: WalletRepository, user_id: str, task_id: str, at: str,
           decide: Callable[[Wallet, TaskAward | None], Outcome | None]) -> Outcome | None:
    return apply(repository, user_id, at, lambda wallet: decide(wallet, repository.task_award(user_id, task_id)))


def task_completed(repository: WalletRepository, event_id: str, at: str, task: TaskCompletedData,
                   local_hour: int = 12) -> Outcome | None:  # noon: not early, not late; 13 is equivalent
    """Credit a completed task to its owner (None: nothing changed, a later event of the task stands);
    ``local_hour`` is the hour it was finished at in the owner's timezone (early bird, night owl)."""
    return _apply(repository, task.userId, task.taskId, at,
                  lambda wallet, award: awards.complete(wallet, award, event_id, at, task,
                                                                    local_hour=local_hour))


def task_reopened(repository: WalletRepository, event_id: str, at: str, user_id: str,
                  task_id: str) -> Outcome | None:
    """Take back what a reopened task's completion credited (None: a later event already stands)."""
    return _apply(repository, user_id, task_id, at,
                  lambda wallet, award: awards.reopen(wallet, award, event_id, at, task_id))


def describe(repository: WalletRepository, user_id: str, now: datetime) -> Progress:
    """The caller's level, XP, progress to the next level, balances, active boosts and latest badges."""
    wallet = repository.wallet(user_id)
    xp = wallet.balances["xp"]
    start = rules.level_start(wallet.level)
    step = rules.level_step(wallet.level)
    into = xp - start
    recent = sorted(wallet.badges.items(), key=lambda held: (held[1], held[0]), reverse=True)[:RECENT_BADGES]
    return Progress(userId=user_id, level=wallet.level, xp=xp, xpIntoLevel=into, xpForNextLevel=step,
                    progress=round(min(into / step, 1.0), 4), balances=Balances(**wallet.balances),
                    boosts=active_boosts(wallet, now),
                    recentBadges=[EarnedBadge(badgeId=key.split("#")[0], name=badges.BY_ID[key.split("#")[0]].name,
                                              tier=key.split("#")[1], earnedAt=earned) for key, earned in recent])


def active_boosts(wallet: Wallet, now: datetime) -> list[ActiveBoost]:
    """The wallet's boosts covering ``now``, by start."""
    return [boost_view(b) for b in sorted(wallet.boosts, key=lambda b: (b.startsAt, b.kind)) if b.covers(now)]


def boost_view(boost: Boost) -> ActiveBoost:
    return ActiveBoost(kind=boost.kind, multiplier=float(boosts.CATALOGUE[boost.kind].multiplier),
                       startsAt=to_iso(boost.startsAt), endsAt=to_iso(boost.endsAt))


def ledger(repository: WalletRepository, user_id: str, currency: str | None, limit: int,
           cursor: str | None) -> Page[LedgerEntry]:
    return repository.ledger(user_id, currency, limit, cursor)


def forget_user(repository: WalletRepository, user_id: str) -> int:
    """Remove everything the service holds about a deleted user; how many items that was."""
    return repository.delete_user(user_id)

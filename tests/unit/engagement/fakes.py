"""In-memory stand-ins for the engagement repositories, keeping their contracts (versions, markers)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from deepiri_engagement.dal.wallets import AlreadyApplied, VersionConflict
from deepiri_engagement.models.wallet import Outcome, Reward, TaskAward, Wallet


class MarkedWallets:
    """Wallets with grant and spend markers; ``rivals`` spends of ``rival_coins`` land just before saves."""

    def __init__(self, rivals: int = 0, rival_coins: int = 0) -> None:
        self.wallets: dict[str, Wallet] = {}
        self.markers: set[tuple[str, str]] = set()
        self.saved: list[tuple[Outcome, str, Sequence[dict[str, Any]]]] = []
        self.rivals, self.rival_coins = rivals, rival_coins
        self.awards: dict[tuple[str, str], TaskAward] = {}
        self.rewards_held: dict[str, list[Reward]] = {}

    def task_award(self, user_id: str, task_id: str) -> TaskAward | None:
        return self.awards.get((user_id, task_id))

    def rewards(self, user_id: str) -> list[Reward]:
        return list(self.rewards_held.get(user_id, []))

    def wallet(self, user_id: str) -> Wallet:
        return self.wallets.get(user_id, Wallet(user_id))

    def give(self, user_id: str, **balances: int) -> None:
        current = self.wallet(user_id)
        self.wallets[user_id] = Wallet(user_id, current.level, {**current.balances, **balances}, current.debts,
                                       current.version + 1)

    def applied(self, user_id: str, source_id: str) -> bool:
        return (user_id, source_id) in self.markers

    def save(self, previous: Wallet, outcome: Outcome, at: str, also: Sequence[dict[str, Any]] = ()) -> None:
        if self.rivals:
            self.rivals -= 1
            current = self.wallet(previous.userId)
            self.give(previous.userId, coins=current.balances["coins"] - self.rival_coins)
        if outcome.marker is not None and (previous.userId, outcome.marker) in self.markers:
            raise AlreadyApplied(outcome.marker)
        if self.wallet(previous.userId).version != previous.version:
            raise VersionConflict(previous.userId)
        if outcome.marker is not None:
            self.markers.add((previous.userId, outcome.marker))
        self.wallets[previous.userId] = outcome.wallet
        if outcome.award is not None:
            self.awards[(previous.userId, outcome.award.taskId)] = outcome.award
        self.rewards_held.setdefault(previous.userId, []).extend(outcome.rewards)
        self.saved.append((outcome, at, also))

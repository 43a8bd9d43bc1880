"""What a completed or reopened task does to its owner's wallet, as a pure function of the stored state.

The bus may deliver a task's events more than once and in any order. Each task keeps the latest of its
events the wallet reflects (:class:`TaskAward`, ordered by the event's time, then its id): an event no
later than that changes nothing, a completion credits the task's XP (and its coins, and the rewards of
every level it reaches), and a reopening debits exactly what the standing completion credited (and the
rewards of every level it falls below). So completing, reopening and completing again leaves the state
of one completion, whatever order the three arrive in, and no sequence of them earns twice.
"""

from __future__ import annotations

from dataclasses import replace

from deepiri_common.events import DomainEvent
from deepiri_engagement.logic import rules
from deepiri_engagement.models.events import (
    SERVICE,
    CurrencyChanged,
    LevelDown,
    LevelUp,
    TaskCompletedData,
    XpAwarded,
)
from deepiri_engagement.models.wallet import Entry, Outcome, TaskAward, Wallet

SYSTEM = "system"


class Changes:
    """Credits and debits applied to a wallet in order, with their entries and events."""

    def __init__(self, wallet: Wallet, source_id: str, task_id: str | None = None) -> None:
        self.wallet, self.source_id, self.task_id = wallet, source_id, task_id
        self.balances, self.debts, self.level = dict(wallet.balances), dict(wallet.debts), wallet.level
        self.entries: list[tuple[Entry, int]] = []
        self.events: list[DomainEvent] = []

    def credit(self, currency: str, amount: int, reason: str) -> None:
        repaid = min(self.debts[currency], amount)
        self.debts[currency] -= repaid
        self._enter(currency, amount - repaid, reason, "CurrencyCredited")

    def debit(self, currency: str, amount: int, reason: str) -> None:
        taken = min(self.balances[currency], amount)
        self.debts[currency] += amount - taken  # never below zero: what was spent becomes a debt
        self._enter(currency, -taken, reason, "CurrencyDebited")

    def _enter(self, currency: str, amount: int, reason: str, detail_type: str) -> None:
        if amount == 0:
            return
        self.balances[currency] += amount
        entry = Entry(currency=currency, amount=amount, reason=reason,  # type: ignore[arg-type]
                      sourceId=self.source_id, taskId=self.task_id)
        self.entries.append((entry, self.balances[currency]))
        if currency == "xp" and detail_type == "CurrencyCredited":
            self._publish("XpAwarded", XpAwarded(userId=self.wallet.userId, amount=amount,
                                                 totalXp=self.balances["xp"], reason=reason,
                                                 sourceEventId=self.source_id))
        else:
            self._publish(detail_type, CurrencyChanged(
                userId=self.wallet.userId, currency=currency, amount=abs(amount),
                balance=self.balances[currency], reason=reason, sourceId=self.source_id))

    def settle_level(self) -> None:
        """Move the level to what the XP balance reaches, paying or taking back each level's reward."""
        reached = rules.level_of(self.balances["xp"])
        previous = self.level
        for level in range(previous + 1, reached + 1):
            for currency, amount in rules.level_reward(level).items():
                self.credit(currency, amount, "LevelReward")
            self._publish("LevelUp", LevelUp(userId=self.wallet.userId, level=level, previousLevel=level - 1))
        for level in range(previous, reached, -1):
            for currency, amount in rules.level_reward(level).items():
                self.debit(currency, amount, "LevelReward")
        if reached < previous:
            self._publish("LevelDown", LevelDown(userId=self.wallet.userId, level=reached, previousLevel=previous))
        self.level = reached

    def _publish(self, detail_type: str, data: XpAwarded | LevelUp | LevelDown | CurrencyChanged) -> None:
        self.events.append(DomainEvent.new(SERVICE, detail_type, data, SYSTEM))

    def outcome(self, award: TaskAward | None = None, marker: str | None = None) -> Outcome:
        wallet = replace(self.wallet, level=self.level, balances=self.balances, debts=self.debts,
                         version=self.wallet.version + 1)
        return Outcome(wallet, award, self.entries, self.events, marker)


def _is_later(award: TaskAward | None, at: str, event_id: str) -> bool:
    return award is None or (at, event_id) > (award.at, award.eventId)


def _take_back(changes: Changes, award: TaskAward) -> None:
    for currency, amount in award.credits.items():
        changes.debit(currency, amount, "TaskReopened")


def complete(wallet: Wallet, award: TaskAward | None, event_id: str, at: str,
             task: TaskCompletedData) -> Outcome | None:
    """A TaskCompleted event: None when the task's standing award is as late or later."""
    if not _is_later(award, at, event_id):
        return None
    changes = Changes(wallet, event_id, task.taskId)
    if award is not None and award.state == "awarded":
        _take_back(changes, award)  # a later completion replaces the standing one
    xp = rules.task_xp(task)
    credits = {"xp": xp, "coins": rules.coins_for(xp)}
    for currency, amount in credits.items():
        changes.credit(currency, amount, "TaskCompleted")
    changes.settle_level()
    return changes.outcome(TaskAward(task.taskId, "awarded", at, event_id, credits))


def reopen(wallet: Wallet, award: TaskAward | None, event_id: str, at: str, task_id: str) -> Outcome | None:
    """A TaskReopened event: None when the task's standing award is as late or later."""
    if not _is_later(award, at, event_id):
        return None
    changes = Changes(wallet, event_id, task_id)
    if award is not None and award.state == "awarded":
        _take_back(changes, award)
        changes.settle_level()
    return changes.outcome(TaskAward(task_id, "reversed", at, event_id))

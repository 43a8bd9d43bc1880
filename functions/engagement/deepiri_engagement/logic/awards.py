"""What a completed or reopened task does to its owner's wallet, as a pure function of the stored state.

The bus may deliver a task's events more than once and in any order. Each task keeps the latest of its
events the wallet reflects (:class:`TaskAward`, ordered by the event's time, then its id): an event no
later than that changes nothing, a completion credits the task's XP (and its coins, and the rewards of
every level it reaches), and a reopening debits exactly what the standing completion credited (and the
rewards of every level it falls below). So completing, reopening and completing again leaves the state
of one completion, whatever order the three arrive in, and no sequence of them earns twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace

from deepiri_common.clock import parse_iso, to_iso, utc_now
from deepiri_common.events import DomainEvent
from deepiri_engagement.logic import badges, boosts, rules
from deepiri_engagement.models.events import (
    SERVICE,
    BadgeEarned,
    CurrencyChanged,
    LevelDown,
    LevelUp,
    TaskCompletedData,
    XpAwarded,
)
from deepiri_engagement.models.wallet import Entry, Outcome, Reward, TaskAward, Wallet

SYSTEM = "system"


class Changes:
    """Credits and debits applied to a wallet in order, with their entries and events."""

    def __init__(self, wallet: Wallet, source_id: str, task_id: str | None = None, at: str | None = None) -> None:
        self.wallet, self.source_id, self.task_id = wallet, source_id, task_id
        self.at = at or to_iso(utc_now())
        self.balances, self.debts, self.level = dict(wallet.balances), dict(wallet.debts), wallet.level
        self.counters, self.held = dict(wallet.counters), dict(wallet.badges)
        self.entries: list[tuple[Entry, int]] = []
        self.events: list[DomainEvent] = []
        self.earned: list[str] = []
        self.rewards: list[Reward] = []

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

    def count(self, names: Iterable[str]) -> None:
        """Add one to each badge counter named."""
        for name in names:
            self.counters[name] = self.counters.get(name, 0) + 1

    def raise_marks(self, marks: Mapping[str, int]) -> None:
        """Raise high-water marks (the longest streaks) to the values given, never lowering them."""
        self.counters = badges.raise_to(self.counters, **marks)

    def earn_xp(self, amount: int) -> None:
        """Add to lifetime XP (the badges' ``xp``) and move its level (``level``), granting the claimable reward
        of every milestone level it passes."""
        # Without a level counter the user is at level 1; a default of 2 would only skip checking level 2, which is
        # no milestone (every LEVEL_CLAIMABLE_EVERY-th, 5): equivalent.
        before = self.counters.get("level", 1)
        self.counters["xp"] = self.counters.get("xp", 0) + amount
        self.counters["level"] = rules.level_of(self.counters["xp"])
        for level in range(before + 1, self.counters["level"] + 1):
            if level % rules.LEVEL_CLAIMABLE_EVERY == 0:
                self.rewards.append(Reward(f"level-{level}", "coinBonus", rules.CLAIMABLE_AMOUNTS["coinBonus"],
                                           f"level {level}", self.at))

    def settle_badges(self) -> None:
        """Earn every badge tier the counters reach that is not held yet, paying its coins, gems and claimable."""
        for badge, tier in badges.newly_earned(self.counters, self.held):
            key = badges.tier_key(badge, tier)
            self.held[key] = self.at
            self.earned.append(key)
            for currency, amount in (("coins", tier.coins), ("gems", tier.gems)):
                if amount:
                    self.credit(currency, amount, "BadgeEarned")
            reward_id = None
            if tier.claimable is not None:
                reward_id = f"badge-{badge.badgeId}-{tier.name}"
                self.rewards.append(Reward(reward_id, tier.claimable, rules.CLAIMABLE_AMOUNTS[tier.claimable],
                                           f"badge {badge.name} ({tier.name})", self.at))
            self._publish("BadgeEarned", BadgeEarned(userId=self.wallet.userId, badgeId=badge.badgeId,
                                                     name=badge.name, tier=tier.name, coins=tier.coins,
                                                     gems=tier.gems, rewardId=reward_id))

    def _publish(self, detail_type: str,
                 data: XpAwarded | LevelUp | LevelDown | CurrencyChanged | BadgeEarned) -> None:
        # Dated with the activity that caused it (``at``), as the ledger and the badges are: the XP of a
        # completion lands on the completion's day in every read model, however late it is processed.
        self.events.append(DomainEvent.new(SERVICE, detail_type, data, SYSTEM, occurred_at=self.at))

    def outcome(self, award: TaskAward | None = None, marker: str | None = None) -> Outcome:
        wallet = replace(self.wallet, level=self.level, balances=self.balances, debts=self.debts,
                         counters=self.counters, badges=self.held, version=self.wallet.version + 1)
        return Outcome(wallet, award, self.entries, self.events, marker, self.earned, self.rewards)


def _is_later(award: TaskAward | None, at: str, event_id: str) -> bool:
    return award is None or (at, event_id) > (award.at, award.eventId)


def _take_back(changes: Changes, award: TaskAward) -> None:
    for currency, amount in award.credits.items():
        changes.debit(currency, amount, "TaskReopened")


def _counted(changes: Changes, marks: set[str], xp: int, award: TaskAward | None) -> TaskAward | None:
    """Count the task's new marks and its XP above its best towards badges; the award's record of both."""
    held = set(award.marks) if award else set()
    best = award.bestXp if award else 0
    changes.count(sorted(marks - held))
    changes.earn_xp(max(xp - best, 0))
    if award is None:
        return None
    return replace(award, marks=tuple(sorted(held | marks)), bestXp=max(best, xp))


def complete(wallet: Wallet, award: TaskAward | None, event_id: str, at: str, task: TaskCompletedData, *,
             local_hour: int = 12) -> Outcome | None:  # noon: not early, not late; 13 is equivalent
    """A TaskCompleted event (``local_hour``: the hour of its completion in the user's timezone). Its XP is
    multiplied by the boosts covering ``at``. None when nothing changes: the task's standing award is as late
    or later and this completion counts nothing new towards badges."""
    xp = rules.task_xp(task, boosts.multiplier_at(wallet.boosts, parse_iso(at)))
    marks = badges.completion_marks(task.category, task.difficulty, task.onTime, local_hour)
    if not _is_later(award, at, event_id):
        if award is None or (marks <= set(award.marks) and xp <= award.bestXp):
            return None
        changes = Changes(wallet, event_id, task.taskId, at)  # a stale completion still counts for badges
        recorded = _counted(changes, marks, xp, award)
        changes.settle_badges()
        return changes.outcome(recorded)
    changes = Changes(wallet, event_id, task.taskId, at)
    if award is not None and award.state == "awarded":
        _take_back(changes, award)  # a later completion replaces the standing one
    credits = {"xp": xp, "coins": rules.coins_for(xp)}
    for currency, amount in credits.items():
        changes.credit(currency, amount, "TaskCompleted")
    recorded = _counted(changes, marks, xp, award)
    changes.settle_level()
    changes.settle_badges()
    marks_now = recorded.marks if recorded else tuple(sorted(marks))
    return changes.outcome(TaskAward(task.taskId, "awarded", at, event_id, credits, marks_now,
                                     recorded.bestXp if recorded else xp))


def reopen(wallet: Wallet, award: TaskAward | None, event_id: str, at: str, task_id: str) -> Outcome | None:
    """A TaskReopened event: None when the task's standing award is as late or later. What the task counted
    towards badges stays counted."""
    if not _is_later(award, at, event_id):
        return None
    changes = Changes(wallet, event_id, task_id, at)
    if award is not None and award.state == "awarded":
        _take_back(changes, award)
        changes.settle_level()
    kept = (award.marks, award.bestXp) if award else ((), 0)
    return changes.outcome(TaskAward(task_id, "reversed", at, event_id, {}, *kept))

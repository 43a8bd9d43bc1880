"""In-memory stand-ins for the engagement repositories, keeping their contracts (versions, markers)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from typing import Any

from deepiri_common.events import DomainEvent
from deepiri_engagement.dal.board_layout import counter_cells, counter_items, order_key
from deepiri_engagement.dal.boards import AlreadyApplied as AlreadyAppliedBoard
from deepiri_engagement.dal.boards import StandingConflict
from deepiri_engagement.dal.streaks import StreakConflict as StreakConflictFake
from deepiri_engagement.dal.wallets import AlreadyApplied, VersionConflict
from deepiri_engagement.models.boards import Change, Entry
from deepiri_engagement.models.streaks import DaySettings, Streak
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

    def claim_write(self, user_id: str, reward_id: str, at: str) -> dict[str, Any]:
        held = self.rewards_held.get(user_id, [])

        def check() -> bool:
            return any(r.rewardId == reward_id and r.claimedAt is None for r in held)

        def apply() -> None:
            held[:] = [replace(r, claimedAt=at) if r.rewardId == reward_id else r for r in held]
        return {"check": check, "apply": apply}

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
        if self.wallet(previous.userId).version != previous.version or not all(
                write["check"]() for write in also if "check" in write):
            raise VersionConflict(previous.userId)
        if outcome.marker is not None:
            self.markers.add((previous.userId, outcome.marker))
        self.wallets[previous.userId] = outcome.wallet
        if outcome.award is not None:
            self.awards[(previous.userId, outcome.award.taskId)] = outcome.award
        self.rewards_held.setdefault(previous.userId, []).extend(outcome.rewards)
        for write in also:
            if "apply" in write:
                write["apply"]()  # another repository's items in the same transaction (fake streaks)
        self.saved.append((outcome, at, also))


class Boards:
    """In-memory leaderboards keeping the repository's contract: a marker applies a commit once, an entry
    written from a stale read (``rev``) conflicts, and reads answer in board order from the same keys."""

    def __init__(self, conflicts: int = 0) -> None:
        self.stored: dict[tuple[str, str, str], Entry] = {}
        self.markers: set[str] = set()
        self.edges: dict[tuple[str, str], tuple[str, str, str]] = {}  # (owner, other) -> (state, at, event id)
        self.published: list[DomainEvent] = []
        self.conflicts = conflicts  # commits that fail as if a rival moved the entries first

    def entries(self, keys: Iterable[tuple[str, str, str]]) -> dict[tuple[str, str, str], Entry | None]:
        return {key: self.stored.get(key) for key in dict.fromkeys(keys)}

    def user_entries(self, user_id: str) -> list[Entry]:
        return [entry for key, entry in sorted(self.stored.items()) if key[0] == user_id]

    def commit(self, changes: Sequence[Change], *, marker: str | None = None,
               events: Sequence[DomainEvent] = ()) -> None:
        if marker is not None and marker in self.markers:
            raise AlreadyAppliedBoard(marker)
        if self.conflicts:
            self.conflicts -= 1
            raise StandingConflict("a rival moved first")
        for change in changes:
            entry = change.after or change.before
            assert entry is not None
            key = (entry.userId, entry.board, entry.period)
            stored = self.stored.get(key)
            if (stored.rev if stored else None) != (change.before.rev if change.before else None):
                raise StandingConflict(str(key))
        if marker is not None:
            self.markers.add(marker)
        for change in changes:
            entry = change.after or change.before
            assert entry is not None
            key = (entry.userId, entry.board, entry.period)
            if change.after is None:
                del self.stored[key]
            else:
                self.stored[key] = replace(change.after, rev=(change.before.rev if change.before else 0) + 1)
        self.published += events

    def _ordered(self, board: str, period: str) -> list[tuple[str, Entry]]:
        return sorted((order_key(e.score, e.achievedAt, e.userId), e) for (_, b, p), e in self.stored.items()
                      if (b, p) == (board, period))

    def first(self, board: str, period: str, limit: int, after: str | None) -> tuple[list[Entry], bool]:
        rest = [entry for order, entry in self._ordered(board, period) if after is None or order > after]
        return rest[:limit], len(rest) > limit

    def around(self, board: str, period: str, order: str, count: int) -> tuple[list[Entry], list[Entry]]:
        ordered = self._ordered(board, period)
        above = [entry for key, entry in ordered if key < order]
        below = [entry for key, entry in ordered if key > order]
        return (above[-count:] if count else []), below[:count]

    def ties_before(self, board: str, period: str, score: int, order: str) -> int:
        return sum(1 for key, entry in self._ordered(board, period) if entry.score == score and key < order)

    def counters(self, board: str, period: str, score: int) -> dict[str, list[dict[str, int]]]:
        cells: dict[str, dict[str, int]] = {}
        for _, entry in self._ordered(board, period):
            for item, attribute in counter_cells(entry.score):
                cells.setdefault(item, {})[attribute] = cells.get(item, {}).get(attribute, 0) + 1
        return {item: [cells[item]] if item in cells else [] for item in counter_items(score)}

    def friends(self, user_id: str) -> list[str]:
        return [other for (owner, other), (state, _, _) in sorted(self.edges.items())
                if owner == user_id and state == "active"]

    def set_friendship(self, a: str, b: str, state: str, at: str, event_id: str) -> None:
        for owner, other in ((a, b), (b, a)):
            stored = self.edges.get((owner, other))
            if stored is None or (stored[1], stored[2]) < (at, event_id):
                self.edges[(owner, other)] = (state, at, event_id)

    def forget_friendships(self, user_id: str) -> int:
        mine = [other for owner, other in self.edges if owner == user_id]
        for other in mine:
            self.edges.pop((user_id, other), None)
            self.edges.pop((other, user_id), None)
        return len(mine)


class Streaks:
    """In-memory streaks with the repository's contract: a save conditioned on the version read and on its
    once-only markers, the due index kept from ``due`` hours, settings kept only when later."""

    def __init__(self) -> None:
        self.settings: dict[str, DaySettings] = {}
        self.streaks: dict[str, Streak] = {}
        self.index: dict[str, tuple[int, int] | None] = {}
        self.marks: set[tuple[str, str]] = set()
        self.published: list[DomainEvent] = []
        self.rivals: list[Streak] = []  # streaks a rival writes just before the next save

    def day_settings(self, user_id: str) -> DaySettings:
        return self.settings.get(user_id, DaySettings(user_id))

    def save_day_settings(self, settings: DaySettings, also: Sequence[dict[str, Any]] = ()) -> bool:
        stored = self.settings.get(settings.userId)
        if stored is not None and (stored.at, stored.eventId) >= (settings.at, settings.eventId):
            return False
        if not all(write["check"]() for write in also):
            raise StreakConflictFake(settings.userId)
        self.settings[settings.userId] = settings
        for write in also:
            write["apply"]()
        return True

    def streak(self, user_id: str) -> Streak:
        return self.streaks.get(user_id, Streak(user_id))

    def writes(self, previous: Streak, streak: Streak, due: tuple[int, int] | None,
               markers: Sequence[str] = ()) -> list[dict[str, Any]]:
        def check() -> bool:  # as the table's condition: version 0 is "no streak stored yet"
            stored = self.streaks.get(previous.userId)
            seen = stored is None if previous.version == 0 else (
                stored is not None and stored.version == previous.version)
            return seen and not any((previous.userId, marker) in self.marks for marker in markers)

        def apply() -> None:
            self.streaks[streak.userId] = streak
            self.index[streak.userId] = due
            self.marks.update((streak.userId, marker) for marker in markers)
        return [{"check": check, "apply": apply}]

    def save(self, previous: Streak, streak: Streak, due: tuple[int, int] | None, events: Sequence[DomainEvent],
             markers: Sequence[str] = ()) -> None:
        if self.rivals:
            rival = self.rivals.pop(0)
            self.streaks[rival.userId] = rival
        [write] = self.writes(previous, streak, due, markers)
        if not write["check"]():
            raise StreakConflictFake(previous.userId)
        write["apply"]()
        self.published += events

    def marked(self, user_id: str, marker: str) -> bool:
        return (user_id, marker) in self.marks

    def due(self, kind: str, hour: int) -> Iterator[str]:
        slot = {"ROLL": 0, "RISK": 1}.get(kind)
        if slot is None:
            return
        yield from sorted(user for user, due in self.index.items() if due is not None and due[slot] == hour)

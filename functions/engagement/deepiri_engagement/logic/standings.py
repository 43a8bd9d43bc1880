"""Moving and reading leaderboard standings: XP changes, duels, friendships, deleted users, rebuilds.

XP boards are fed by the service's own XpAwarded and CurrencyDebited (currency xp) events rather than by
the wallet's transaction, so the wallet code knows nothing of boards. Each event moves the user's
all-time entry and their entry for the event's ISO week by its signed amount, in one transaction with a
marker keyed by the event id: a duplicate finds the marker and changes nothing. Sums do not depend on
order, so events arriving out of order leave the same totals; an entry's ``achievedAt`` is the latest
time among the events applied to it, which is also order-independent. The all-time total therefore
equals the wallet's XP balance (the wallet's credits and debits are exactly these events), and
:func:`rebuild_xp` recomputes both boards of a user from the ledger.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from deepiri_common.consumers import PermanentFailure
from deepiri_common.events import DomainEvent, ReceivedEvent
from deepiri_common.pagination import decode_cursor, encode_cursor
from deepiri_common.problems import BadRequest
from deepiri_engagement.dal.board_layout import higher_count, order_key
from deepiri_engagement.dal.boards import AlreadyApplied, BoardRepository, StandingConflict
from deepiri_engagement.dal.wallets import WalletRepository
from deepiri_engagement.logic import ratings
from deepiri_engagement.logic.boards import ALL_TIME, period_of, sort_key, stored_board, xp_periods
from deepiri_engagement.models.boards import (
    BoardPage,
    Change,
    CurrencyDebitedData,
    DuelFinishedData,
    Entry,
    FriendshipAcceptedData,
    FriendshipEndedData,
    MyStanding,
    RatingStats,
    Standing,
    XpAwardedData,
)
from deepiri_engagement.models.events import SERVICE, RatingChanged, RatingMove, UserDeletedData

WRITE_ATTEMPTS = 5  # concurrent moves of the same entries or counters: read again and decide again
NEIGHBOURS = 2  # users shown either side of the caller on /me
REBUILD_CHUNK = 12  # entries per rebuild transaction (each entry moves up to 5 counter items)
LEDGER_PAGE = 100
SYSTEM = "system"


def _retrying(attempt: Callable[[], bool]) -> bool:
    for _ in range(WRITE_ATTEMPTS):
        try:
            return attempt()
        except StandingConflict:
            continue
    raise StandingConflict("entries kept moving")  # transient: the queue delivers the event again


# ---- events --------------------------------------------------------------------------------------


def on_event(repository: BoardRepository, event: ReceivedEvent, data: BaseModel) -> dict[str, Any]:
    """Apply one consumed event to the boards; what it did, for the log."""
    event_id, at = event.detail.id, event.detail.occurredAt
    if isinstance(data, XpAwardedData) and data.amount:
        return {"boardsMoved": xp_changed(repository, event_id, at, data.userId, data.amount)}
    if isinstance(data, CurrencyDebitedData) and data.currency == "xp":
        return {"boardsMoved": xp_changed(repository, event_id, at, data.userId, -data.amount)}
    if isinstance(data, DuelFinishedData):
        a, b = data.participantIds
        if not a or a == b or data.winnerId not in (None, a, b):
            raise PermanentFailure("DuelFinished needs two different participants and a winner among them")
        # A duel is rated once by its own id (the marker), never by the event's: duel_finished does not read
        # ``event_id``, so its mutants are equivalent.
        return {"rated": duel_finished(repository, event_id, at, data) is not None}
    if isinstance(data, FriendshipAcceptedData | FriendshipEndedData):
        if len(data.userIds) != 2 or len(set(data.userIds)) != 2 or not all(data.userIds):
            raise PermanentFailure("a friendship needs two different users")
        state = "active" if isinstance(data, FriendshipAcceptedData) else "ended"
        repository.set_friendship(data.userIds[0], data.userIds[1], state, at, event_id)
        return {"friendship": state}
    if isinstance(data, UserDeletedData):
        return {"boardItemsDeleted": forget(repository, data.userId)}
    return {}


def xp_changed(repository: BoardRepository, event_id: str, at: str, user_id: str, amount: int) -> bool:
    """Move the user's all-time and weekly XP entries by ``amount`` (signed); False for a duplicate."""
    keys = [(user_id, board, period) for board, period in xp_periods(at)]

    def attempt() -> bool:
        current = repository.entries(keys)
        changes = [Change(before, _moved(before, key, amount, at)) for key, before in current.items()]
        try:
            repository.commit(changes, marker=f"EVENT#{event_id}")
        except AlreadyApplied:
            return False
        return True

    return _retrying(attempt)


def _moved(before: Entry | None, key: tuple[str, str, str], amount: int, at: str) -> Entry:
    user_id, board, period = key
    if before is None:
        return Entry(userId=user_id, board=board, period=period, score=amount, achievedAt=at)
    return replace(before, score=before.score + amount, achievedAt=max(before.achievedAt, at))


def duel_finished(repository: BoardRepository, event_id: str, at: str,
                  duel: DuelFinishedData) -> list[DomainEvent] | None:
    """Rate both participants overall and in the duel's category, once per duel; the RatingChanged events
    published (None: the duel was rated before)."""
    a, b = duel.participantIds
    boards = ("elo", f"elo-{duel.category}")
    keys = [(user, board, ALL_TIME) for board in boards for user in (a, b)]
    published: list[DomainEvent] = []

    def attempt() -> bool:
        current = repository.entries(keys)
        changes: list[Change] = []
        moves: dict[str, list[RatingMove]] = {a: [], b: []}
        for board in boards:
            standing = {user: current[(user, board, ALL_TIME)] or ratings.fresh(user, board) for user in (a, b)}
            for user, opponent in ((a, b), (b, a)):
                after = ratings.rated(standing[user], standing[opponent], ratings.result_of(user, duel.winnerId), at)
                changes.append(Change(current[(user, board, ALL_TIME)], after))
                moves[user].append(RatingMove(board=board, rating=after.score, previousRating=standing[user].score,
                                              peakRating=after.stats["peak"]))
        events = [DomainEvent.new(SERVICE, "RatingChanged", RatingChanged(
            userId=user, duelId=duel.duelId, opponentId=opponent, category=duel.category,
            result=ratings.result_of(user, duel.winnerId), overall=moves[user][0], inCategory=moves[user][1]),
            SYSTEM) for user, opponent in ((a, b), (b, a))]
        try:
            repository.commit(changes, marker=f"DUEL#{duel.duelId}", events=events)
        except AlreadyApplied:
            return False
        published[:] = events
        return True

    return published if _retrying(attempt) else None


def forget(repository: BoardRepository, user_id: str) -> int:
    """Take a deleted user off every board (their counters with them) and drop their friendships; how many
    items that was."""
    removed = 0
    for _ in range(WRITE_ATTEMPTS):
        entries = repository.user_entries(user_id)
        if not entries:
            return removed + repository.forget_friendships(user_id)
        for entry in entries:
            try:
                repository.commit([Change(entry, None)])
                removed += 1
            except StandingConflict:
                continue  # it moved meanwhile: the next round reads it again
    raise StandingConflict(f"entries of {user_id} kept moving")  # transient: the event comes again


def rebuild_xp(boards: BoardRepository, wallets: WalletRepository, user_id: str) -> list[Entry]:
    """Recompute a user's all-time and weekly XP entries from their ledger and store them; the entries.

    The ledger's ``at`` is its source event's time, while the consumer dates a change by the XpAwarded
    event's time (moments later), so a change made in the last moments of a week may move to the next."""
    totals: dict[tuple[str, str], Entry] = {}
    cursor: str | None = None
    while True:
        page = wallets.ledger(user_id, "xp", LEDGER_PAGE, cursor)
        for item in page.items:
            for board, period in xp_periods(item.at):
                totals[(board, period)] = _moved(totals.get((board, period)), (user_id, board, period),
                                                 item.amount, item.at)
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    existing = {(e.board, e.period): e for e in boards.user_entries(user_id) if e.board in ("xp", "weekly")}
    changes = [Change(existing.get(key), totals.get(key)) for key in existing.keys() | totals.keys()]
    for start in range(0, len(changes), REBUILD_CHUNK):
        boards.commit(changes[start:start + REBUILD_CHUNK])
    return sorted(totals.values(), key=lambda e: (e.board, e.period))


# ---- reading -------------------------------------------------------------------------------------


def board_page(repository: BoardRepository, board: str, caller: str, limit: int, cursor: str | None, *,
               now: datetime) -> BoardPage:
    """One page of a board in its order, with its period."""
    period = period_of(board, now)
    if board == "friends":
        rows = _friends_rows(repository, caller)
        offset = _cursor_value(cursor, "offset")
        page = rows[offset:offset + limit]
        more = len(rows) > offset + limit
        return BoardPage(**period.model_dump(), items=page,
                         nextCursor=encode_cursor({"offset": offset + limit}) if more else None)
    after, rank = (None, 0) if cursor is None else _board_cursor(cursor)
    entries, more = repository.first(stored_board(board), period.period, limit, after)
    items = [Standing(rank=rank + n, userId=e.userId, score=e.score, achievedAt=e.achievedAt or None)
             for n, e in enumerate(entries, start=1)]
    next_cursor = None
    if more and entries:
        last = entries[-1]
        next_cursor = encode_cursor({"after": order_key(last.score, last.achievedAt, last.userId),
                                     "rank": rank + len(entries)})
    return BoardPage(**period.model_dump(), items=items, nextCursor=next_cursor)


def my_standing(repository: BoardRepository, board: str, caller: str, now: datetime) -> MyStanding:
    """The caller's rank on a board and their nearest neighbours either side."""
    period = period_of(board, now)
    if board == "friends":
        rows = _friends_rows(repository, caller)
        at = next(n for n, row in enumerate(rows) if row.userId == caller)
        return MyStanding(**period.model_dump(), me=rows[at], above=rows[max(at - NEIGHBOURS, 0):at],
                          below=rows[at + 1:at + 1 + NEIGHBOURS])
    stored = stored_board(board)
    entry = repository.entries([(caller, stored, period.period)])[(caller, stored, period.period)]
    if entry is None:
        return MyStanding(**period.model_dump(), me=None, above=[], below=[])
    order = order_key(entry.score, entry.achievedAt, entry.userId)
    rank = (1 + higher_count(entry.score, repository.counters(stored, period.period, entry.score))
            + repository.ties_before(stored, period.period, entry.score, order))
    above, below = repository.around(stored, period.period, order, NEIGHBOURS)
    stats = entry.stats
    rating = RatingStats(wins=stats["wins"], losses=stats["losses"], draws=stats["draws"],
                         peakRating=stats["peak"], winStreak=stats["winStreak"],
                         bestWinStreak=stats["bestWinStreak"]) if stats else None
    return MyStanding(
        **period.model_dump(), rating=rating,
        me=Standing(rank=rank, userId=caller, score=entry.score, achievedAt=entry.achievedAt or None),
        above=[Standing(rank=rank - len(above) + n, userId=e.userId, score=e.score, achievedAt=e.achievedAt or None)
               for n, e in enumerate(above)],
        below=[Standing(rank=rank + n, userId=e.userId, score=e.score, achievedAt=e.achievedAt or None)
               for n, e in enumerate(below, start=1)])


def _friends_rows(repository: BoardRepository, caller: str) -> list[Standing]:
    members = [caller, *repository.friends(caller)]
    found = repository.entries((user, "xp", ALL_TIME) for user in members)
    scored = []
    for user in dict.fromkeys(members):
        entry = found[(user, "xp", ALL_TIME)]
        scored.append((entry.score if entry else 0, entry.achievedAt if entry else None, user))
    scored.sort(key=lambda row: sort_key(*row))
    return [Standing(rank=n, userId=user, score=score, achievedAt=achieved)
            for n, (score, achieved, user) in enumerate(scored, start=1)]


def _cursor_value(cursor: str | None, name: str) -> int:
    if cursor is None:
        return 0
    values = decode_cursor(cursor)
    value = values.get(name)
    if set(values) != {name} or not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise BadRequest("invalid cursor")
    return value


def _board_cursor(cursor: str) -> tuple[str, int]:
    values = decode_cursor(cursor)
    after, rank = values.get("after"), values.get("rank")
    if (set(values) != {"after", "rank"} or not isinstance(after, str) or len(after) > 512
            or not isinstance(rank, int) or isinstance(rank, bool) or rank < 0):
        raise BadRequest("invalid cursor")
    return after, rank


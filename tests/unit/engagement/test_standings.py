"""Moving and reading standings (logic/standings.py) on in-memory boards: XP changes once per event, duels
rated once, friendships newest first, deleted users removed, rebuilds from the ledger, pages and ranks."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import BaseModel

from deepiri_common.consumers import PermanentFailure
from deepiri_common.events import DomainEvent, ReceivedEvent
from deepiri_common.pagination import Page, encode_cursor
from deepiri_common.problems import BadRequest
from deepiri_engagement.dal.boards import StandingConflict
from deepiri_engagement.logic import standings
from deepiri_engagement.models.boards import (
    CurrencyDebitedData,
    DuelFinishedData,
    FriendshipAcceptedData,
    FriendshipEndedData,
    XpAwardedData,
)
from deepiri_engagement.models.events import UserDeletedData
from deepiri_engagement.models.progress import LedgerEntry
from tests.unit.engagement.fakes import Boards


class Unrelated(BaseModel):
    """An event the boards do not read."""


NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)  # Wednesday of 2026-W49
AT = "2026-12-02T10:00:00.000Z"


def _received(kind: str, data: BaseModel, at: str = AT) -> ReceivedEvent:
    event = DomainEvent.new("engagement", kind, data, actor="system")
    detail = event.detail.model_copy(update={"occurredAt": at})
    return ReceivedEvent.model_validate({"id": "b1", "source": "deepiri.engagement", "detail-type": kind,
                                         "time": at, "detail": detail.model_dump()})


def _xp(boards: Boards, user: str, amount: int, event_id: str, at: str = AT) -> bool:
    return standings.xp_changed(boards, event_id, at, user, amount)


def _duel(winner: str | None, a: str = "a", b: str = "b", duel_id: str = "d1") -> DuelFinishedData:
    return DuelFinishedData(duelId=duel_id, category="code", participantIds=[a, b], winnerId=winner)


def test_given_xp_awarded_and_debited_then_all_time_and_weekly_entries_move_once_per_event() -> None:
    boards = Boards()

    moved = standings.on_event(boards, _received("XpAwarded", XpAwardedData(userId="u1", amount=40, totalXp=40)),
                               XpAwardedData(userId="u1", amount=40, totalXp=40))
    assert moved == {"boardsMoved": True}
    assert _xp(boards, "u1", 40, "e1") is True
    assert _xp(boards, "u1", 40, "e1") is False  # the same event again
    debit = CurrencyDebitedData(userId="u1", currency="xp", amount=15, balance=65)
    standings.on_event(boards, _received("CurrencyDebited", debit), debit)
    coins = CurrencyDebitedData(userId="u1", currency="coins", amount=5, balance=0)
    assert standings.on_event(boards, _received("CurrencyDebited", coins), coins) == {}
    zero = XpAwardedData(userId="u1", amount=0, totalXp=65)
    assert standings.on_event(boards, _received("XpAwarded", zero), zero) == {}

    assert boards.stored[("u1", "xp", "all")].score == 65
    assert boards.stored[("u1", "weekly", "2026-W49")].score == 65
    assert boards.stored[("u1", "xp", "all")].achievedAt == AT


def test_given_xp_events_out_of_order_then_achieved_at_is_the_latest_time() -> None:
    boards = Boards()
    _xp(boards, "u1", 10, "e2", "2026-12-02T11:00:00.000Z")
    _xp(boards, "u1", 10, "e1", "2026-12-02T09:00:00.000Z")

    assert boards.stored[("u1", "xp", "all")].achievedAt == "2026-12-02T11:00:00.000Z"


def test_given_entries_that_keep_moving_then_the_change_is_retried_and_finally_left_to_the_queue() -> None:
    retried = Boards(conflicts=standings.WRITE_ATTEMPTS - 1)
    assert _xp(retried, "u1", 10, "e1") is True
    stuck = Boards(conflicts=standings.WRITE_ATTEMPTS)
    with pytest.raises(StandingConflict):
        _xp(stuck, "u1", 10, "e1")


def test_given_a_duel_then_both_ratings_move_overall_and_in_its_category_once() -> None:
    boards = Boards()

    events = standings.duel_finished(boards, "e1", AT, _duel("a"))

    assert events is not None
    assert {key: e.score for key, e in boards.stored.items()} == {
        ("a", "elo", "all"): 1516, ("b", "elo", "all"): 1484, ("a", "elo-code", "all"): 1516,
        ("b", "elo-code", "all"): 1484}
    assert [(e.detail.data["userId"], e.detail.data["result"], e.detail.data["overall"]["rating"],
             e.detail.data["inCategory"]["previousRating"]) for e in events] == [
        ("a", "win", 1516, 1500), ("b", "loss", 1484, 1500)]
    assert boards.published == events
    assert standings.duel_finished(boards, "e2", AT, _duel("a")) is None  # the same duel, another event


def test_given_duel_events_then_bad_participants_are_permanent_failures() -> None:
    boards = Boards()
    for duel in (_duel(None, "a", "a"), _duel("c"), _duel(None, "", "b")):
        with pytest.raises(PermanentFailure):
            standings.on_event(boards, _received("DuelFinished", duel), duel)
    draw = _duel(None)
    assert standings.on_event(boards, _received("DuelFinished", draw), draw) == {"rated": True}
    assert standings.on_event(boards, _received("DuelFinished", draw), draw) == {"rated": False}
    assert boards.stored[("a", "elo", "all")].score == 1500


def test_given_friendship_events_then_the_newest_state_stands_and_bad_pairs_fail() -> None:
    boards = Boards()
    accepted = FriendshipAcceptedData(userIds=["a", "b"])
    ended = FriendshipEndedData(userIds=["a", "b"])

    assert standings.on_event(boards, _received("FriendshipEnded", ended, "2026-12-02T11:00:00.000Z"),
                              ended) == {"friendship": "ended"}
    assert standings.on_event(boards, _received("FriendshipAccepted", accepted), accepted) == {
        "friendship": "active"}
    assert boards.friends("a") == [] and boards.friends("b") == []  # the older acceptance lost
    for bad in (FriendshipAcceptedData(userIds=["a"]), FriendshipAcceptedData(userIds=["a", "a"]),
                FriendshipEndedData(userIds=["a", ""])):
        with pytest.raises(PermanentFailure):
            standings.on_event(boards, _received("FriendshipAccepted", bad), bad)


def test_given_a_deleted_user_then_their_entries_and_friendships_go_and_others_stay() -> None:
    boards = Boards()
    _xp(boards, "gone", 10, "e1")
    _xp(boards, "stays", 20, "e2")
    standings.duel_finished(boards, "e3", AT, _duel("gone", "gone", "stays"))
    boards.set_friendship("gone", "stays", "active", AT, "f1")

    deleted = UserDeletedData(userId="gone")
    result = standings.on_event(boards, _received("UserDeleted", deleted), deleted)

    assert result == {"boardItemsDeleted": 4 + 1}  # xp, weekly, elo, elo-code; one friendship
    assert {key[0] for key in boards.stored} == {"stays"} and boards.friends("stays") == []
    assert standings.on_event(boards, _received("UserRegistered", deleted), Unrelated()) == {}


def test_given_entries_that_keep_moving_then_forgetting_a_user_is_left_to_the_queue() -> None:
    boards = Boards()
    _xp(boards, "gone", 10, "e1")
    boards.conflicts = 100
    with pytest.raises(StandingConflict):
        standings.forget(boards, "gone")


class Ledger:
    """The wallet repository's ledger read, paged two entries at a time."""

    def __init__(self, entries: list[tuple[int, str]]) -> None:
        self.entries = [LedgerEntry(entryId=f"x{n}", currency="xp", amount=amount, balance=0, reason="Test",
                                    sourceId=f"s{n}", at=at) for n, (amount, at) in enumerate(entries)]

    def ledger(self, user_id: str, currency: str | None, limit: int, cursor: str | None) -> Page[LedgerEntry]:
        start = int(cursor or 0)
        more = start + 2 < len(self.entries)
        return Page[LedgerEntry](items=self.entries[start:start + 2], next_cursor=str(start + 2) if more else None)


def test_given_a_ledger_then_a_rebuild_recomputes_all_time_and_weekly_entries_and_drops_stale_ones() -> None:
    boards = Boards()
    _xp(boards, "u1", 999, "e0", "2026-11-20T10:00:00.000Z")  # wrong, and in a week the ledger does not have
    ledger = Ledger([(40, "2026-11-30T10:00:00.000Z"), (20, "2026-12-01T10:00:00.000Z"),
                     (-10, "2026-12-02T10:00:00.000Z"), (80, "2026-12-07T09:00:00.000Z"),
                     (5, "2026-12-07T08:00:00.000Z")])

    rebuilt = standings.rebuild_xp(boards, ledger, "u1")  # type: ignore[arg-type]

    assert [(e.board, e.period, e.score, e.achievedAt) for e in rebuilt] == [
        ("weekly", "2026-W49", 50, "2026-12-02T10:00:00.000Z"), ("weekly", "2026-W50", 85, "2026-12-07T09:00:00.000Z"),
        ("xp", "all", 135, "2026-12-07T09:00:00.000Z")]
    assert {key: e.score for key, e in boards.stored.items()} == {
        ("u1", "weekly", "2026-W49"): 50, ("u1", "weekly", "2026-W50"): 85, ("u1", "xp", "all"): 135}


def _seed(boards: Boards, scores: dict[str, int]) -> None:
    for n, (user, score) in enumerate(scores.items()):
        _xp(boards, user, score, f"e{n}", f"2026-12-02T10:00:{n:02d}.000Z")


def test_given_a_board_then_pages_follow_its_order_with_ranks_and_cursors() -> None:
    boards = Boards()
    _seed(boards, {"a": 50, "b": 90, "c": 50, "d": 10, "e": 70})

    first = standings.board_page(boards, "xp", "a", 2, None, now=NOW)
    second = standings.board_page(boards, "xp", "a", 2, first.nextCursor, now=NOW)
    last = standings.board_page(boards, "xp", "a", 2, second.nextCursor, now=NOW)

    assert [(s.rank, s.userId, s.score) for s in first.items + second.items + last.items] == [
        (1, "b", 90), (2, "e", 70), (3, "a", 50), (4, "c", 50), (5, "d", 10)]
    assert last.nextCursor is None and first.period == "all" and first.periodStart is None
    weekly = standings.board_page(boards, "weekly", "a", 10, None, now=NOW)
    assert weekly.period == "2026-W49" and len(weekly.items) == 5
    assert standings.board_page(boards, "weekly-previous", "a", 10, None, now=NOW).items == []


@pytest.mark.parametrize("cursor", [
    encode_cursor({"after": "x"}), encode_cursor({"after": 1, "rank": 1}), encode_cursor({"after": "x", "rank": -1}),
    encode_cursor({"after": "x", "rank": True}), encode_cursor({"after": "x" * 513, "rank": 1}),
    encode_cursor({"after": "x", "rank": 1, "more": 1}), encode_cursor({"after": "x", "rank": "1"}),
])
def test_given_a_cursor_the_service_did_not_make_then_a_board_page_is_a_400(cursor: str) -> None:
    with pytest.raises(BadRequest):
        standings.board_page(Boards(), "xp", "a", 10, cursor, now=NOW)


@pytest.mark.parametrize("cursor", [encode_cursor({"offset": -1}), encode_cursor({"offset": True}),
                                    encode_cursor({"offset": "2"}), encode_cursor({"offset": 1, "x": 1}),
                                    encode_cursor({"rank": 1})])
def test_given_a_bad_friends_cursor_then_400(cursor: str) -> None:
    with pytest.raises(BadRequest):
        standings.board_page(Boards(), "friends", "a", 10, cursor, now=NOW)


def test_given_friends_then_their_board_ranks_the_caller_among_them_by_all_time_xp() -> None:
    boards = Boards()
    _seed(boards, {"me": 30, "f1": 60, "f2": 30, "stranger": 100})
    for friend in ("f1", "f2", "f3"):
        boards.set_friendship("me", friend, "active", AT, f"x{friend}")

    page = standings.board_page(boards, "friends", "me", 2, None, now=NOW)
    rest = standings.board_page(boards, "friends", "me", 2, page.nextCursor, now=NOW)
    mine = standings.my_standing(boards, "friends", "me", NOW)

    assert [(s.rank, s.userId, s.score) for s in page.items + rest.items] == [
        (1, "f1", 60), (2, "me", 30), (3, "f2", 30), (4, "f3", 0)]
    assert rest.nextCursor is None and page.nextCursor is not None
    assert (mine.me.rank if mine.me else None, [s.userId for s in mine.above], [s.userId for s in mine.below]) == (
        2, ["f1"], ["f2", "f3"])


def test_given_a_crowded_board_then_my_rank_counts_higher_scores_and_earlier_ties_with_neighbours() -> None:
    boards = Boards()
    _seed(boards, {"a": 500, "b": 300, "c": 300, "me": 300, "d": 300, "e": 100, "f": 20000})

    mine = standings.my_standing(boards, "xp", "me", NOW)

    assert mine.me is not None and (mine.me.rank, mine.me.score) == (5, 300)
    assert [(s.rank, s.userId) for s in mine.above] == [(3, "b"), (4, "c")]
    assert [(s.rank, s.userId) for s in mine.below] == [(6, "d"), (7, "e")]
    assert mine.rating is None
    nobody = standings.my_standing(boards, "xp", "nobody", NOW)
    assert (nobody.me, nobody.above, nobody.below) == (None, [], [])


def test_given_an_elo_board_then_my_standing_carries_the_record() -> None:
    boards = Boards()
    standings.duel_finished(boards, "e1", AT, _duel("a"))
    standings.duel_finished(boards, "e2", AT, _duel(None, duel_id="d2"))

    mine = standings.my_standing(boards, "elo", "a", NOW)

    assert mine.rating is not None and mine.rating.model_dump() == {
        "wins": 1, "losses": 0, "draws": 1, "peakRating": 1516, "winStreak": 0, "bestWinStreak": 1}
    assert mine.me is not None and mine.me.rank == 1 and [s.userId for s in mine.below] == ["b"]




def test_given_one_entry_moving_then_forgetting_goes_on_to_the_others_in_the_same_round() -> None:
    boards = Boards()
    _xp(boards, "gone", 10, "e1")  # its all-time and weekly entries
    boards.conflicts = standings.WRITE_ATTEMPTS  # rounds 1-2 lose both writes, round 3 the first only

    assert standings.forget(boards, "gone") == 2
    assert boards.stored == {}

"""What the standings logic hands its repositories: a friendship's state, time and event id for both users,
and the ledger read a rebuild asks for (the user's XP entries, a full page at a time, following the cursor)."""

from __future__ import annotations

from typing import Any

import pytest

from deepiri_common.consumers import PermanentFailure
from deepiri_common.pagination import Page, encode_cursor
from deepiri_common.problems import BadRequest
from deepiri_engagement.dal.boards import StandingConflict
from deepiri_engagement.logic import standings
from deepiri_engagement.models.boards import (
    CurrencyDebitedData,
    FriendshipAcceptedData,
    FriendshipEndedData,
    XpAwardedData,
)
from deepiri_engagement.models.progress import LedgerEntry
from tests.unit.engagement.fakes import Boards
from tests.unit.engagement.test_standings import AT, NOW, Ledger, _duel, _received, _seed, _xp


def test_given_a_friendship_event_then_both_directions_keep_its_state_time_and_event_id() -> None:
    boards = Boards()
    accepted = FriendshipAcceptedData(userIds=["ann", "bob"])
    event = _received("FriendshipAccepted", accepted)

    standings.on_event(boards, event, accepted)

    kept = ("active", AT, event.detail.id)
    assert boards.edges == {("ann", "bob"): kept, ("bob", "ann"): kept}
    ended = FriendshipEndedData(userIds=["bob", "ann"])
    later = _received("FriendshipEnded", ended, "2026-12-02T11:00:00.000Z")
    standings.on_event(boards, later, ended)
    assert set(boards.edges.values()) == {("ended", "2026-12-02T11:00:00.000Z", later.detail.id)}


class RecordingLedger:
    def __init__(self) -> None:
        self.asked: list[tuple[Any, ...]] = []

    def ledger(self, user_id: str, currency: str | None, limit: int, cursor: str | None) -> Page[LedgerEntry]:
        self.asked.append((user_id, currency, limit, cursor))
        entry = LedgerEntry(entryId=f"x{len(self.asked)}", currency="xp", amount=10, balance=0, reason="Test",
                            sourceId="s", at=AT)
        return Page[LedgerEntry](items=[entry], next_cursor="page-2" if cursor is None else None)


def test_given_a_rebuild_then_the_ledger_is_read_for_the_user_s_xp_a_hundred_at_a_time_following_the_cursor() -> None:
    ledger = RecordingLedger()

    rebuilt = standings.rebuild_xp(Boards(), ledger, "u1")  # type: ignore[arg-type]

    assert ledger.asked == [("u1", "xp", 100, None), ("u1", "xp", 100, "page-2")]
    assert {(e.board, e.score) for e in rebuilt} == {("weekly", 20), ("xp", 20)}


def test_given_a_duel_then_each_event_names_the_overall_and_the_category_board_and_entries_take_its_time() -> None:
    boards = Boards()

    events = standings.on_event(boards, _received("DuelFinished", _duel("b")), _duel("b"))

    assert events == {"rated": True}
    [first, second] = boards.published
    assert (first.detail.data["overall"]["board"], first.detail.data["inCategory"]["board"]) == ("elo", "elo-code")
    assert (second.detail.data["userId"], second.detail.data["result"]) == ("b", "win")
    assert {e.achievedAt for e in boards.stored.values()} == {AT}


def test_given_two_debits_of_xp_then_each_event_moves_the_boards_once() -> None:
    boards = Boards()
    _xp(boards, "u1", 100, "e0")
    debit = CurrencyDebitedData(userId="u1", currency="xp", amount=15, balance=85)
    award = XpAwardedData(userId="u1", amount=5, totalXp=90)

    for data, kind in ((debit, "CurrencyDebited"), (debit, "CurrencyDebited"), (award, "XpAwarded"),
                       (award, "XpAwarded")):
        assert standings.on_event(boards, _received(kind, data), data) == {"boardsMoved": True}  # a new event id each

    assert boards.stored[("u1", "xp", "all")].score == 100 - 15 - 15 + 5 + 5


def test_given_pages_of_three_with_tied_scores_then_each_follows_from_the_last_row_of_the_one_before() -> None:
    boards = Boards()
    _seed(boards, {"a": 50, "b": 50, "c": 50, "d": 50, "e": 50, "f": 10, "g": 50})

    rows = []
    cursor = None
    for _ in range(3):
        page = standings.board_page(boards, "xp", "a", 3, cursor, now=NOW)
        rows += page.items
        cursor = page.nextCursor
    assert cursor is None
    assert [(s.rank, s.userId, s.achievedAt) for s in rows] == [
        (n, user, f"2026-12-02T10:00:0{index}.000Z") for n, (index, user) in
        enumerate([(0, "a"), (1, "b"), (2, "c"), (3, "d"), (4, "e"), (6, "g"), (5, "f")], start=1)]


def test_given_cursors_at_their_limits_then_they_are_accepted() -> None:
    boards = Boards()
    _seed(boards, {"a": 50, "b": 40})
    start = standings.board_page(boards, "xp", "a", 10, encode_cursor({"after": "x" * 512, "rank": 0}), now=NOW)
    assert start.items == []  # after everything: nothing, and no error
    friends = standings.board_page(boards, "friends", "a", 10, encode_cursor({"offset": 0}), now=NOW)
    assert [s.userId for s in friends.items] == ["a"]


def test_given_a_bad_cursor_then_the_400_says_so() -> None:
    bad = (("xp", encode_cursor({"after": "x", "rank": -1})), ("friends", encode_cursor({"offset": -1})))
    for board, cursor in bad:
        with pytest.raises(BadRequest) as refused:
            standings.board_page(Boards(), board, "a", 10, cursor, now=NOW)
        assert refused.value.detail == "invalid cursor"


def test_given_a_weekly_board_and_many_friends_then_my_standing_has_its_week_and_two_neighbours_each_side() -> None:
    boards = Boards()
    _seed(boards, {"f1": 90, "f2": 80, "me": 70, "f3": 60, "f4": 50, "f5": 40})
    for friend in ("f1", "f2", "f3", "f4", "f5"):
        boards.set_friendship("me", friend, "active", AT, f"x{friend}")

    weekly = standings.my_standing(boards, "weekly", "me", NOW)
    friends = standings.my_standing(boards, "friends", "me", NOW)

    assert weekly.period == "2026-W49" and weekly.me is not None and weekly.me.rank == 3
    assert weekly.me.achievedAt == "2026-12-02T10:00:02.000Z"
    assert [s.userId for s in friends.above] == ["f1", "f2"] and [s.userId for s in friends.below] == ["f3", "f4"]
    assert [s.achievedAt for s in friends.below] == ["2026-12-02T10:00:03.000Z", "2026-12-02T10:00:04.000Z"]


def test_given_a_failure_then_its_message_says_what_went_wrong() -> None:
    with pytest.raises(StandingConflict) as moving:
        _xp(Boards(conflicts=standings.WRITE_ATTEMPTS), "u1", 10, "e1")
    assert str(moving.value) == "entries kept moving"
    boards = Boards()
    _xp(boards, "gone", 10, "e1")
    boards.conflicts = 100
    with pytest.raises(StandingConflict) as forgetting:
        standings.forget(boards, "gone")
    assert str(forgetting.value) == "entries of gone kept moving"
    duel = _duel("c")
    with pytest.raises(PermanentFailure) as bad_duel:
        standings.on_event(Boards(), _received("DuelFinished", duel), duel)
    assert str(bad_duel.value) == "DuelFinished needs two different participants and a winner among them"
    pair = FriendshipAcceptedData(userIds=["a", "a"])
    with pytest.raises(PermanentFailure) as bad_pair:
        standings.on_event(Boards(), _received("FriendshipAccepted", pair), pair)
    assert str(bad_pair.value) == "a friendship needs two different users"


def test_given_my_standing_on_a_board_then_my_neighbours_carry_when_they_reached_their_score() -> None:
    boards = Boards()
    _seed(boards, {"a": 500, "b": 400, "me": 300, "c": 200, "d": 100})

    mine = standings.my_standing(boards, "xp", "me", NOW)

    assert [(s.userId, s.achievedAt) for s in mine.above] == [
        ("a", "2026-12-02T10:00:00.000Z"), ("b", "2026-12-02T10:00:01.000Z")]
    assert [(s.userId, s.achievedAt) for s in mine.below] == [
        ("c", "2026-12-02T10:00:03.000Z"), ("d", "2026-12-02T10:00:04.000Z")]


class _Sized(Boards):
    """Boards that remember how many entries each transaction moved."""

    def __init__(self) -> None:
        super().__init__()
        self.sizes: list[int] = []

    def commit(self, changes: Any, **kwargs: Any) -> None:
        self.sizes.append(len(changes))
        super().commit(changes, **kwargs)


def test_given_a_rebuild_of_fourteen_entries_then_they_are_written_twelve_at_a_time() -> None:
    weeks = [(10, f"2026-{1 + n // 4:02d}-{5 + 7 * (n % 4):02d}T10:00:00.000Z") for n in range(13)]  # 13 weeks
    boards = _Sized()

    rebuilt = standings.rebuild_xp(boards, Ledger(weeks), "u1")  # type: ignore[arg-type]

    assert len(rebuilt) == 14 and boards.sizes == [12, 2]  # all-time + 13 weekly entries


def test_given_writes_that_keep_losing_then_five_attempts_are_made() -> None:
    assert _xp(Boards(conflicts=4), "u1", 10, "e1") is True
    with pytest.raises(StandingConflict):
        _xp(Boards(conflicts=5), "u1", 10, "e1")

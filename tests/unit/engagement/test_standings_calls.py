"""What the standings logic hands its repositories: a friendship's state, time and event id for both users,
and the ledger read a rebuild asks for (the user's XP entries, a full page at a time, following the cursor)."""

from __future__ import annotations

from typing import Any

from deepiri_common.pagination import Page
from deepiri_engagement.logic import standings
from deepiri_engagement.models.boards import (
    CurrencyDebitedData,
    FriendshipAcceptedData,
    FriendshipEndedData,
    XpAwardedData,
)
from deepiri_engagement.models.progress import LedgerEntry
from tests.unit.engagement.fakes import Boards
from tests.unit.engagement.test_standings import AT, _duel, _received, _xp


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

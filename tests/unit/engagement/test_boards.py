"""Leaderboard arithmetic: ELO against worked examples, board order and ties, ISO weeks across the year
boundary, and ranks from score counters against counting by hand."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from deepiri_engagement.dal.board_layout import (
    counter_deltas,
    higher_count,
    order_key,
)
from deepiri_engagement.logic import ratings
from deepiri_engagement.logic.boards import period_of, sort_key, week_of, week_start
from tests.support.host_zone import host_zone


@pytest.mark.parametrize(("mine", "theirs", "result", "expected"), [
    (1500, 1500, "win", 1516), (1500, 1500, "loss", 1484), (1500, 1500, "draw", 1500),
    # E = 1 / (1 + 10^(-200/400)) = 0.7597: a win adds 32 * 0.2403 = 7.69, a draw takes 32 * 0.2597 = 8.31
    (1600, 1400, "win", 1608), (1600, 1400, "draw", 1592), (1600, 1400, "loss", 1576),
    (1400, 1600, "win", 1424), (1400, 1600, "draw", 1408), (1400, 1600, "loss", 1392),
])
def test_given_worked_examples_then_the_new_rating_matches(mine, theirs, result, expected) -> None:
    assert ratings.new_rating(mine, theirs, result) == expected


def test_given_equal_ratings_then_each_expects_half() -> None:
    assert ratings.expected_score(1500, 1500) == pytest.approx(0.5)
    assert float(ratings.expected_score(1600, 1400)) == pytest.approx(0.7597, abs=1e-4)


def test_given_wins_then_a_loss_then_streaks_peak_and_record_are_kept() -> None:
    me, rival = ratings.fresh("ann", "elo"), ratings.fresh("ben", "elo")
    for n in range(3):
        me = ratings.rated(me, rival, "win", f"2026-11-30T10:00:0{n}.000Z")
    peak = me.score
    me = ratings.rated(me, rival, "loss", "2026-11-30T10:00:09.000Z")
    assert me.stats == {"wins": 3, "losses": 1, "draws": 0, "peak": peak, "winStreak": 0, "bestWinStreak": 3}
    assert me.score < peak


def test_given_equal_scores_then_the_earlier_achiever_ranks_first_then_the_user_id() -> None:
    rows = [(100, "2026-11-30T10:00:02.000Z", "amy"), (100, "2026-11-30T10:00:01.000Z", "zed"),
            (100, "2026-11-30T10:00:01.000Z", "bob"), (150, "2026-11-30T11:00:00.000Z", "cat"),
            (-5, "2026-11-30T09:00:00.000Z", "dan")]
    by_key = sorted(rows, key=lambda row: order_key(*row))
    assert [user for _, _, user in by_key] == ["cat", "bob", "zed", "amy", "dan"]
    assert sorted(rows, key=lambda row: sort_key(*row)) == by_key


@pytest.mark.parametrize(("moment", "week", "monday"), [
    ("2026-12-31T23:59:59+00:00", "2026-W53", "2026-12-28"),
    ("2027-01-03T23:59:59+00:00", "2026-W53", "2026-12-28"),
    ("2027-01-04T00:00:00+00:00", "2027-W01", "2027-01-04"),
    ("2025-12-29T00:00:00+00:00", "2026-W01", "2025-12-29"),  # the ISO year starts in December
    ("2025-12-28T23:59:59+00:00", "2025-W52", "2025-12-22"),
    ("2027-01-04T01:00:00+02:00", "2026-W53", "2026-12-28"),  # 23:00 UTC on Sunday
])
def test_given_instants_around_the_year_boundary_then_the_iso_week_in_utc(moment, week, monday) -> None:
    at = datetime.fromisoformat(moment)
    assert week_of(at) == week
    assert week_start(at).date().isoformat() == monday


def test_given_monday_midnight_then_the_weekly_board_resets_and_last_week_is_readable() -> None:
    sunday = datetime(2027, 1, 3, 23, 59, 59, tzinfo=UTC)
    monday = datetime(2027, 1, 4, tzinfo=UTC)
    assert period_of("weekly", sunday).period == "2026-W53"
    assert period_of("weekly", monday).period == "2027-W01"
    previous = period_of("weekly-previous", monday)
    assert (previous.period, previous.periodStart, previous.periodEnd) == (
        "2026-W53", "2026-12-28T00:00:00.000Z", "2027-01-04T00:00:00.000Z")
    assert period_of("elo", monday).period == "all" and period_of("elo", monday).timezone == "UTC"


def _counters(scores: list[int]) -> dict[str, list[dict[str, int]]]:
    """Counter items as the table would hold them after adding every score (one shard)."""
    items: dict[str, dict[str, int]] = {}
    for score in scores:
        for (item, attribute), delta in counter_deltas(None, score).items():
            items.setdefault(item, {})
            items[item][attribute] = items[item].get(attribute, 0) + delta
    return {item: [cells] for item, cells in items.items()}


@pytest.mark.parametrize("seed", range(5))
def test_given_random_scores_then_counted_higher_equals_counting_by_hand(seed) -> None:
    rng = random.Random(seed)
    scores = [rng.choice([rng.randint(0, 300), rng.randint(0, 200_000), rng.randint(-50, 50)]) for _ in range(400)]
    counters = _counters(scores)
    for score in [*rng.sample(scores, 50), 10 ** 6, -10 ** 3]:
        assert higher_count(score, counters) == sum(1 for other in scores if other > score)


def test_given_a_score_move_then_counter_deltas_cancel_where_buckets_are_shared() -> None:
    assert counter_deltas(5, 5) == {}
    moved = counter_deltas(5, 6)  # same top and mid buckets: only the exact-score cells move
    assert sorted(moved.values()) == [-1, 1] and all(item.startswith("LOW#") for item, _ in moved)
    assert len(counter_deltas(5, 100_000)) == 6 and len(counter_deltas(None, 7)) == 3


def test_given_a_rating_that_does_not_move_then_it_keeps_the_time_it_was_first_reached() -> None:
    fresh = ratings.fresh("a", "elo")
    assert (fresh.achievedAt, fresh.score, fresh.period) == ("", 1500, "all")
    drawn = ratings.rated(fresh, ratings.fresh("b", "elo"), "draw", "2026-11-30T10:00:00.000Z")
    assert (drawn.score, drawn.achievedAt) == (1500, "2026-11-30T10:00:00.000Z")  # first time on the board
    again = ratings.rated(drawn, ratings.fresh("c", "elo"), "draw", "2026-11-30T11:00:00.000Z")
    assert again.achievedAt == "2026-11-30T10:00:00.000Z"  # the same rating: reached earlier
    won = ratings.rated(again, ratings.fresh("d", "elo"), "win", "2026-11-30T12:00:00.000Z")
    assert (won.score, won.achievedAt) == (1516, "2026-11-30T12:00:00.000Z")


def test_given_each_board_then_its_period_bounds_and_ranking_are_stated() -> None:
    wednesday = datetime(2026, 12, 2, 15, 30, tzinfo=UTC)
    weekly = period_of("weekly", wednesday)
    assert weekly.model_dump() == {
        "board": "weekly", "period": "2026-W49", "periodStart": "2026-11-30T00:00:00.000Z",
        "periodEnd": "2026-12-07T00:00:00.000Z", "timezone": "UTC",
        "ranking": "score descending; equal scores: earlier achievedAt first, then userId"}
    for board in ("xp", "friends", "elo-code"):
        assert period_of(board, wednesday).model_dump() == {
            "board": board, "period": "all", "periodStart": None, "periodEnd": None, "timezone": "UTC",
            "ranking": "score descending; equal scores: earlier achievedAt first, then userId"}


def test_given_a_readable_board_then_the_stored_board_and_the_xp_periods_follow() -> None:
    from deepiri_engagement.logic.boards import ELO_BOARDS, stored_board, xp_periods  # noqa: PLC0415

    assert [stored_board(b) for b in ("weekly-previous", "friends", "xp", "weekly", "elo-art")] == [
        "weekly", "xp", "xp", "weekly", "elo-art"]
    assert xp_periods("2027-01-03T23:00:00.000Z") == [("xp", "all"), ("weekly", "2026-W53")]
    assert ELO_BOARDS[0] == "elo" and "elo-meeting" in ELO_BOARDS and len(ELO_BOARDS) == 10
    assert sort_key(5, None, "a") == (-5, "~", "a")  # never achieved sorts after any time


@pytest.fixture
def server_in_tokyo() -> Iterator[None]:
    """The function's local zone set to Asia/Tokyo (UTC+9) for one test, then put back."""
    with host_zone("Asia/Tokyo"):
        yield


def test_given_a_server_in_another_zone_then_a_week_is_still_the_utc_week(server_in_tokyo: None) -> None:
    sunday_evening = datetime(2026, 11, 1, 20, 0, tzinfo=UTC)  # already Monday 05:00 in Tokyo

    assert week_of(sunday_evening) == "2026-W44"
    assert week_start(sunday_evening) == datetime(2026, 10, 26, tzinfo=UTC)

"""Which leaderboards exist, which period each shows, and their order.

Boards: ``xp`` (all-time XP), ``weekly`` (XP earned in the current ISO week, UTC: it starts on Monday at
00:00 UTC, so it resets then; ``weekly-previous`` is last week's final standings, kept), ``friends`` (the
caller and their friends by all-time XP), ``elo`` and ``elo-<category>`` (ratings, see ``ratings``).

Order: a higher score first; on equal scores whoever reached the score first (``achievedAt``), then the
user id, so a board's order is total and deterministic. How the table keeps that order and answers a
rank cheaply is ``dal.board_layout``'s.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from deepiri_common.clock import parse_iso, to_iso
from deepiri_engagement.models.boards import CATEGORIES, BoardPeriod

ALL_TIME = "all"
RANKING = "score descending; equal scores: earlier achievedAt first, then userId"
ELO_BOARDS = ("elo", *(f"elo-{category}" for category in CATEGORIES))


def week_of(moment: datetime) -> str:
    """The ISO week (UTC) of ``moment``, as ``YYYY-Www`` (2027-01-03 is in 2026-W53)."""
    year, week, _ = moment.astimezone(UTC).isocalendar()
    return f"{year}-W{week:02d}"


def week_start(moment: datetime) -> datetime:
    """Monday 00:00 UTC of ``moment``'s ISO week."""
    day = moment.astimezone(UTC).date()
    monday = day - timedelta(days=day.weekday())
    return datetime(monday.year, monday.month, monday.day, tzinfo=UTC)


def period_of(board: str, now: datetime) -> BoardPeriod:
    """Which period ``board`` shows at ``now``, with its bounds (``friends`` shows all-time XP)."""
    if board in ("weekly", "weekly-previous"):
        start = week_start(now) - (timedelta(weeks=1) if board == "weekly-previous" else timedelta(0))
        return BoardPeriod(board=board, period=week_of(start), periodStart=to_iso(start),
                           periodEnd=to_iso(start + timedelta(weeks=1)), ranking=RANKING)
    return BoardPeriod(board=board, period=ALL_TIME, periodStart=None, periodEnd=None,
                       ranking=RANKING)


def stored_board(board: str) -> str:
    """The stored board a readable board shows (``weekly-previous`` is an earlier ``weekly``)."""
    return {"weekly-previous": "weekly", "friends": "xp"}.get(board, board)


def xp_periods(at: str) -> list[tuple[str, str]]:
    """The (board, period) pairs an XP change at time ``at`` moves: all time, and its ISO week."""
    return [("xp", ALL_TIME), ("weekly", week_of(parse_iso(at)))]


def sort_key(score: int, achieved_at: str | None, user_id: str) -> tuple[int, str, str]:
    """Board order, for sorting in memory (never achieved sorts last)."""
    return (-score, achieved_at or "~", user_id)

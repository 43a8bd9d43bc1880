"""ELO ratings from finished duels, overall and per task category.

Each participant starts at ``INITIAL_RATING``. A duel between A (rating Ra) and B (Rb) expects A to score
E_A = 1 / (1 + 10^((Rb - Ra) / 400)); A's actual score S_A is 1 for a win, 0 for a loss and 0.5 for a
draw, and A's new rating is Ra + ``K`` * (S_A - E_A), rounded half up to a whole point (ratings are kept
as integers so a board orders them exactly). Both the overall board (``elo``) and the duel's category
board (``elo-<category>``) move, each from its own ratings. A rating entry also keeps wins, losses, draws,
the peak rating and the current and best win streaks (a draw or a loss ends a win streak).

A duel counts exactly once: its ratings, the duel's marker and the RatingChanged events are written in one
transaction that fails if the marker exists. Duels apply in the order they arrive (ratings are
path-dependent; the bus gives no order between different duels).
"""

from __future__ import annotations

from dataclasses import replace
from decimal import ROUND_HALF_UP, Decimal

from deepiri_engagement.models.boards import Entry
from deepiri_engagement.models.events import DuelResult

K = 32
INITIAL_RATING = 1500
SCALE = 400
ACTUAL_SCORE: dict[str, Decimal] = {"win": Decimal(1), "loss": Decimal(0), "draw": Decimal("0.5")}
# "peak" is set right after these in ``fresh``: without it here it would only come last in the dict, and no reader
# depends on the order (a DynamoDB map has none), so that mutant is equivalent.
STATS = ("wins", "losses", "draws", "peak", "winStreak", "bestWinStreak")


def expected_score(rating: int, opponent: int) -> Decimal:
    """The share of the points ``rating`` is expected to take against ``opponent`` (0..1)."""
    return Decimal(1) / (Decimal(1) + Decimal(10) ** (Decimal(opponent - rating) / SCALE))


def new_rating(rating: int, opponent: int, result: DuelResult) -> int:
    """``rating`` after a duel with ``result`` against ``opponent`` (rounded half up)."""
    moved = Decimal(rating) + K * (ACTUAL_SCORE[result] - expected_score(rating, opponent))
    # Never an exact half: 32 * (S - E) is whole at equal ratings and irrational otherwise (no half for any gap
    # of -6,000..6,000 points, checked), so half-even rounding, or quantize to Decimal(2) (the same exponent),
    # are equivalent.
    return int(moved.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def result_of(user_id: str, winner_id: str | None) -> DuelResult:
    if winner_id is None:
        return "draw"
    return "win" if winner_id == user_id else "loss"


def fresh(user_id: str, board: str) -> Entry:
    """A rating entry of someone who has not dueled on ``board`` yet."""
    stats = dict.fromkeys(STATS, 0) | {"peak": INITIAL_RATING}
    return Entry(userId=user_id, board=board, period="all", score=INITIAL_RATING, achievedAt="", stats=stats)


def rated(entry: Entry, opponent: Entry, result: DuelResult, at: str) -> Entry:
    """``entry`` after a duel against ``opponent`` with ``result``, at time ``at``."""
    rating = new_rating(entry.score, opponent.score, result)
    stats = dict(entry.stats)
    stats[{"win": "wins", "loss": "losses", "draw": "draws"}[result]] += 1
    stats["winStreak"] = stats["winStreak"] + 1 if result == "win" else 0
    stats["bestWinStreak"] = max(stats["bestWinStreak"], stats["winStreak"])
    stats["peak"] = max(stats["peak"], rating)
    # Ties on a rating board: whoever reached the rating first ranks first.
    achieved = at if rating != entry.score or not entry.achievedAt else entry.achievedAt
    return replace(entry, score=rating, achievedAt=achieved, stats=stats)
